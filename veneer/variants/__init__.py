"""Variant choice: which version of an entry a viewer sees, and why."""

from veneer.variants.choice import Choice, choose_variant

__all__ = ["Choice", "choose_variant"]
