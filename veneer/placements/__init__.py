"""Placements: named slots for blocks of CMS content; pure code, no I/O."""

from veneer.placements.sanitize import sanitize_html

__all__ = ["sanitize_html"]
