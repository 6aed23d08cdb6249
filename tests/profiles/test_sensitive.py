"""Special-category traits: marked by name or by the deployment, refused unless allowed with
a basis, and never what Veneer's own inferences read."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from veneer.profiles.sensitive import SensitiveTraits, SpecialCategory
from veneer.propensity.features import propensity_features
from veneer.settings import Settings

HEALTH = SpecialCategory.HEALTH


def test_a_marked_trait_is_refused_by_name_and_category() -> None:
    sensitive = SensitiveTraits()
    refusal = sensitive.refusal(["region", "religion", "age"])
    assert refusal is not None
    assert "'religion' (religion)" in refusal and "region" not in refusal.split(":")[1]
    assert sensitive.refusal(["region", "age"]) is None


def test_a_path_inside_a_marked_trait_is_the_trait() -> None:
    assert SensitiveTraits().refused(["health.allergies", "healthy"]) == ["health.allergies"]


def test_a_deployment_marks_its_own_and_allows_some_with_a_basis() -> None:
    sensitive = SensitiveTraits(
        {"diagnosis": HEALTH, "religion": SpecialCategory.RELIGION},
        {"diagnosis": "explicit consent, form HC-2"},
    )
    assert sensitive.refused(["diagnosis", "religion"]) == ["religion"]
    assert sensitive.refusal(["diagnosis"]) is None


def test_settings_mark_and_allow_and_refuse_an_allowance_without_basis() -> None:
    settings = Settings(
        sensitive_traits={"diagnosis": "health"},
        sensitive_traits_allowed={"diagnosis": "explicit consent, form HC-2"},
    )
    assert settings.sensitive().refused(["diagnosis", "ethnicity"]) == ["ethnicity"]
    with pytest.raises(ValidationError, match="give the basis"):
        Settings(
            sensitive_traits={"diagnosis": "health"}, sensitive_traits_allowed={"diagnosis": " "}
        )
    with pytest.raises(ValidationError, match="diagnosys, not marked"):
        Settings(
            sensitive_traits={"diagnosis": "health"},
            sensitive_traits_allowed={"diagnosys": "explicit consent"},
        )
    with pytest.raises(ValidationError, match=r"sensitive_traits\.diagnosis"):
        Settings(sensitive_traits={"diagnosis": "horoscope"})


def test_propensity_models_read_behaviour_never_traits() -> None:
    assert {f.kind for f in propensity_features("30d")}.isdisjoint({"trait"})
