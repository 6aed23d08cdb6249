"""Consent by purpose: what a viewer allowed Veneer to do with their data."""

from veneer.consent.purposes import (
    ConsentRecord,
    ConsentState,
    Purpose,
    effective_consent,
    is_granted,
)

__all__ = ["ConsentRecord", "ConsentState", "Purpose", "effective_consent", "is_granted"]
