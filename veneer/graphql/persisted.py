"""Automatic Persisted Queries, in Apollo's protocol: a client sends a document's hash alone.

A client (Apollo Client's persisted-query link, urql's persistedExchange, Relay with a hash)
first sends only ``extensions.persistedQuery = {"version": 1, "sha256Hash": ...}``. A hash
Veneer has not seen answers the ``PersistedQueryNotFound`` error (code
``PERSISTED_QUERY_NOT_FOUND``); the client then sends the text with the hash, which Veneer
checks and keeps, so every later request is a few dozen bytes and may be a GET, which CDNs and
browsers can cache. Documents are kept in the shared cache (Redis in production), so a text
registered through one app process serves every other.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError, parse
from strawberry.http import GraphQLRequestData

from veneer.backends.cache import Cache

PREFIX = "apq:"
HASH = re.compile(r"^[0-9a-f]{64}$")
NOT_FOUND = "PersistedQueryNotFound"
TEXTS_KEPT = 4096


class PersistedQueryError(ValueError):
    """A ``persistedQuery`` extension that is not Apollo's shape; the client's mistake."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


class NotTrusted(PermissionError):
    """A public key sent a document that is not a trusted one, where only those run."""


def not_found_error() -> GraphQLError:
    """What Apollo Client, urql and Relay look for before sending the document's text."""
    return GraphQLError(NOT_FOUND, extensions={"code": "PERSISTED_QUERY_NOT_FOUND"})


def not_in_list_error() -> GraphQLError:
    """An unknown hash where only trusted documents run: sending the text would not help."""
    return GraphQLError(
        "PersistedQueryNotInList: this deployment runs registered documents only "
        "(veneer queries register MANIFEST)",
        extensions={"code": "PERSISTED_QUERY_NOT_IN_LIST"},
    )


def _requested_hash(extensions: dict[str, Any] | None) -> str | None:
    if not extensions or "persistedQuery" not in extensions:
        return None
    where = "extensions.persistedQuery"
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, dict):
        raise PersistedQueryError(where, 'must be {"version": 1, "sha256Hash": "<hex>"}')
    if persisted.get("version") != 1:
        raise PersistedQueryError(f"{where}.version", "only version 1 is supported")
    sha = persisted.get("sha256Hash")
    if not isinstance(sha, str) or not HASH.match(sha):
        raise PersistedQueryError(
            f"{where}.sha256Hash", "must be the document's SHA-256, as 64 lowercase hex digits"
        )
    return sha


class PersistedQueries:
    """Documents by hash: the trusted ones the team registered (`veneer queries register`),
    then those clients registered themselves, each kept ``ttl`` seconds (a client that hears
    ``PersistedQueryNotFound`` after that sends it again).

    With ``trusted_only``, public keys run trusted documents only, by hash or by text, and
    cannot register others: no ad-hoc (and maybe costly) document from a browser or an app.
    """

    def __init__(
        self,
        cache: Cache,
        ttl: float,
        trusted: Callable[[], Awaitable[Mapping[str, str]]],
        trusted_only: bool = False,
    ):
        self.cache = cache
        self.ttl = ttl
        self.trusted = trusted
        self.trusted_only = trusted_only
        # A hash names one text forever: texts found once are kept here, so a persisted
        # request costs no lookup in the shared cache; each with whether it is a trusted one,
        # which alone a public key may run in trusted-only mode.
        self._texts: dict[str, tuple[str, bool]] = {}

    async def resolve(
        self, request: GraphQLRequestData, public: bool
    ) -> GraphQLRequestData | GraphQLError:
        """The request with its document, or the error to answer instead.

        Raises `PersistedQueryError` for a malformed extension or a text that does not
        match its hash, and `NotTrusted` for a text a public key may not run. A text that
        does not parse is run (and fails) but not kept.
        """
        sha = _requested_hash(request.extensions)
        strict = self.trusted_only and public
        if sha is None:
            if strict and request.query is not None:
                text_sha = hashlib.sha256(request.query.encode()).hexdigest()
                if text_sha not in await self.trusted():
                    raise NotTrusted()
            return request
        if request.query is None:
            found = self._texts.get(sha)
            if found is None or (strict and not found[1]):
                trusted = await self.trusted()
                if sha in trusted:
                    found = (trusted[sha], True)
                elif strict:
                    return not_in_list_error()
                else:
                    known = await self.cache.get(PREFIX + sha)
                    if not isinstance(known, str):
                        return not_found_error()
                    found = (known, False)
                if len(self._texts) >= TEXTS_KEPT:
                    self._texts.clear()
                self._texts[sha] = found
            return GraphQLRequestData(
                found[0], request.variables, request.operation_name, request.extensions
            )
        if hashlib.sha256(request.query.encode()).hexdigest() != sha:
            raise PersistedQueryError(
                "extensions.persistedQuery.sha256Hash", "provided sha does not match query"
            )
        if strict:
            if sha not in await self.trusted():
                raise NotTrusted()
            return request
        try:
            parse(request.query)
        except GraphQLSyntaxError:
            return request
        await self.cache.set(PREFIX + sha, request.query, self.ttl)
        return request
