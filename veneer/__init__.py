"""Veneer: a personalization layer that sits beside a headless CMS."""

__version__ = "0.1.0"
