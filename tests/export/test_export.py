"""Export of signed notes: plain text, Markdown, FHIR R4 validated with fhir.resources, the command, the clipboard."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from dictanote.core.config import Config
from dictanote.core.errors import FormatFileError, RecordNotFoundError
from dictanote.core.formats import load_format
from dictanote.core.types import Amendment, Draft, DraftField, Note, NoteFormat, Sentence, SessionInfo
from dictanote.export import export_note
from dictanote.export.codes import load_codes, loinc_code_valid
from dictanote.export.fhir import FhirOptions, document_bundle, narrative
from dictanote.export.text import client_initials
from dictanote.store import Store
from tests.util import run_cli

XHTML = "{http://www.w3.org/1999/xhtml}"
FORMATS = ("soap", "dap", "birp", "girp", "pie", "progress", "psychotherapy")
SIGNED_AT = "2025-03-04T16:05:00Z"
AMENDED_AT = "2025-03-05T09:30:00Z"
# SOAP codes the brief names; the rest come from templates/rules/fhir.toml.
SOAP_CODES = {"subjective": "61150-9", "objective": "61149-1", "assessment": "51848-0", "plan": "18776-5"}


def _sentence_for(field_id: str) -> str:
    return f"The clinician wrote about {field_id.replace('_', ' ')} here."


def _draft(fmt: NoteFormat, empty: tuple[str, ...] = (), **texts: str) -> Draft:
    fields = tuple(
        DraftField(
            spec.id,
            spec.label,
            ()
            if spec.id in empty
            else (Sentence(texts.get(spec.id, _sentence_for(spec.id)), "spoken_header", 0.95),),
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


def _note(draft: Draft, *, record: str = "clinical", amendments: tuple[Amendment, ...] = ()) -> Note:
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


def _format(config: Config, format_id: str) -> NoteFormat:
    return load_format(format_id, config.paths)


def _export_json(note: Note, kind: str, config: Config) -> dict[str, Any]:
    private = note.record == "private"
    data: dict[str, Any] = json.loads(export_note(note, kind, config, private=private).text)  # type: ignore[arg-type]
    return data


def _div(narrative_: dict[str, Any]) -> ET.Element:
    """The narrative's XHTML, parsed: it must be well-formed, namespaced, non-empty."""
    assert narrative_["status"] in ("generated", "additional")
    root = ET.fromstring(narrative_["div"])
    assert root.tag == f"{XHTML}div"
    assert "".join(root.itertext()).strip()
    return root


def _paragraphs(section: dict[str, Any]) -> list[str]:
    return ["".join(p.itertext()) for p in _div(section["text"]).iter(f"{XHTML}p")]


def _assert_valid_document(data: dict[str, Any]) -> dict[str, Any]:
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
    _div(composition["text"])
    for section in composition["section"]:
        # cmp-1 (R4: text, entries or sections; R5 adds emptyReason) and cmp-2.
        assert section.get("text") or section.get("entry") or section.get("section")
        assert "entry" not in section or "emptyReason" not in section
        _div(section["text"])
    patient = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Patient")
    assert set(patient) <= {"resourceType", "id", "name"}  # initials at most, nothing else about the client
    return composition


# --- the codes file -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("11506-3", True),
        ("61150-9", True),
        ("61149-1", True),
        ("51848-0", True),
        ("18776-5", True),
        ("62387-6", True),
        ("61150-8", False),  # wrong check digit
        ("6115-09", False),
        ("61150", False),
        ("abc-1", False),
    ],
)
def test_export_loinc_check_digit(code: str, valid: bool) -> None:
    assert loinc_code_valid(code) is valid


def test_export_codes_ship_valid_loinc_for_soap() -> None:
    codes = load_codes()
    assert codes.document.code == "11506-3"
    assert {k: codes.sections[k].code for k in SOAP_CODES} == SOAP_CODES
    assert all(loinc_code_valid(c.code) for c in codes.sections.values())


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[document]\ncode = "11506-3"\ndisplay = "Progress note"\nsystm = "x"\n', "unknown key 'systm'"),
        ('[document]\ncode = "11506-4"\ndisplay = "Progress note"\n', "check digit"),
        ('[sections.plan]\ncode = "18776-5"\ndisplay = "Plan"\n', "missing the [document] table"),
        (
            '[document]\ncode = "11506-3"\ndisplay = "P"\n[sections.Plan]\ncode = "18776-5"\ndisplay = "P"\n',
            "not a field id",
        ),
        ('[document]\ncode = "11506-3"\ndisplay = ""\n', "'display' must be a non-empty string"),
        ('[document]\ncode = "11506-3"\ndisplay = "P"\n[extra]\n', "unknown key 'extra'"),
        ("[document\n", "not valid TOML"),
    ],
)
def test_export_codes_file_is_validated_on_load(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "fhir.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(FormatFileError, match=re.escape(message)) as err:
        load_codes(path)
    assert str(path) in str(err.value)


# --- FHIR: every format ---------------------------------------------------------------


@pytest.mark.parametrize("format_id", FORMATS)
def test_export_bundle_is_a_valid_document_for_every_format(config: Config, format_id: str) -> None:
    fmt = _format(config, format_id)
    record = "private" if format_id == "psychotherapy" else "clinical"
    composition = _assert_valid_document(_export_json(_note(_draft(fmt), record=record), "fhir", config))
    assert composition["status"] == "final"
    assert composition["title"] == fmt.label
    assert composition["author"][0]["display"] == "Dr. Ada Lind"
    assert composition["attester"][0]["time"] == SIGNED_AT
    assert composition["subject"]["display"] == "R.T."
    assert composition["event"][0]["period"]["start"] == "2025-03-04"
    assert [s["title"] for s in composition["section"]] == [f.label for f in fmt.fields]
    codes = load_codes()
    for spec, section in zip(fmt.fields, composition["section"], strict=True):
        expected = codes.section(spec.id)
        if expected is None:
            assert "code" not in section
        else:
            assert section["code"]["coding"][0] == {
                "system": "http://loinc.org",
                "code": expected.code,
                "display": expected.display,
            }
        assert _paragraphs(section) == [_sentence_for(spec.id)]
        assert section["text"]["status"] == "additional"  # the clinician's words, not generated
    assert ("confidentiality" in composition) is (record == "private")


def test_export_soap_sections_carry_the_loinc_codes(config: Config) -> None:
    composition = _export_json(_note(_draft(_format(config, "soap"))), "fhir", config)["entry"][0]["resource"]
    assert [s["code"]["coding"][0]["code"] for s in composition["section"]] == list(SOAP_CODES.values())


@pytest.mark.parametrize("format_id", FORMATS)
def test_export_document_reference_is_valid_for_every_format(config: Config, format_id: str) -> None:
    from fhir.resources.R4B.documentreference import DocumentReference

    fmt = _format(config, format_id)
    record = "private" if format_id == "psychotherapy" else "clinical"
    note = _note(_draft(fmt), record=record)
    data = _export_json(note, "fhir-docref", config)
    DocumentReference.model_validate(data)
    assert (data["status"], data["docStatus"]) == ("current", "final")
    attachment = data["content"][0]["attachment"]
    assert attachment["contentType"].startswith("text/markdown")
    raw = base64.b64decode(attachment["data"])
    assert attachment["size"] == len(raw)
    assert base64.b64decode(attachment["hash"]) == hashlib.sha1(raw).digest()
    markdown = raw.decode("utf-8")
    assert markdown == export_note(note, "markdown", config, private=record == "private").text
    assert all(f"## {spec.label}" in markdown for spec in fmt.fields)
    assert data["subject"] == {"type": "Patient", "display": "R.T."}


def test_export_sections_follow_the_format_order(config: Config) -> None:
    fmt = _format(config, "birp")
    draft = _draft(fmt)
    shuffled = replace(draft, fields=tuple(reversed(draft.fields)))
    composition = _export_json(_note(shuffled), "fhir", config)["entry"][0]["resource"]
    assert [s["title"] for s in composition["section"]] == [f.label for f in fmt.fields]


@pytest.mark.parametrize("format_id", ["soap", "progress"])
def test_export_empty_fields_get_an_empty_reason(config: Config, format_id: str) -> None:
    fmt = _format(config, format_id)
    empty = (fmt.fields[1].id, fmt.fields[-1].id)
    composition = _assert_valid_document(_export_json(_note(_draft(fmt, empty)), "fhir", config))
    for spec, section in zip(fmt.fields, composition["section"], strict=True):
        if spec.id in empty:
            assert section["emptyReason"]["coding"][0]["code"] == "notasked"
            assert _paragraphs(section) == ["Nothing dictated."]
        else:
            assert "emptyReason" not in section


@pytest.mark.parametrize(
    "text",
    [
        "Client said <script>alert(1)</script> was a joke.",
        "Scores went from 14 to <10 & sleep improved.",
        'She called it "the <fog>" & then laughed.',
        "A stray control\x0b character and a ]]> marker.",
        "Résumé of the week, naïve café talk, 😊.",
    ],
)
def test_export_narrative_escapes_markup(config: Config, text: str) -> None:
    fmt = _format(config, "soap")
    note = _note(_draft(fmt, subjective=text))
    composition = _assert_valid_document(_export_json(note, "fhir", config))
    div = composition["section"][0]["text"]["div"]
    assert "<script>" not in div and "<fog>" not in div
    assert _paragraphs(composition["section"][0]) == [text.replace("\x0b", "")]


def test_export_narrative_of_nothing_is_still_well_formed() -> None:
    assert "".join(ET.fromstring(narrative(["  "])["div"]).itertext()) == "Nothing dictated."


# --- amended notes --------------------------------------------------------------------


def _amended(config: Config) -> Note:
    fmt = _format(config, "soap")
    original = _draft(fmt, plan="Meet again in two weeks.")
    amended = _draft(fmt, plan="Meet again next week & call on Friday.")
    return _note(
        original,
        amendments=(Amendment(AMENDED_AT, "Plan <changed> after a call", "Dr. Ada Lind", amended),),
    )


def test_export_amended_note_is_marked_amended(config: Config) -> None:
    note = _amended(config)
    composition = _assert_valid_document(_export_json(note, "fhir", config))
    assert composition["status"] == "amended"
    assert composition["date"] == AMENDED_AT
    assert composition["attester"][0]["time"] == SIGNED_AT
    assert _paragraphs(composition["section"][-1]) == ["Meet again next week & call on Friday."]
    notice = " ".join(composition["text"]["div"] and ET.fromstring(composition["text"]["div"]).itertext())
    assert "Amended by Dr. Ada Lind on 2025-03-05 09:30 UTC: Plan <changed> after a call" in notice
    docref = _export_json(note, "fhir-docref", config)
    assert docref["docStatus"] == "amended"
    for kind in ("text", "markdown"):
        out = export_note(note, kind, config).text
        assert "Meet again next week & call on Friday." in out
        assert "two weeks" not in out
        assert "Plan <changed> after a call" in out


# --- text and Markdown ----------------------------------------------------------------


@pytest.mark.parametrize("format_id", FORMATS)
def test_export_plain_text_has_no_markdown(config: Config, format_id: str) -> None:
    fmt = _format(config, format_id)
    record = "private" if format_id == "psychotherapy" else "clinical"
    draft = _draft(fmt, empty=(fmt.fields[-1].id,))
    out = export_note(_note(draft, record=record), "text", config, private=record == "private").text
    assert out.splitlines()[0] == fmt.label
    for spec in fmt.fields[:-1]:
        assert f"{spec.label.upper()}\n{_sentence_for(spec.id)}" in out
    assert f"{fmt.fields[-1].label.upper()}\nNothing dictated." in out
    assert "Client: R.T.\nDate of service: 2025-03-04" in out
    assert out.rstrip().endswith("Signed by Dr. Ada Lind on 2025-03-04 16:05 UTC.")
    for syntax in ("#", "**", "_", "[?]", "---", "DRAFT"):
        assert syntax not in out, syntax


@pytest.mark.parametrize("format_id", FORMATS)
def test_export_markdown_is_the_signed_layout(config: Config, format_id: str) -> None:
    fmt = _format(config, format_id)
    record = "private" if format_id == "psychotherapy" else "clinical"
    draft = _draft(fmt)
    unsure = replace(draft.fields[0], sentences=(Sentence("Placed by content.", "inferred", 0.2),))
    draft = replace(draft, fields=(unsure, *draft.fields[1:]))
    out = export_note(_note(draft, record=record), "markdown", config, private=record == "private").text
    assert out.startswith(f"# {fmt.label}\n")
    assert "DRAFT" not in out and "[?]" not in out
    assert "Dr. Ada Lind" in out and "2025-03-04" in out
    assert [line[3:] for line in out.splitlines() if line.startswith("## ")] == [f.label for f in fmt.fields]


@pytest.mark.parametrize(
    ("given", "initials"),
    [
        ("R.T.", "R.T."),
        ("RT", "RT"),
        ("Rosa Tell", "R.T."),
        ("rosa maria tell", "R.M.T."),
        (None, None),
        ("", None),
    ],
)
def test_export_client_leaves_as_initials_only(given: str | None, initials: str | None) -> None:
    assert client_initials(given) == initials


def test_export_full_name_never_reaches_fhir(config: Config) -> None:
    fmt = _format(config, "soap")
    draft = replace(_draft(fmt), session=SessionInfo(client="Rosa Tell", date="2025-03-04"))
    for kind in ("fhir", "fhir-docref", "text"):
        assert "Rosa" not in export_note(_note(draft), kind, config).text  # type: ignore[arg-type]


def test_export_never_includes_the_private_companion(config: Config) -> None:
    fmt = _format(config, "soap")
    secret = _draft(_format(config, "psychotherapy"), reflections="Countertransference canary zebra.")
    note = _note(replace(_draft(fmt), private=secret))
    for kind in ("text", "markdown", "fhir", "fhir-docref"):
        text = export_note(note, kind, config).text  # type: ignore[arg-type]
        decoded = (
            text
            if kind != "fhir-docref"
            else base64.b64decode(json.loads(text)["content"][0]["attachment"]["data"]).decode()
        )
        assert "zebra" not in decoded, kind


@pytest.mark.parametrize("record", ["private", "clinical"])
def test_export_psychotherapy_needs_private(config: Config, record: str) -> None:
    note = _note(_draft(_format(config, "psychotherapy")), record=record)
    with pytest.raises(RecordNotFoundError, match="--private"):
        export_note(note, "text", config)
    assert export_note(note, "text", config, private=True).text


def test_export_survives_a_format_file_that_is_gone(config: Config) -> None:
    fmt = _format(config, "soap")
    note = _note(replace(_draft(fmt), format="agency_intake"))
    _assert_valid_document(_export_json(note, "fhir", config))
    assert "## Subjective" in export_note(note, "markdown", config).text


def test_export_bundle_is_reproducible_with_fixed_ids(config: Config) -> None:
    import datetime as dt
    import itertools

    fmt = _format(config, "soap")

    def options() -> FhirOptions:
        counter = itertools.count()
        return FhirOptions(
            now=dt.datetime(2025, 3, 4, 17, 0, tzinfo=dt.timezone.utc),
            new_id=lambda: f"00000000-0000-4000-8000-{next(counter):012d}",
        )

    codes = load_codes()
    first = document_bundle(_note(_draft(fmt)), fmt, codes, options())
    assert first == document_bundle(_note(_draft(fmt)), fmt, codes, options())
    assert first["timestamp"] == "2025-03-04T17:00:00Z"


# --- the command, on a real store -----------------------------------------------------


def _finalized(config: Config, draft: Draft) -> int:
    """Save ``draft`` in the user's store and sign it; the note's id."""
    with Store.open(config.paths.data_dir) as store:
        stored = store.save_draft(draft)
        note = store.finalize_draft(
            stored.id, expected_version=None, signed_by="Dr. Ada Lind", private=stored.record == "private"
        )
    return note.id


def _command(*args: str) -> list[str]:
    """The argv of ``dictanote notes export ARGS``."""
    return [str(Path(sys.executable).parent / "dictanote"), "notes", "export", *args]


def dictanote(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``dictanote notes export ARGS`` as a user types it, in a child process."""
    return run_cli("notes", "export", *args, env=env)


@pytest.fixture
def soap_note(config: Config) -> int:
    """A signed SOAP note in the user's store."""
    return _finalized(config, _draft(_format(config, "soap"), subjective="Slept through most nights."))


def test_export_command_prints_and_audits(config: Config, soap_note: int) -> None:
    done = dictanote(str(soap_note), "--as", "text")
    assert done.returncode == 0, done.stderr
    assert "SUBJECTIVE\nSlept through most nights." in done.stdout
    assert "Slept" not in done.stderr
    with Store.open(config.paths.data_dir) as store:
        exported = [e for e in store.audit_entries() if e.action == "exported"]
    assert [(e.object_id, e.detail.get("kind")) for e in exported] == [(soap_note, "text")]
    assert "Slept" not in json.dumps([vars(e) for e in exported])


def test_export_command_writes_an_owner_only_fhir_file(
    config: Config, soap_note: int, tmp_path: Path
) -> None:
    from fhir.resources.R4B.bundle import Bundle

    target = tmp_path / "note.json"
    done = dictanote(str(soap_note), "--as", "fhir", "--output", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    data = json.loads(target.read_text(encoding="utf-8"))
    Bundle.model_validate(data)
    assert "Slept through most nights." in data["entry"][0]["resource"]["section"][0]["text"]["div"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".note.json")] == []  # no temp left


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("999", "--as", "text"), "999"),
        (("1", "--as", "pdf"), "pdf"),
        (("1", "--as", "text", "--restore-after", "2"), "--restore-after needs --copy"),
        (("1", "--as", "text", "--output", "/nonexistent/dir/x.txt"), "does not exist"),
        (("1", "--as", "text", "--copy", "--restore-after", "0"), "restore-after"),
    ],
)
def test_export_command_bad_input_is_one_line(
    config: Config, soap_note: int, args: tuple[str, ...], message: str
) -> None:
    done = dictanote(*args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert message in done.stderr
    assert done.stdout == ""


def test_export_command_psychotherapy_note_needs_private(config: Config) -> None:
    note_id = _finalized(
        config, _draft(_format(config, "psychotherapy"), reflections="Canary walrus feeling.")
    )
    refused = dictanote(str(note_id), "--as", "markdown")
    assert refused.returncode == 2 and "walrus" not in refused.stdout + refused.stderr
    allowed = dictanote(str(note_id), "--as", "markdown", "--private")
    assert allowed.returncode == 0, allowed.stderr
    assert "Canary walrus feeling." in allowed.stdout


def test_export_command_without_a_clipboard_says_so(config: Config, soap_note: int, tmp_path: Path) -> None:
    env = {"DISPLAY": "", "WAYLAND_DISPLAY": ""}
    done = dictanote(str(soap_note), "--as", "text", "--copy", env=env)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no clipboard" in done.stderr
    assert done.stdout == ""
    with Store.open(config.paths.data_dir) as store:
        assert not [e for e in store.audit_entries() if e.action == "exported"]


# --- the clipboard, on a real X server ------------------------------------------------


def _x_env(display: str) -> dict[str, str]:
    return {"DISPLAY": display, "WAYLAND_DISPLAY": ""}


def _clip(display: str) -> str:
    done = subprocess.run(
        ["xclip", "-selection", "clipboard", "-out"],
        env={**os.environ, **_x_env(display)},
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    )
    return done.stdout if done.returncode == 0 else ""


def _set_clip(display: str, text: str) -> None:
    subprocess.run(
        ["xclip", "-selection", "clipboard", "-in"],
        input=text,
        env={**os.environ, **_x_env(display)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        timeout=5,
        check=True,
    )


def _spawn(display: str, *args: str) -> subprocess.Popen[str]:
    """``dictanote notes export ARGS`` running in the background, its stderr readable line by line."""
    return subprocess.Popen(
        _command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **_x_env(display)},
    )


def _wait_for_copy(proc: subprocess.Popen[str]) -> str:
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert "copied" in line, line + proc.stderr.read()
    return line


@pytest.mark.clipboard
def test_export_clipboard_copy_puts_the_note_there(config: Config, soap_note: int, xvfb: str) -> None:
    done = dictanote(str(soap_note), "--as", "markdown", "--copy", env=_x_env(xvfb))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # on the clipboard, not in the terminal
    assert "copied" in done.stderr and "Slept" not in done.stderr
    assert _clip(xvfb) == dictanote(str(soap_note), "--as", "markdown").stdout


@pytest.mark.clipboard
def test_export_clipboard_restores_the_previous_text(config: Config, soap_note: int, xvfb: str) -> None:
    _set_clip(xvfb, "what the clinician had copied before")
    proc = _spawn(xvfb, str(soap_note), "--as", "text", "--copy", "--restore-after", "1")
    _wait_for_copy(proc)
    assert "Slept through most nights." in _clip(xvfb)  # held while the command waits
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "previous clipboard restored" in err
    assert _clip(xvfb) == "what the clinician had copied before"


@pytest.mark.clipboard
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_export_clipboard_restores_when_interrupted(
    config: Config, soap_note: int, xvfb: str, sig: signal.Signals
) -> None:
    _set_clip(xvfb, "earlier words")
    proc = _spawn(xvfb, str(soap_note), "--as", "text", "--copy", "--restore-after", "60")
    _wait_for_copy(proc)
    started = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=20)
    assert time.monotonic() - started < 10
    assert proc.returncode == 130, err
    assert _clip(xvfb) == "earlier words"


@pytest.mark.clipboard
def test_export_clipboard_leaves_a_newer_copy_alone(config: Config, soap_note: int, xvfb: str) -> None:
    _set_clip(xvfb, "earlier words")
    proc = _spawn(xvfb, str(soap_note), "--as", "text", "--copy", "--restore-after", "1")
    _wait_for_copy(proc)
    _set_clip(xvfb, "copied by the user meanwhile")
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "left as it is" in err
    assert _clip(xvfb) == "copied by the user meanwhile"


@pytest.mark.clipboard
def test_export_clipboard_empty_before_is_cleared_after(config: Config, soap_note: int, xvfb: str) -> None:
    proc = _spawn(xvfb, str(soap_note), "--as", "text", "--copy", "--restore-after", "0.5")
    _wait_for_copy(proc)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "clipboard cleared" in err
    assert _clip(xvfb) == ""


def test_export_command_offers_every_kind() -> None:
    from dictanote.cli.export import export
    from dictanote.export import EXPORT_KINDS

    kind = next(p for p in export.params if p.name == "kind")
    assert tuple(kind.type.choices) == EXPORT_KINDS  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("session", "tools", "found"),
    [
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, ("wl-copy", "wl-paste", "xclip"), "wl-copy"),
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, ("xclip",), "xclip"),  # XWayland
        ({"DISPLAY": ":0"}, ("xclip", "xsel"), "xclip"),
        ({"DISPLAY": ":0"}, ("xsel",), "xsel"),
        ({"DISPLAY": ":0"}, (), "install xclip or xsel"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, ("wl-copy",), "install wl-clipboard"),
        ({}, ("xclip", "wl-copy", "wl-paste"), "no graphical session"),
    ],
)
def test_export_clipboard_tool_follows_the_session(
    tmp_path: Path, session: dict[str, str], tools: tuple[str, ...], found: str
) -> None:
    from dictanote.core.errors import ClipboardUnavailableError
    from dictanote.export.clipboard import find_clipboard

    for tool in tools:
        exe = tmp_path / tool
        exe.write_text("#!/bin/sh\n", encoding="utf-8")
        exe.chmod(0o700)
    environ = {"PATH": str(tmp_path), **session}
    if found.startswith(("install", "no ")):
        with pytest.raises(ClipboardUnavailableError, match=found):
            find_clipboard(environ)
    else:
        assert find_clipboard(environ).name == found
