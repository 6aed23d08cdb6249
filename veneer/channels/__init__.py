"""Blocks for every channel over plain HTTP: pages and apps (REST), email tools (signed URLs).

An edge beside `web` and `graphql`: it builds blocks with the GraphQL layer's request context
and serving, and answers errors in `web`'s shape, so neither of those imports it back.
"""
