"""API keys, stored hashed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.identity.keys import ApiKey, KeyKind, generate_key, hash_key
from veneer.store.models import ApiKeyRow, utcnow


async def create_key(session: AsyncSession, kind: KeyKind, name: str = "") -> tuple[str, ApiKey]:
    """Store a new key; the plain key is returned here and never again."""
    plain = generate_key(kind)
    row = ApiKeyRow(kind=kind.value, key_hash=hash_key(plain), prefix=plain[:10], name=name)
    session.add(row)
    await session.flush()
    return plain, ApiKey(id=str(row.id), kind=kind, name=name)


async def find_key(session: AsyncSession, plain: str) -> ApiKey | None:
    row = await session.scalar(
        select(ApiKeyRow).where(
            ApiKeyRow.key_hash == hash_key(plain), ApiKeyRow.revoked_at.is_(None)
        )
    )
    if row is None:
        return None
    return ApiKey(id=str(row.id), kind=KeyKind(row.kind), name=row.name)


async def list_keys(session: AsyncSession) -> list[ApiKeyRow]:
    return list(await session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id)))


async def revoke_key(session: AsyncSession, key_id: int) -> bool:
    row = await session.get(ApiKeyRow, key_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True
