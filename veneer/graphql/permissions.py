"""Field permissions, declared on the field rather than checked inside resolvers."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from veneer.identity.keys import KeyKind


class IsSecretKey(BasePermission):
    message = "this field needs a secret key"
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 (strawberry reads it per class)

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return bool(info.context.principal.key.kind is KeyKind.SECRET)
