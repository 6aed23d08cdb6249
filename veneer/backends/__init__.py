"""Backends behind small protocols: cache, event stream, content bus and leases.

In-process for the embedded default, Redis in production; choosing one is configuration.
"""
