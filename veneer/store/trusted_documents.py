"""Trusted documents, by the SHA-256 of their text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.queries.manifest import TrustedDocument
from veneer.store.audit import record_change
from veneer.store.models import TrustedDocumentRow


async def register_documents(
    session: AsyncSession, documents: Sequence[TrustedDocument], now: datetime
) -> list[str]:
    """Store the documents not stored yet; returns their hashes (the rest were known)."""
    known = set(await session.scalars(select(TrustedDocumentRow.sha256)))
    added = []
    for document in documents:
        if document.sha256 in known:
            continue
        session.add(
            TrustedDocumentRow(
                sha256=document.sha256, body=document.body, name=document.name, registered_at=now
            )
        )
        known.add(document.sha256)
        added.append(document.sha256)
        record_change(session, "document.registered", document.sha256, {"name": document.name})
    await session.flush()
    return added


async def trusted_documents(session: AsyncSession) -> dict[str, str]:
    """Every trusted document's text, by its SHA-256."""
    rows = await session.execute(select(TrustedDocumentRow.sha256, TrustedDocumentRow.body))
    return {sha: body for sha, body in rows}


async def list_documents(session: AsyncSession) -> list[TrustedDocumentRow]:
    return list(await session.scalars(select(TrustedDocumentRow).order_by(TrustedDocumentRow.name)))
