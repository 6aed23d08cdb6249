"""Simulated traffic for the demo: shoppers, their consent, sessions, carts and purchases.

Pure: a catalogue, a seed and a moment in, plain happenings out (consent decisions, logins,
traits, events as sites send them). `veneer.jobs.traffic` replays them through Veneer's own
paths, so the demo holds exactly what real traffic would leave in it.
"""

from veneer.traffic.catalogue import Item, catalogue
from veneer.traffic.happenings import (
    ConsentGiven,
    Happening,
    Identified,
    LoggedIn,
    Tracked,
    Traffic,
    Visitor,
)
from veneer.traffic.personas import CONSENT_CHOICES, PERSONAS, ConsentChoice, Persona
from veneer.traffic.simulate import simulate

__all__ = [
    "CONSENT_CHOICES",
    "PERSONAS",
    "ConsentChoice",
    "ConsentGiven",
    "Happening",
    "Identified",
    "Item",
    "LoggedIn",
    "Persona",
    "Tracked",
    "Traffic",
    "Visitor",
    "catalogue",
    "simulate",
]
