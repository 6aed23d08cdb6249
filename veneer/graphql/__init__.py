"""The GraphQL API: one folder per domain (types, queries, mutations), combined in schema.py."""
