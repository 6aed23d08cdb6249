"""API keys, stored hashed, with the web origins each may be used from."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from veneer.identity.keys import ApiKey, KeyKind, generate_key, hash_key
from veneer.store.audit import record_change
from veneer.store.models import ApiKeyRow, utcnow


def _key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(id=str(row.id), kind=KeyKind(row.kind), name=row.name, origins=tuple(row.origins))


async def create_key(
    session: AsyncSession, kind: KeyKind, name: str = "", origins: Sequence[str] = ()
) -> tuple[str, ApiKey]:
    """Store a new key; the plain key is returned here and never again.

    ``origins`` must be normalized already (`veneer.identity.origins.normalize_origins`).
    """
    plain = generate_key(kind)
    row = ApiKeyRow(
        kind=kind.value, key_hash=hash_key(plain), prefix=plain[:10], name=name, origins=[*origins]
    )
    session.add(row)
    await session.flush()
    record_change(session, "key.created", str(row.id), {"kind": kind.value, "name": name})
    return plain, _key(row)


async def find_key(session: AsyncSession, plain: str) -> ApiKey | None:
    row = await session.scalar(
        select(ApiKeyRow).where(
            ApiKeyRow.key_hash == hash_key(plain), ApiKeyRow.revoked_at.is_(None)
        )
    )
    return None if row is None else _key(row)


async def active_key(session: AsyncSession, key_id: str) -> ApiKey | None:
    """The key with this id while it is not revoked: a session that names a key lasts no
    longer than the key does."""
    if not key_id.isdigit():
        return None
    row = await session.get(ApiKeyRow, int(key_id))
    return None if row is None or row.revoked_at is not None else _key(row)


async def list_keys(session: AsyncSession) -> list[ApiKeyRow]:
    return list(await session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id)))


async def revoke_key(session: AsyncSession, key_id: int) -> bool:
    row = await session.get(ApiKeyRow, key_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    record_change(session, "key.revoked", str(key_id))
    return True


async def origins_of(session: AsyncSession, key_id: int) -> list[str] | None:
    """An active key's origins; None when there is no such key."""
    row = await session.get(ApiKeyRow, key_id)
    return None if row is None or row.revoked_at is not None else list(row.origins)


async def set_origins(session: AsyncSession, key_id: int, origins: Sequence[str]) -> bool:
    """Replace an active key's origins; False when there is no such key."""
    row = await session.get(ApiKeyRow, key_id)
    if row is None or row.revoked_at is not None:
        return False
    row.origins = [*origins]
    record_change(session, "key.origins", str(key_id), {"origins": [*origins]})
    return True


async def active_origins(session: AsyncSession) -> set[str]:
    """Every origin some active key allows: what a preflight, which names no key, may pass."""
    rows = await session.scalars(select(ApiKeyRow.origins).where(ApiKeyRow.revoked_at.is_(None)))
    return {origin for origins in rows for origin in origins}
