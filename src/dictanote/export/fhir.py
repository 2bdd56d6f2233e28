"""A signed note as FHIR R4 JSON: a document Bundle around a Composition, or a DocumentReference.

Each amendment is one more Composition in the Bundle, with its own author, time and reason,
that ``appends`` to the note's.
Plain dicts built with the standard library (no FHIR library at run time). PHI is kept
to the minimum a receiving system needs: the client appears as initials only, the
clinician by the name they signed with. Reads a ``Note``; never changes it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.policy import ISO_DAY, format_utc, parse_utc
from ..core.types import DraftField, Note, NoteFormat
from ..render import amendment_view
from .codes import FhirCodes
from .text import NOTHING, client_initials, human_time, ordered_fields, session_lines, signature_lines

XHTML_NS = "http://www.w3.org/1999/xhtml"
EMPTY_REASON_SYSTEM = "http://terminology.hl7.org/CodeSystem/list-empty-reason"
CONFIDENTIALITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
# Characters XML 1.0 does not allow; a narrative holding one is not well-formed.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FhirOptions:
    """What varies between two exports of the same note: the time and the fresh ids."""

    now: dt.datetime | None = None
    new_id: Callable[[], str] = field(default=lambda: str(uuid.uuid4()))


def fhir_time(value: str | dt.datetime) -> str:
    """A FHIR ``instant``/``dateTime``: UTC, to the second, ``Z`` suffix."""
    return format_utc(parse_utc(value) if isinstance(value, str) else value)


def xhtml_text(text: str) -> str:
    """Text made safe inside an XHTML element: markup escaped, XML-invalid characters dropped."""
    return html.escape(_XML_INVALID.sub("", text), quote=False)


def narrative(paragraphs: list[str], status: str = "generated") -> dict[str, Any]:
    """A FHIR Narrative: one ``<p>`` per paragraph inside the XHTML ``div``.

    ``generated`` where the text is made from other elements (title, signature);
    ``additional`` where it is the clinician's own text, which no structured data holds.
    """
    body = "".join(f"<p>{xhtml_text(p)}</p>" for p in paragraphs if p.strip()) or f"<p>{NOTHING}</p>"
    return {"status": status, "div": f'<div xmlns="{XHTML_NS}">{body}</div>'}


@dataclass(frozen=True)
class _Parties:
    """The minimal Patient and Practitioner the Composition points at."""

    patient_url: str
    practitioner_url: str
    initials: str | None
    signed_by: str

    @property
    def subject(self) -> dict[str, Any]:
        ref: dict[str, Any] = {"reference": self.patient_url, "type": "Patient"}
        if self.initials:
            ref["display"] = self.initials
        return ref

    @property
    def author(self) -> dict[str, Any]:
        return {"reference": self.practitioner_url, "type": "Practitioner", "display": self.signed_by}

    def patient(self) -> dict[str, Any]:
        resource: dict[str, Any] = {"resourceType": "Patient", "id": self.patient_url.rsplit(":", 1)[-1]}
        if self.initials:
            resource["name"] = [{"text": self.initials}]
        return resource

    def practitioner(self) -> dict[str, Any]:
        return _practitioner(self.practitioner_url, self.signed_by)


def _practitioner(url: str, name: str) -> dict[str, Any]:
    return {"resourceType": "Practitioner", "id": url.rsplit(":", 1)[-1], "name": [{"text": name}]}


def _title(fmt: NoteFormat) -> str:
    return fmt.label


def _last_changed(note: Note) -> str:
    return note.amended_at or note.finalized_at


def _service_period(note: Note) -> dict[str, Any] | None:
    date = note.content.session.date
    return {"start": date, "end": date} if date and ISO_DAY.fullmatch(date) else None


def _sections(note: Note, fmt: NoteFormat, codes: FhirCodes) -> list[dict[str, Any]]:
    return _field_sections(ordered_fields(note.content, fmt), codes)


def _field_sections(fields: Sequence[DraftField], codes: FhirCodes) -> list[dict[str, Any]]:
    sections = []
    for f in fields:
        section: dict[str, Any] = {"title": f.label}
        coding = codes.section(f.id)
        if coding is not None:
            section["code"] = coding.to_fhir()
        paragraphs = [p for p in f.paragraphs if p.strip()]
        section["text"] = narrative(paragraphs, "additional")
        if not paragraphs:
            # R4 wants text on every section; emptyReason says why there is nothing in it.
            section["emptyReason"] = {
                "coding": [{"system": EMPTY_REASON_SYSTEM, "code": "notasked", "display": "Not Asked"}],
                "text": NOTHING,
            }
        sections.append(section)
    return sections


def composition(
    note: Note, fmt: NoteFormat, codes: FhirCodes, parties: _Parties, identifier: str
) -> dict[str, Any]:
    """The Composition of a signed note: status, type, subject, author, attester, one section per field."""
    resource: dict[str, Any] = {
        "resourceType": "Composition",
        "id": identifier,
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{identifier}"},
        "text": narrative([_title(fmt), *session_lines(note.content), *signature_lines(note)]),
        "status": "amended" if note.amendments else "final",
        "type": codes.document.to_fhir(),
        "subject": parties.subject,
        "date": fhir_time(_last_changed(note)),
        "author": [parties.author],
        "title": _title(fmt),
        "attester": [{"mode": "legal", "time": fhir_time(note.finalized_at), "party": parties.author}],
        "section": _sections(note, fmt, codes),
    }
    if note.record == "private":
        resource["confidentiality"] = "R"
    period = _service_period(note)
    if period:
        resource["event"] = [{"period": period}]
    return resource


@dataclass(frozen=True)
class _AmendmentRefs:
    """Where an amendment's Composition points: its subject and author, the note's Composition, its own id."""

    subject: dict[str, Any]
    author: dict[str, Any]
    note_url: str
    identifier: str


def amendment_composition(
    note: Note, index: int, fmt: NoteFormat, codes: FhirCodes, refs: _AmendmentRefs
) -> dict[str, Any]:
    """Amendment ``index`` as its own Composition that ``appends`` to the note's Composition.

    Its own author, time (``date`` and the legal attester's) and reason (in the narrative);
    one section per field the amendment changed, with that field's text as amended.
    """
    view = amendment_view(note, index)
    title = f"Amendment to {_title(fmt)}"
    changed = ", ".join(view["changed"]) or "nothing in the text"
    when = fhir_time(view["at"])
    notice = [
        title,
        f"Amended by {view['signed_by']} on {human_time(view['at'])}.",
        f"Reason: {view['reason']}",
        f"Changed: {changed}.",
    ]
    resource: dict[str, Any] = {
        "resourceType": "Composition",
        "id": refs.identifier,
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{refs.identifier}"},
        "text": narrative(notice),
        "status": "final",
        "type": codes.document.to_fhir(),
        "subject": refs.subject,
        "date": when,
        "author": [refs.author],
        "title": title,
        "attester": [{"mode": "legal", "time": when, "party": refs.author}],
        "relatesTo": [
            {"code": "appends", "targetReference": {"reference": refs.note_url, "type": "Composition"}}
        ],
    }
    fields = note.amended_fields(index)
    if fields:
        amended = replace(note.content, fields=fields)
        resource["section"] = _field_sections(ordered_fields(amended, fmt), codes)
    if note.record == "private":
        resource["confidentiality"] = "R"
    return resource


def _amendment_entries(
    note: Note, fmt: NoteFormat, codes: FhirCodes, parties: _Parties, note_url: str, opts: FhirOptions
) -> list[dict[str, Any]]:
    """A Composition per amendment, then a Practitioner for each amending author not yet in the document."""
    urls = {note.signed_by: parties.practitioner_url}
    compositions, practitioners = [], []
    for n, amendment in enumerate(note.amendments):
        who = amendment.signed_by
        if who not in urls:
            urls[who] = f"urn:uuid:{opts.new_id()}"
            practitioners.append({"fullUrl": urls[who], "resource": _practitioner(urls[who], who)})
        author = {"reference": urls[who], "type": "Practitioner", "display": who}
        refs = _AmendmentRefs(parties.subject, author, note_url, opts.new_id())
        resource = amendment_composition(note, n, fmt, codes, refs)
        compositions.append({"fullUrl": f"urn:uuid:{refs.identifier}", "resource": resource})
    return compositions + practitioners


def _parties(note: Note, options: FhirOptions) -> _Parties:
    return _Parties(
        patient_url=f"urn:uuid:{options.new_id()}",
        practitioner_url=f"urn:uuid:{options.new_id()}",
        initials=client_initials(note.content.session.client),
        signed_by=note.signed_by,
    )


def document_bundle(
    note: Note, fmt: NoteFormat, codes: FhirCodes, options: FhirOptions | None = None
) -> dict[str, Any]:
    """A FHIR R4 document: a Bundle whose first entry is the Composition, then Patient and Practitioner."""
    opts = options or FhirOptions()
    parties = _parties(note, opts)
    composition_id = opts.new_id()
    now = opts.now or dt.datetime.now(dt.timezone.utc)
    return {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{opts.new_id()}"},
        "type": "document",
        "timestamp": fhir_time(now),
        "entry": [
            {
                "fullUrl": f"urn:uuid:{composition_id}",
                "resource": composition(note, fmt, codes, parties, composition_id),
            },
            {"fullUrl": parties.patient_url, "resource": parties.patient()},
            {"fullUrl": parties.practitioner_url, "resource": parties.practitioner()},
            *_amendment_entries(note, fmt, codes, parties, f"urn:uuid:{composition_id}", opts),
        ],
    }


def document_reference(
    note: Note,
    fmt: NoteFormat,
    codes: FhirCodes,
    markdown: str,
    options: FhirOptions | None = None,
) -> dict[str, Any]:
    """A FHIR R4 DocumentReference carrying the rendered note inline as base64 Markdown."""
    opts = options or FhirOptions()
    data = markdown.encode("utf-8")
    initials = client_initials(note.content.session.client)
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": opts.new_id(),
        "status": "current",
        "docStatus": "amended" if note.amendments else "final",
        "type": codes.document.to_fhir(),
        "date": fhir_time(_last_changed(note)),
        "author": [{"display": note.signed_by}],
        "authenticator": {"display": note.signed_by},
        "description": _title(fmt),
        "content": [
            {
                "attachment": {
                    "contentType": "text/markdown; charset=utf-8",
                    "language": "en",
                    "data": base64.b64encode(data).decode("ascii"),
                    "size": len(data),
                    "hash": base64.b64encode(hashlib.sha1(data).digest()).decode("ascii"),
                    "title": _title(fmt),
                    "creation": fhir_time(note.finalized_at),
                }
            }
        ],
    }
    if initials:
        resource["subject"] = {"type": "Patient", "display": initials}
    if note.record == "private":
        resource["securityLabel"] = [
            {"coding": [{"system": CONFIDENTIALITY_SYSTEM, "code": "R", "display": "restricted"}]}
        ]
    period = _service_period(note)
    if period:
        resource["context"] = {"period": period}
    return resource
