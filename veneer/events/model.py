"""The validated `Event`, and the standard event types' property rules.

Standard types get their properties checked (a purchase needs a value and an ISO 4217
currency); other types are accepted as they are, so sites can track what matters to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from veneer.identity.viewer import profile_id

STANDARD_TYPES = (
    "page_view",
    "entry_view",
    "click",
    "time_on_page",
    "search",
    "add_to_cart",
    "remove_from_cart",
    "cart_abandoned",
    "purchase",
    "signup",
)


def _iso_4217(code: str) -> str:
    """One message for every wrong code ('EURO', 'eur', 'XYZ'), saying what a right one is."""
    if not (len(code) == 3 and code.isascii() and code.isupper()) or (
        pycountry.currencies.get(alpha_3=code) is None
    ):
        raise ValueError(
            f"{code!r} is not an ISO 4217 currency code (three capital letters, e.g. EUR, USD)"
        )
    return code


CurrencyCode = Annotated[str, AfterValidator(_iso_4217)]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Properties(BaseModel):
    model_config = ConfigDict(extra="allow")


class TimeOnPage(_Properties):
    seconds: float = Field(ge=0, le=86_400, allow_inf_nan=False)


class Search(_Properties):
    query: str = Field(min_length=1, max_length=500)


class CartChange(_Properties):
    quantity: int = Field(default=1, ge=1, le=10_000)
    value: Amount | None = None
    currency: CurrencyCode | None = None


class Purchase(_Properties):
    value: Amount
    currency: CurrencyCode


PROPERTY_RULES: dict[str, type[_Properties]] = {
    "time_on_page": TimeOnPage,
    "search": Search,
    "add_to_cart": CartChange,
    "remove_from_cart": CartChange,
    "purchase": Purchase,
}
NEEDS_ENTRY = ("entry_view",)


@dataclass(frozen=True)
class Event:
    """An accepted event, in UTC, with any email already replaced by its hash."""

    id: str
    type: str
    timestamp: datetime
    received_at: datetime
    anonymous_id: str | None
    user_id: str | None
    entry_id: str | None
    properties: Mapping[str, Any]
    context: Mapping[str, Any]
    late: bool = False

    @property
    def viewer_id(self) -> str:
        """The profile the event belongs to (see `veneer.identity.viewer.Viewer.id`)."""
        return profile_id(self.anonymous_id, self.user_id)


def first_of_each_id(events: list[Event]) -> tuple[list[Event], list[Event]]:
    """The first event of each id, and the repeats: a batch may carry one event twice."""
    seen: set[str] = set()
    unique: list[Event] = []
    repeated: list[Event] = []
    for event in events:
        (repeated if event.id in seen else unique).append(event)
        seen.add(event.id)
    return unique, repeated
