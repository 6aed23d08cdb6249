"""Consent by purpose: what a viewer allowed Veneer to do with their data."""

from veneer.consent.purposes import ConsentState, Purpose, effective_consent

__all__ = ["ConsentState", "Purpose", "effective_consent"]
