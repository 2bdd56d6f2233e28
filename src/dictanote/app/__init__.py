"""The application core: the one place that wires the stages together.

``Dictation`` (built once from a ``Config``) turns audio, a transcript or text
into a checked ``DraftResult`` and saves, renders and exports; ``LiveDictation``
captures from a microphone and hands each finished transcript to it. Entry
points (CLI, daemon, review server) use these and never a stage directly.
Nothing heavy is imported here: each stage loads when first used.
"""

from .dictation import PROGRESS_MIN_S, Dictation, ProgressFactory
from .goals import GoalLinks, LinkResult, goal_links, link_goal
from .live import LiveDictation
from .sessions import set_session
from .values import (
    DraftResult,
    LiveCallbacks,
    LiveOptions,
    LiveResult,
    LiveStatus,
    LiveTimings,
    SessionStart,
    StopReason,
)

__all__ = [
    "PROGRESS_MIN_S",
    "Dictation",
    "DraftResult",
    "GoalLinks",
    "LinkResult",
    "LiveCallbacks",
    "LiveDictation",
    "LiveOptions",
    "LiveResult",
    "LiveStatus",
    "LiveTimings",
    "ProgressFactory",
    "SessionStart",
    "StopReason",
    "goal_links",
    "link_goal",
    "set_session",
]
