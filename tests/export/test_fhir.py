"""FHIR R4 export, validated with fhir.resources: every format, codes, order, narrative, amendments."""

from __future__ import annotations

import base64
import hashlib
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from dictanote.core.config import Config
from dictanote.core.types import Amendment, SessionInfo
from dictanote.export import export_note
from dictanote.export.codes import load_codes
from dictanote.export.fhir import FhirOptions, document_bundle, narrative
from tests.export.notes import (
    AMENDED_AT,
    FORMATS,
    SIGNED_AT,
    SOAP_CODES,
    amended_note,
    assert_valid_document,
    draft_in,
    export_json,
    format_of,
    note_of,
    section_paragraphs,
    sentence_for,
)


@pytest.mark.parametrize("format_id", FORMATS)
def test_fhir_bundle_is_a_valid_document_for_every_format(config: Config, format_id: str) -> None:
    fmt = format_of(config, format_id)
    record = "private" if format_id == "psychotherapy" else "clinical"
    composition = assert_valid_document(export_json(note_of(draft_in(fmt), record=record), "fhir", config))
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
        assert section_paragraphs(section) == [sentence_for(spec.id)]
        assert section["text"]["status"] == "additional"  # the clinician's words, not generated
    assert ("confidentiality" in composition) is (record == "private")


def test_fhir_soap_sections_carry_the_loinc_codes(config: Config) -> None:
    composition = export_json(note_of(draft_in(format_of(config, "soap"))), "fhir", config)["entry"][0][
        "resource"
    ]
    assert [s["code"]["coding"][0]["code"] for s in composition["section"]] == list(SOAP_CODES.values())


@pytest.mark.parametrize("format_id", FORMATS)
def test_fhir_document_reference_is_valid_for_every_format(config: Config, format_id: str) -> None:
    from fhir.resources.R4B.documentreference import DocumentReference

    fmt = format_of(config, format_id)
    record = "private" if format_id == "psychotherapy" else "clinical"
    note = note_of(draft_in(fmt), record=record)
    data = export_json(note, "fhir-docref", config)
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


def test_fhir_sections_follow_the_format_order(config: Config) -> None:
    fmt = format_of(config, "birp")
    draft = draft_in(fmt)
    shuffled = replace(draft, fields=tuple(reversed(draft.fields)))
    composition = export_json(note_of(shuffled), "fhir", config)["entry"][0]["resource"]
    assert [s["title"] for s in composition["section"]] == [f.label for f in fmt.fields]


@pytest.mark.parametrize("format_id", ["soap", "progress"])
def test_fhir_empty_fields_get_an_empty_reason(config: Config, format_id: str) -> None:
    fmt = format_of(config, format_id)
    empty = (fmt.fields[1].id, fmt.fields[-1].id)
    composition = assert_valid_document(export_json(note_of(draft_in(fmt, empty)), "fhir", config))
    for spec, section in zip(fmt.fields, composition["section"], strict=True):
        if spec.id in empty:
            assert section["emptyReason"]["coding"][0]["code"] == "notasked"
            assert section_paragraphs(section) == ["Nothing dictated."]
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
def test_fhir_narrative_escapes_markup(config: Config, text: str) -> None:
    fmt = format_of(config, "soap")
    note = note_of(draft_in(fmt, subjective=text))
    composition = assert_valid_document(export_json(note, "fhir", config))
    div = composition["section"][0]["text"]["div"]
    assert "<script>" not in div and "<fog>" not in div
    assert section_paragraphs(composition["section"][0]) == [text.replace("\x0b", "")]


def test_fhir_narrative_of_nothing_is_still_well_formed() -> None:
    assert "".join(ET.fromstring(narrative(["  "])["div"]).itertext()) == "Nothing dictated."


def test_fhir_amended_note_is_marked_amended(config: Config) -> None:
    note = amended_note(config)
    composition = assert_valid_document(export_json(note, "fhir", config))
    assert composition["status"] == "amended"
    assert composition["date"] == AMENDED_AT
    assert composition["attester"][0]["time"] == SIGNED_AT
    assert section_paragraphs(composition["section"][-1]) == ["Meet again next week & call on Friday."]
    notice = " ".join(composition["text"]["div"] and ET.fromstring(composition["text"]["div"]).itertext())
    assert "Amended by Dr. Ada Lind on 2025-03-05 09:30 UTC: Plan <changed> after a call" in notice
    docref = export_json(note, "fhir-docref", config)
    assert docref["docStatus"] == "amended"
    for kind in ("text", "markdown"):
        out = export_note(note, kind, config).text
        assert "Meet again next week & call on Friday." in out
        assert "two weeks" not in out
        assert "Plan <changed> after a call" in out


def test_fhir_amendment_is_a_composition_that_appends_to_the_note(config: Config) -> None:
    from fhir.resources.R4B.composition import Composition

    fmt = format_of(config, "soap")
    first = amended_note(config)
    later = draft_in(fmt, plan="Meet again next week & call on Friday.", assessment="Mood is brighter.")
    note = replace(
        first,
        amendments=(*first.amendments, Amendment("2025-03-06T08:00:00Z", "assessment", "Dr. Bo Chen", later)),
    )
    data = export_json(note, "fhir", config)
    assert_valid_document(data)
    entries = [e for e in data["entry"] if e["resource"]["resourceType"] == "Composition"]
    original, *amendments = entries
    assert original is data["entry"][0] and len(amendments) == 2
    urls = {e["fullUrl"]: e["resource"] for e in data["entry"]}
    expected = [
        (
            AMENDED_AT,
            "Dr. Ada Lind",
            "Plan <changed> after a call",
            ["Meet again next week & call on Friday."],
        ),
        ("2025-03-06T08:00:00Z", "Dr. Bo Chen", "assessment", ["Mood is brighter."]),
    ]
    for entry, (at, who, reason, texts) in zip(amendments, expected, strict=True):
        resource = entry["resource"]
        Composition.model_validate(resource)
        assert resource["relatesTo"] == [
            {"code": "appends", "targetReference": {"reference": original["fullUrl"], "type": "Composition"}}
        ]
        assert resource["status"] == "final" and resource["date"] == at
        assert resource["attester"][0]["time"] == at
        author = resource["author"][0]
        assert author["display"] == who and urls[author["reference"]]["name"] == [{"text": who}]
        assert resource["subject"] == original["resource"]["subject"]
        assert [section_paragraphs(s) for s in resource["section"]] == [texts]
        notice = "".join(ET.fromstring(resource["text"]["div"]).itertext())
        assert f"Reason: {reason}" in notice and who in notice
    assert amendments[0]["resource"]["section"][0]["code"]["coding"][0]["code"] == SOAP_CODES["plan"]


def test_fhir_full_name_never_reaches_fhir(config: Config) -> None:
    fmt = format_of(config, "soap")
    draft = replace(draft_in(fmt), session=SessionInfo(client="Rosa Tell", date="2025-03-04"))
    for kind in ("fhir", "fhir-docref", "text"):
        assert "Rosa" not in export_note(note_of(draft), kind, config).text  # type: ignore[arg-type]


def test_fhir_bundle_is_reproducible_with_fixed_ids(config: Config) -> None:
    import datetime as dt
    import itertools

    fmt = format_of(config, "soap")

    def options() -> FhirOptions:
        counter = itertools.count()
        return FhirOptions(
            now=dt.datetime(2025, 3, 4, 17, 0, tzinfo=dt.timezone.utc),
            new_id=lambda: f"00000000-0000-4000-8000-{next(counter):012d}",
        )

    codes = load_codes()
    first = document_bundle(note_of(draft_in(fmt)), fmt, codes, options())
    assert first == document_bundle(note_of(draft_in(fmt)), fmt, codes, options())
    assert first["timestamp"] == "2025-03-04T17:00:00Z"


def test_fhir_composition_narrative_carries_the_session_header(config: Config) -> None:
    composition = assert_valid_document(
        export_json(note_of(draft_in(format_of(config, "soap"))), "fhir", config)
    )
    paragraphs = list(ET.fromstring(composition["text"]["div"]).itertext())
    assert paragraphs[:5] == [
        "SOAP note",
        "Client: R.T.",
        "Date of service: 2025-03-04",
        "Service: 50 minutes",
        "Format / location: telehealth",
    ]
