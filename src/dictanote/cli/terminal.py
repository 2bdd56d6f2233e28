"""Words to check, highlighted when a draft is printed to a terminal (never when piped).

The renderer wraps uncertain and corrected words in private-use markers; the
printed text goes through ``printable`` first (so dictated words can never carry
their own escape codes), then the markers become underline and colour. Honours NO_COLOR.
"""

from __future__ import annotations

import os

from ..render import WordMarkup

_UNCERTAIN, _CORRECTED, _END = "\ue000", "\ue001", "\ue002"
# Markers the renderer puts around marked words on a terminal (private-use characters).
TERMINAL_MARKUP = WordMarkup(uncertain=(_UNCERTAIN, _END), corrected=(_CORRECTED, _END))
# Uncertain: underlined (yellow); corrected: bold and underlined (cyan). Not colour alone.
_STYLES = {_UNCERTAIN: ("4", "33"), _CORRECTED: ("1;4", "36")}


def highlight(text: str, colour: bool | None = None) -> str:
    """``text`` (already made ``printable``) with the markers turned into ANSI highlighting."""
    if colour is None:
        colour = not os.environ.get("NO_COLOR")
    for marker, (style, hue) in _STYLES.items():
        text = text.replace(marker, f"\x1b[{style};{hue}m" if colour else f"\x1b[{style}m")
    return text.replace(_END, "\x1b[0m")


def plain(text: str) -> str:
    """``text`` with the markers removed (the words as dictated)."""
    return text.replace(_UNCERTAIN, "").replace(_CORRECTED, "").replace(_END, "")
