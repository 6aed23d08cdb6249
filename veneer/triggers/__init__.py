"""Triggers: named rules over a viewer's behaviour and current page that make an offer due,
parsed and evaluated as pure code (caps, cooldowns, dates, priority, experiment arms)."""

from veneer.triggers.definition import Trigger, TriggerError, parse_document, parse_trigger
from veneer.triggers.evaluate import DueOffer, History, Offer, newly_due, offers_for
from veneer.triggers.page import PageFacts, current_page

__all__ = [
    "DueOffer",
    "History",
    "Offer",
    "PageFacts",
    "Trigger",
    "TriggerError",
    "current_page",
    "newly_due",
    "offers_for",
    "parse_document",
    "parse_trigger",
]
