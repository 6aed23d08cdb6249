"""Who is changing things: the actor every audit-log entry names.

The edges say who acts before anything changes (the API key a request authenticated with,
`cli:<user>` for a command), and the store writes that name beside each change, in the
change's own transaction (`veneer.store.audit`). A context variable carries it between the
two, so no function in between needs to pass it on; background work is "system".
"""

from __future__ import annotations

from contextvars import ContextVar

ACTOR: ContextVar[str] = ContextVar("veneer_actor", default="system")


def act_as(actor: str) -> None:
    """Name who acts for the rest of this request, task or command."""
    ACTOR.set(actor[:200])
