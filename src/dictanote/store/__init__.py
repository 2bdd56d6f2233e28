"""The store: drafts inbox, finalized notes and the audit log, in SQLite files encrypted with SQLCipher."""

from .audit import AuditEntry, AuditReport
from .encryption import FileReport, StoreStatus, encrypt_store, store_status
from .keys import Ask, KeySources, StoreKeys, store_keys
from .moves import Move, move_sentences
from .store import Store

__all__ = [
    "Ask",
    "AuditEntry",
    "AuditReport",
    "FileReport",
    "KeySources",
    "Move",
    "Store",
    "StoreKeys",
    "StoreStatus",
    "encrypt_store",
    "move_sentences",
    "store_keys",
    "store_status",
]
