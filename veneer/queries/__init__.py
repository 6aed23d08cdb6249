"""Trusted documents: the GraphQL documents a team's apps were built with, registered ahead."""
