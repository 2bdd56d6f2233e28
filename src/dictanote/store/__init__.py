"""The store: drafts inbox, finalized notes and the audit log, in SQLite (standard library)."""

from .audit import AuditEntry, AuditReport
from .store import Store

__all__ = ["AuditEntry", "AuditReport", "Store"]
