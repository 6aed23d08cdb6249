"""Special-category data (GDPR Article 9): traits no segment, trigger or model may use by
default.

Health, religious or philosophical beliefs, racial or ethnic origin, sex life or sexual
orientation, political opinions, trade union membership, genetic and biometric data may be
processed only on one of Article 9(2)'s grounds, such as explicit consent. A trait is marked
as one of these categories (a few common names are marked out of the box; a deployment marks
its own), and a rule that tests a marked trait is refused with the trait and its category
named, unless the deployment allows that trait with its recorded basis. What Veneer infers
(behaviour clusters, propensity scores) reads what viewers do, never their traits, so it
cannot use one, allowed or not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class SpecialCategory(StrEnum):
    HEALTH = "health"
    RELIGION = "religion"  # religious or philosophical beliefs
    ETHNICITY = "ethnicity"  # racial or ethnic origin
    SEXUAL_ORIENTATION = "sexual_orientation"  # sex life or sexual orientation
    POLITICAL_OPINION = "political_opinion"
    TRADE_UNION = "trade_union"  # trade union membership
    GENETIC = "genetic"
    BIOMETRIC = "biometric"


# Trait names that say what they hold, marked without being asked.
MARKED_BY_NAME: dict[str, SpecialCategory] = {
    "health": SpecialCategory.HEALTH,
    "medicalCondition": SpecialCategory.HEALTH,
    "religion": SpecialCategory.RELIGION,
    "ethnicity": SpecialCategory.ETHNICITY,
    "race": SpecialCategory.ETHNICITY,
    "sexualOrientation": SpecialCategory.SEXUAL_ORIENTATION,
    "politicalOpinion": SpecialCategory.POLITICAL_OPINION,
    "politicalParty": SpecialCategory.POLITICAL_OPINION,
    "tradeUnion": SpecialCategory.TRADE_UNION,
}


def _top(trait: str) -> str:
    """``health.allergies`` is the ``health`` trait's."""
    return trait.split(".", 1)[0]


@dataclass(frozen=True)
class SensitiveTraits:
    """Which traits are special-category data, and which of them a deployment may use."""

    marked: Mapping[str, SpecialCategory] = field(default_factory=lambda: dict(MARKED_BY_NAME))
    allowed: Mapping[str, str] = field(default_factory=dict)  # trait -> the recorded basis

    def category(self, trait: str) -> SpecialCategory | None:
        return self.marked.get(_top(trait))

    def refused(self, traits: Iterable[str]) -> list[str]:
        """The marked traits among ``traits`` that the deployment has not allowed."""
        return sorted(
            {t for t in traits if self.category(t) is not None and _top(t) not in self.allowed}
        )

    def refusal(self, traits: Iterable[str]) -> str | None:
        """Why a rule testing ``traits`` may not be saved, or None when it may."""
        refused = self.refused(traits)
        if not refused:
            return None
        named = ", ".join(f"{t!r} ({self.category(t)})" for t in refused)
        return (
            f"uses special-category data (GDPR Article 9): {named}; allow a trait only with "
            "its basis, e.g. VENEER_SENSITIVE_TRAITS_ALLOWED="
            f'\'{{"{_top(refused[0])}": "explicit consent, form v2"}}\''
        )
