"""A draft as plain text for ``$EDITOR``, and that text read back into the draft's fields.

Headings (``## Label``) name the fields; the text under each becomes its
sentences. Text left as written comes back as it was, byte for byte; sentences
whose text is unchanged keep how they were placed (origin, confidence, role);
new or reworded text counts as the clinician's own (confidence 1.0), keeping
the word marks still on unchanged words, and is split at sentence ends as the
segmenter splits (``segment.ends_sentence``: never after "Dr." or "J.T.").
Session facts are ``key: value`` lines under ``## Session``.
Plain data in and out; knows nothing of files, editors or the store.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import replace

from ..core.codec import session_from_dict
from ..core.errors import DraftDataError
from ..core.types import Draft, DraftField, NoteFormat, Sentence
from ..segment import ends_sentence
from .marks import closest, follow_edit

SESSION_HEADING = "Session"
SESSION_KEYS = ("client", "date", "duration_minutes", "modality", "service_type")
_HEADING = re.compile(r"^##\s+(.+?)\s*$")
# A sentence ends at . ! or ? (optionally closing a quote) followed by space and a capital, digit or quote.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"\u201d]))\s+(?=[\"\u201cA-Z0-9])")
# A sentence's end mark, closing quotes or brackets after it; and the spaces between words.
_END_MARK = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")
_GAP = re.compile(r" +")
_BLANK = " \t"  # what the format's layout adds around text; anything else is the text's own
# The comment ``editable_text`` opens with (one elsewhere is the note's text: "<!--" can be dictated).
_PREAMBLE = re.compile(r"\A\s*<!--.*?-->", re.S)


def editable_text(draft: Draft, fmt: NoteFormat, title: str | None) -> str:
    """The draft as text to edit: a comment header (for $EDITOR; none without a ``title``, as in a
    form on the page), one heading per field, then session facts."""
    lines = (
        [
            f"<!-- {title}",
            "     Edit the text under each heading; move a sentence by cutting and pasting it under",
            "     another heading. Keep every heading. A blank line starts a new paragraph.",
            "     Save and close the editor to store the change; leave it unchanged to cancel. -->",
            "",
        ]
        if title is not None
        else []
    )
    for field in draft.fields:
        lines += [f"## {field.label}", "", "\n\n".join(field.paragraphs), ""]
    lines += [f"## {SESSION_HEADING}", ""]
    facts = draft.session.to_dict()
    for key in SESSION_KEYS:
        value = facts[key]
        lines.append(f"{key}: {'' if value is None else value}")
    return "\n".join(lines).rstrip() + "\n"


def _sections(text: str, fmt: NoteFormat) -> dict[str, list[str]]:
    by_name = {spec.label.lower(): spec.id for spec in fmt.fields}
    by_name.update({spec.id.lower(): spec.id for spec in fmt.fields})
    by_name[SESSION_HEADING.lower()] = SESSION_HEADING
    text = _PREAMBLE.sub("", text, count=1)
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for number, line in enumerate(_lines(text), start=1):
        heading = _HEADING.match(line)
        if heading:
            name = heading.group(1).strip().rstrip(":").lower()
            if name not in by_name:
                allowed = ", ".join(spec.label for spec in fmt.fields)
                raise DraftDataError(
                    f"line {number}: unknown heading '## {heading.group(1)}'; the {fmt.label} headings are "
                    f"{allowed}, {SESSION_HEADING}"
                )
            current = by_name[name]
            if current in sections:
                raise DraftDataError(f"line {number}: heading '## {heading.group(1)}' appears twice")
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
        elif line.strip():
            raise DraftDataError(f"line {number}: text before the first heading; put it under a heading")
    missing = [spec.label for spec in fmt.fields if spec.id not in sections]
    if missing:
        raise DraftDataError(
            f"heading '## {missing[0]}' is missing; keep every heading (leave the text under it empty "
            "to empty the field)"
        )
    return sections


def _lines(text: str) -> list[str]:
    """Lines as an editor writes them: only a newline ends one (a sentence may hold U+2028)."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def _paragraphs(lines: list[str]) -> list[str]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip(_BLANK):
            blocks[-1].append(line.strip(_BLANK))
        elif blocks[-1]:
            blocks.append([])
    return [" ".join(b) for b in blocks if b]


def _closes(paragraph: str, stop: int, start: int) -> bool:
    """Whether a sentence may end at ``paragraph[:stop]``, before the word at ``start``."""
    if stop >= len(paragraph):
        return True
    mark = _END_MARK.search(paragraph, max(0, stop - 8), stop)  # the word's last characters only
    return mark is not None and ends_sentence(paragraph, stop, start)


def _split_typed(chunk: str) -> list[str]:
    """Text the clinician typed, split where a sentence ends (never after "Dr.", "J.T.", "p.r.n." …)."""
    parts, pos = [], 0
    for gap in _SENTENCE_END.finditer(chunk):
        if ends_sentence(chunk, gap.start(), gap.end()):
            parts.append(chunk[pos : gap.start()])
            pos = gap.end()
    parts.append(chunk[pos:])
    return [p.strip() for p in parts if p.strip()]


# A place in a paragraph: (word number, whether typed text may start there).
_Place = tuple[int, bool]


def _split(paragraph: str, known: Collection[str]) -> list[str]:
    """The paragraph's sentences: dictated ones (``known``) found whole, typed text split between them.

    A shortest path over word starts that leaves the fewest characters to the
    splitter (then finds the most dictated sentences); typed text meets a dictated
    sentence only where a sentence ends, so "Mood low" is not found in "Mood low and flat."
    """
    starts = [0, *(m.end() for m in _GAP.finditer(paragraph)), len(paragraph)]
    stops = [0, *(m.start() for m in _GAP.finditer(paragraph)), len(paragraph)]
    last = len(starts) - 1
    word_at_stop = {stop: k for k, stop in enumerate(stops) if k}
    closes = [_closes(paragraph, stops[k], starts[k]) for k in range(last + 1)]
    by_word: dict[str, list[str]] = {}
    for text in known:
        by_word.setdefault(text.split(" ", 1)[0], []).append(text)
    # place -> ((typed characters, -dictated sentences), the place before, the dictated sentence or None)
    best: dict[_Place, tuple[tuple[int, int], _Place | None, str | None]] = {(0, True): ((0, 0), None, None)}

    def offer(place: _Place, cost: tuple[int, int], back: _Place, piece: str | None) -> None:
        if place not in best or cost < best[place][0]:
            best[place] = (cost, back, piece)

    for k in range(last):
        for free in (True, False):
            if (k, free) not in best:
                continue
            (typed, found), _, _ = best[(k, free)]
            for text in by_word.get(paragraph[starts[k] : stops[k + 1]], ()):
                end = word_at_stop.get(starts[k] + len(text))
                if end is not None and paragraph.startswith(text, starts[k]):
                    offer((end, closes[end]), (typed, found - 1), (k, free), text)
            for end in range(k + 1, last + 1) if free else ():
                if closes[end]:
                    offer((end, False), (typed + stops[end] - starts[k], found), (k, free), None)
    place = min((p for p in ((last, True), (last, False)) if p in best), key=lambda p: best[p][0])
    out: list[str] = []
    while (back := best[place][1]) is not None:
        piece = best[place][2]
        out[:0] = [piece] if piece is not None else _split_typed(paragraph[starts[back[0]] : stops[place[0]]])
        place = back
    return out


def _session(lines: list[str], draft: Draft) -> dict[str, object]:
    facts = dict(draft.session.to_dict())
    written = {f"{key}: {'' if facts[key] is None else facts[key]}" for key in SESSION_KEYS}
    for line in lines:
        if not line.strip() or line in written:
            continue  # a fact left as it was written stays as stored
        key, sep, value = line.partition(":")
        key = key.strip().lower().replace(" ", "_")
        if not sep or key not in SESSION_KEYS:
            raise DraftDataError(
                f"session line {line.strip()!r:.60}: use 'key: value' with a key among "
                f"{', '.join(SESSION_KEYS)}"
            )
        facts[key] = value.strip() or None
    return facts


def _pieces(lines: list[str], known: Collection[str]) -> list[tuple[bool, str]]:
    """(starts a paragraph, sentence text) for the lines under an edited heading."""
    return [
        (p > 0 and i == 0, piece)
        for p, paragraph in enumerate(_paragraphs(lines))
        for i, piece in enumerate(_split(paragraph, known))
    ]


def parse_edited(text: str, draft: Draft, fmt: NoteFormat) -> Draft:
    """The edited text read back into ``draft``'s fields (same format).

    A field whose text is as it was written keeps its sentences as they were. In
    an edited one, dictated sentences are found whole and keep their placement and
    marks; typed text is split where a sentence ends (titles, initials and the
    abbreviations of abbreviations.toml kept whole). A reworded sentence takes the
    word marks of the dictated sentence it most resembles that still point at
    unchanged words (``marks.follow_edit``).
    """
    sections = _sections(text, fmt)
    stored = {spec.id: DraftField(spec.id, spec.label) for spec in fmt.fields}
    stored.update({f.id: f for f in draft.fields})
    edited = [spec.id for spec in fmt.fields if _trimmed(sections[spec.id]) != _written(stored[spec.id])]
    known: dict[str, list[Sentence]] = {}
    for field_id in edited:
        for s in stored[field_id].sentences:
            known.setdefault(s.text, []).append(s)
    pieces = {field_id: _pieces(sections[field_id], known) for field_id in edited}
    found = {
        (field_id, n): known[piece].pop(0)
        for field_id, items in pieces.items()
        for n, (_, piece) in enumerate(items)
        if known.get(piece)
    }
    unused = [s for group in known.values() for s in group]
    fields = []
    for spec in fmt.fields:
        sentences = stored[spec.id].sentences
        if spec.id in pieces:
            bases = [found.get((spec.id, n)) for n in range(len(pieces[spec.id]))]
            sentences = tuple(_read_back(pieces[spec.id], bases, unused))
        fields.append(DraftField(spec.id, spec.label, sentences))
    session = session_from_dict(_session(sections.get(SESSION_HEADING, []), draft))
    return replace(draft, fields=tuple(fields), session=session)


def _written(field: DraftField) -> list[str]:
    """The lines ``editable_text`` wrote under a field's heading (without the blank lines around them)."""
    return _trimmed(_lines("\n\n".join(field.paragraphs)))


def _trimmed(lines: list[str]) -> list[str]:
    kept = [n for n, line in enumerate(lines) if line.strip(_BLANK)]
    return lines[kept[0] : kept[-1] + 1] if kept else []


def _read_back(
    pieces: list[tuple[bool, str]], found: list[Sentence | None], unused: list[Sentence]
) -> Iterator[Sentence]:
    """An edited field's sentences: the dictated ones found, the others the clinician's (``_reworded``)."""
    for n, ((starts_paragraph, piece), base) in enumerate(zip(pieces, found, strict=True)):
        if base is None:
            yield replace(_reworded(piece, unused), paragraph=starts_paragraph)
        else:  # a field's first sentence keeps its paragraph mark: the text cannot show it
            yield replace(base, paragraph=starts_paragraph or (n == 0 and base.paragraph))


def _reworded(piece: str, unused: list[Sentence]) -> Sentence:
    """A new or reworded sentence: the clinician's own, with the marks of the one it rewords."""
    own = Sentence(text=piece, origin="inferred", confidence=1.0)
    was = closest(piece, [s for s in unused if s.uncertain or s.corrections])
    if was is None:
        return own
    unused.remove(was)
    kept = follow_edit(was, piece)
    return replace(own, uncertain=kept.uncertain, corrections=kept.corrections)
