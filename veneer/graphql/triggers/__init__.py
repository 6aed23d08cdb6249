"""Triggers as GraphQL shows them: `Viewer.offers`, `triggers`, `upsertTrigger`, `deleteTrigger`."""
