"""Registering trusted documents from a manifest, and listing them."""

from __future__ import annotations

from collections.abc import Sequence

from veneer.queries.manifest import TrustedDocument
from veneer.services import Services
from veneer.store.models import TrustedDocumentRow
from veneer.store.trusted_documents import list_documents, register_documents, trusted_documents


async def register(
    services: Services, documents: Sequence[TrustedDocument], dry_run: bool
) -> list[str]:
    """Add the documents not registered yet (none with ``dry_run``); their hashes."""
    if dry_run:
        async with services.db.reading() as session:
            known = await trusted_documents(session)
        return list(dict.fromkeys(d.sha256 for d in documents if d.sha256 not in known))
    async with services.db.session() as session:
        added = await register_documents(session, documents, services.clock())
    await services.trusted_documents_changed()
    return added


async def registered(services: Services) -> list[TrustedDocumentRow]:
    async with services.db.reading() as session:
        return await list_documents(session)
