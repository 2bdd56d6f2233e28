"""The audit log page: both records' logs, newest first, with what ``audit verify`` says of each.

The log holds actions, row numbers, versions and hashes, never a word of a note or a client's
id, name or initials, so the page shows it as it is. Nothing here changes the store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .pages import ReviewApp
from .web import Request, Response

if TYPE_CHECKING:
    pass

# The most entries shown per record (the newest); `dictanote audit log` prints them all.
SHOWN = 200


def _detail(detail: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(detail.items()) if k not in ("content_sha256", "signer"))


def audit_page(app: ReviewApp, request: Request) -> Response:
    """Both audit logs, each with its verification."""
    records = []
    for private in (False, True):
        report = app.store.verify_audit(private=private)
        entries = app.store.audit_entries(private=private)
        records.append(
            {
                "name": "Psychotherapy notes" if private else "Clinical record",
                "id": "private" if private else "clinical",
                "ok": report.ok,
                "count": report.entries,
                "problem": report.problem,
                "entries": [
                    {
                        "seq": e.seq,
                        "at": e.at,
                        "action": e.action,
                        "object": e.object,
                        "object_id": e.object_id,
                        "detail": _detail(e.detail),
                    }
                    for e in reversed(entries[-SHOWN:])
                ],
            }
        )
    return app.page(200, "audit.html", request.csrf, title="Audit log", records=records, shown=SHOWN)


def routes(app: ReviewApp) -> tuple[tuple[str, str, Callable[[Request], Response]], ...]:
    """This module's routes for ``ReviewApp``'s table."""
    return (("GET", r"/audit", lambda request: audit_page(app, request)),)
