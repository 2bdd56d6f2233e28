"""A lossless dict form of drafts, for the store's rows and the review page's API.

Unlike the public JSON contract (``render.draft_to_json``), this keeps everything
a draft holds (sentence spans, roles, paragraph starts, segmenter id) so that a
draft read back equals the draft written. Plain data in, plain data out.
"""

from __future__ import annotations

from typing import Any

from .errors import DraftDataError
from .policy import ATTENDANCE
from .types import (
    Correction,
    Draft,
    DraftField,
    MeasureValue,
    Medication,
    Sentence,
    SessionInfo,
    UncertainWord,
    UnclosedPrivate,
)

CODEC_VERSION = 1


def sentence_to_dict(s: Sentence) -> dict[str, Any]:
    """Every attribute of a sentence."""
    return {
        "text": s.text,
        "origin": s.origin,
        "confidence": s.confidence,
        "span": list(s.span) if s.span else None,
        "role": s.role,
        "paragraph": s.paragraph,
        "uncertain": [w.to_dict() for w in s.uncertain],
        "corrections": [c.to_dict() for c in s.corrections],
        "goals": list(s.goals),
    }


def session_to_dict(info: SessionInfo) -> dict[str, Any]:
    """Session facts; the same shape as the JSON contract's metadata."""
    return info.to_dict()


def draft_to_dict(draft: Draft) -> dict[str, Any]:
    """Every attribute of a draft (and its private companion), as JSON-able data."""
    return {
        "codec": CODEC_VERSION,
        "format": draft.format,
        "transcript": draft.transcript,
        "segmenter": draft.segmenter,
        "session": session_to_dict(draft.session),
        "fields": [
            {"id": f.id, "label": f.label, "sentences": [sentence_to_dict(s) for s in f.sentences]}
            for f in draft.fields
        ],
        "private": draft_to_dict(draft.private) if draft.private is not None else None,
        "unclosed_private": _unclosed_to_dict(draft.unclosed_private),
    }


def _unclosed_to_dict(unclosed: UnclosedPrivate | None) -> dict[str, Any] | None:
    if unclosed is None:
        return None
    return {"sentences": unclosed.sentences, "headers": list(unclosed.headers)}


def _unclosed(raw: Any) -> UnclosedPrivate | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("sentences"), int):
        raise DraftDataError("'unclosed_private' must be an object with a 'sentences' count")
    headers = raw.get("headers") or []
    if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
        raise DraftDataError("'unclosed_private' headers must be a list of field ids")
    return UnclosedPrivate(raw["sentences"], tuple(headers))


def _sentence(raw: Any) -> Sentence:
    if isinstance(raw, str):
        raw = {"text": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise DraftDataError(f"a sentence must be an object with a 'text' string, got {raw!r:.80}")
    origin = raw.get("origin", "inferred")
    if origin not in ("spoken_header", "inferred", "edited"):
        raise DraftDataError(f"sentence origin must be spoken_header or inferred, got {origin!r}")
    span = raw.get("span")
    return Sentence(
        text=raw["text"],
        origin="spoken_header" if origin == "spoken_header" else "inferred",
        confidence=float(raw.get("confidence", 1.0)),
        span=(int(span[0]), int(span[1])) if span else None,
        role=raw.get("role"),
        paragraph=bool(raw.get("paragraph", False)),
        uncertain=tuple(_uncertain(w, raw["text"]) for w in _list(raw, "uncertain")),
        corrections=tuple(_correction(c, raw["text"]) for c in _list(raw, "corrections")),
        goals=_goals(raw.get("goals")),
    )


def _goals(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(g, str) and g.strip() for g in raw):
        raise DraftDataError("a sentence's 'goals' must be a list of goal ids")
    return tuple(dict.fromkeys(g.strip() for g in raw))


def _list(raw: dict[str, Any], key: str) -> list[Any]:
    value = raw.get(key) or []
    if not isinstance(value, list):
        raise DraftDataError(f"a sentence's {key!r} must be a list")
    return value


def _offsets(raw: Any, text: str, what: str, keys: tuple[str, ...]) -> tuple[int, int]:
    """A mark's start and end, checked to lie in its sentence; its other keys checked to be strings."""
    if not isinstance(raw, dict) or any(not isinstance(raw.get(k), str) for k in keys):
        raise DraftDataError(f"{what} must be an object with {', '.join(repr(k) for k in keys)} strings")
    start, end = raw.get("start"), raw.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
        raise DraftDataError(f"{what} must have a start and end inside its sentence")
    return start, end


def _uncertain(raw: Any, text: str) -> UncertainWord:
    start, end = _offsets(raw, text, "an uncertain word", ("text",))
    probability = raw.get("probability")
    if not isinstance(probability, (int, float)) or not 0.0 <= probability <= 1.0:
        raise DraftDataError("an uncertain word's probability must be a number from 0 to 1")
    return UncertainWord(start, end, raw["text"], float(probability))


def _correction(raw: Any, text: str) -> Correction:
    start, end = _offsets(raw, text, "a correction", ("original", "replacement", "reason"))
    return Correction(start, end, raw["original"], raw["replacement"], raw["reason"])


def session_from_dict(raw: Any) -> SessionInfo:
    """Session facts from the metadata shape; unknown keys are refused by name."""
    if raw is None:
        return SessionInfo()
    if not isinstance(raw, dict):
        raise DraftDataError("session facts must be an object")
    allowed = {
        "client",
        "client_id",
        "time",
        "attendance",
        "attendance_reason",
        "date",
        "duration_minutes",
        "modality",
        "service_type",
        "measures",
        "medications",
        "risk",
    }
    unknown = sorted(set(raw) - allowed - {"segmenter"})
    if unknown:
        raise DraftDataError(f"unknown session fact {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")
    try:
        duration = raw.get("duration_minutes")
        return SessionInfo(
            client=_opt_str(raw.get("client")),
            date=_opt_str(raw.get("date")),
            duration_minutes=int(duration) if duration not in (None, "") else None,
            modality=_opt_str(raw.get("modality")),
            service_type=_opt_str(raw.get("service_type")),
            measures=tuple(
                MeasureValue(
                    name=str(m["name"]),
                    to=int(m["to"]),
                    from_=int(m["from"]) if m.get("from") is not None else None,
                )
                for m in raw.get("measures") or ()
            ),
            medications=tuple(
                Medication(name=str(m["name"]), dose=_opt_str(m.get("dose")))
                for m in raw.get("medications") or ()
            ),
            risk=tuple(str(r) for r in raw.get("risk") or ()),
            client_id=_opt_str(raw.get("client_id")),
            time=_opt_str(raw.get("time")),
            attendance=_attendance(raw.get("attendance")),
            attendance_reason=_opt_str(raw.get("attendance_reason")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DraftDataError(f"session facts are malformed: {exc}") from exc


def _attendance(value: Any) -> str | None:
    chosen = _opt_str(value)
    if chosen is not None and chosen not in ATTENDANCE:
        raise DraftDataError(f"attendance {chosen!r} is not one of: {', '.join(ATTENDANCE)}")
    return chosen


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def draft_from_dict(raw: Any) -> Draft:
    """The draft ``draft_to_dict`` wrote (or the review page sent back)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("format"), str):
        raise DraftDataError("a draft must be an object with a 'format'")
    fields_raw = raw.get("fields")
    if not isinstance(fields_raw, list):
        raise DraftDataError("a draft's 'fields' must be a list")
    fields = []
    for f in fields_raw:
        if not isinstance(f, dict) or not isinstance(f.get("id"), str):
            raise DraftDataError("each field must be an object with an 'id'")
        fields.append(
            DraftField(
                id=f["id"],
                label=str(f.get("label", f["id"])),
                sentences=tuple(_sentence(s) for s in f.get("sentences") or ()),
            )
        )
    private = raw.get("private")
    return Draft(
        format=raw["format"],
        transcript=str(raw.get("transcript", "")),
        fields=tuple(fields),
        session=session_from_dict(raw.get("session")),
        segmenter=str(raw.get("segmenter", "")),
        private=draft_from_dict(private) if private else None,
        unclosed_private=_unclosed(raw.get("unclosed_private")),
    )
