"""Signed notes built by hand for the export tests, and helpers to read what an export holds.

Plain functions (no fixtures), shared by tests/export/ and tests/cli/test_export.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from dictanote.core.config import Config
from dictanote.core.formats import load_format
from dictanote.core.types import Amendment, Draft, DraftField, Note, NoteFormat, Sentence, SessionInfo
from dictanote.export import export_note
from dictanote.store import Store
from tests.util import run_cli, signable

XHTML = "{http://www.w3.org/1999/xhtml}"


FORMATS = ("soap", "dap", "birp", "girp", "pie", "progress", "psychotherapy")


SIGNED_AT = "2025-03-04T16:05:00Z"


AMENDED_AT = "2025-03-05T09:30:00Z"


SOAP_CODES = {"subjective": "61150-9", "objective": "61149-1", "assessment": "51848-0", "plan": "18776-5"}


def sentence_for(field_id: str) -> str:
    return f"The clinician wrote about {field_id.replace('_', ' ')} here."


def draft_in(fmt: NoteFormat, empty: tuple[str, ...] = (), **texts: str) -> Draft:
    fields = tuple(
        DraftField(
            spec.id,
            spec.label,
            ()
            if spec.id in empty
            else (Sentence(texts.get(spec.id, sentence_for(spec.id)), "spoken_header", 0.95),),
        )
        for spec in fmt.fields
    )
    return Draft(
        format=fmt.id,
        transcript="",
        fields=fields,
        session=SessionInfo(client="R.T.", date="2025-03-04", duration_minutes=50, modality="telehealth"),
        segmenter="test",
    )


def note_of(draft: Draft, *, record: str = "clinical", amendments: tuple[Amendment, ...] = ()) -> Note:
    return Note(
        id=7,
        record=record,  # type: ignore[arg-type]
        draft_id=3,
        original=draft,
        created_at="2025-03-04T15:00:00Z",
        finalized_at=SIGNED_AT,
        signed_by="Dr. Ada Lind",
        amendments=amendments,
    )


def format_of(config: Config, format_id: str) -> NoteFormat:
    return load_format(format_id, config.paths)


def export_json(note: Note, kind: str, config: Config) -> dict[str, Any]:
    private = note.record == "private"
    data: dict[str, Any] = json.loads(export_note(note, kind, config, private=private).text)  # type: ignore[arg-type]
    return data


def narrative_div(narrative_: dict[str, Any]) -> ET.Element:
    """The narrative's XHTML, parsed: it must be well-formed, namespaced, non-empty."""
    assert narrative_["status"] in ("generated", "additional")
    root = ET.fromstring(narrative_["div"])
    assert root.tag == f"{XHTML}div"
    assert "".join(root.itertext()).strip()
    return root


def section_paragraphs(section: dict[str, Any]) -> list[str]:
    return ["".join(p.itertext()) for p in narrative_div(section["text"]).iter(f"{XHTML}p")]


def assert_valid_document(data: dict[str, Any]) -> dict[str, Any]:
    """A FHIR R4 document Bundle: fhir.resources (R4B) accepts it and the rules it does not check hold."""
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(data)
    assert data["type"] == "document"
    assert data["identifier"]["value"].startswith("urn:uuid:")
    assert data["timestamp"].endswith("Z")
    composition = data["entry"][0]["resource"]
    assert composition["resourceType"] == "Composition"
    assert composition["status"] in ("final", "amended")
    urls = {entry["fullUrl"] for entry in data["entry"]}
    references = [composition["subject"], *composition["author"], composition["attester"][0]["party"]]
    assert all(ref["reference"] in urls for ref in references)  # every reference resolves in the document
    narrative_div(composition["text"])
    for section in composition["section"]:
        # cmp-1 (R4: text, entries or sections; R5 adds emptyReason) and cmp-2.
        assert section.get("text") or section.get("entry") or section.get("section")
        assert "entry" not in section or "emptyReason" not in section
        narrative_div(section["text"])
    patient = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Patient")
    assert set(patient) <= {"resourceType", "id", "name"}  # initials at most, nothing else about the client
    return composition


def amended_note(config: Config) -> Note:
    fmt = format_of(config, "soap")
    original = draft_in(fmt, plan="Meet again in two weeks.")
    amended = draft_in(fmt, plan="Meet again next week & call on Friday.")
    return note_of(
        original,
        amendments=(Amendment(AMENDED_AT, "Plan <changed> after a call", "Dr. Ada Lind", amended),),
    )


def finalize(config: Config, draft: Draft) -> int:
    """Save ``draft`` in the user's store and sign it; the note's id."""
    with Store.open(config.paths.data_dir) as store:
        stored = store.save_draft(signable(store, draft))
        note = store.finalize_draft(
            stored.id, expected_version=None, signed_by="Dr. Ada Lind", private=stored.record == "private"
        )
    return note.id


def export_argv(*args: str) -> list[str]:
    """The argv of ``dictanote notes export ARGS``."""
    return [str(Path(sys.executable).parent / "dictanote"), "notes", "export", *args]


def run_export(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``dictanote notes export ARGS`` as a user types it, in a child process."""
    return run_cli("notes", "export", *args, env=env)
