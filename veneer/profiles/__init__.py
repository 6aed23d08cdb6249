"""Profiles: what is known about a viewer, and where each piece came from."""
