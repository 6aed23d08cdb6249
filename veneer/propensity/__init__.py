"""Propensity: how likely a viewer is to send an event (``purchase``) within a horizon.

A calibrated classifier learns it from the behaviour features clustering measures, trained
on a past cutoff so the labels are known; a job stores each viewer's score, and requests and
segment rules read the stored score. Pure: numbers in, numbers out.
"""

from veneer.propensity.record import ModelRecord, Score

__all__ = ["ModelRecord", "Score"]
