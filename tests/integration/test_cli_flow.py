"""The terminal flow end to end, as a clinician types it: dictate, review the inbox, sign, export FHIR."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dictanote.evaluate import word_error_rate
from tests.util import SAMPLES, load_samples, run_cli

CLINICIAN = "Dr. Ada Lind, PsyD"
# tiny.en on our synthesized samples: 12-16 % WER overall (PERF-NOTES.md); a section also
# carries its placement, so allow more than that but far less than a wrong section would give.
MAX_SECTION_WER = 0.3


def _ok(*args: str) -> str:
    done = run_cli(*args, env={"DICTANOTE_CLINICIAN": CLINICIAN})
    assert done.returncode == 0, f"dictanote {' '.join(args)}: {done.stderr}"
    return done.stdout + done.stderr


@pytest.mark.slow
def test_cli_flow_dictation_to_fhir_document(tmp_path: Path) -> None:
    from fhir.resources.R4B.bundle import Bundle

    sample = next(s for s in load_samples() if s.id == "soap-headed")
    saved = _ok("draft", str(SAMPLES / "soap-headed.flac"), "--format", "soap", "--save")
    draft_id = re.search(r"saved as draft (\d+)", saved)
    assert draft_id, saved

    inbox = _ok("drafts", "list")
    assert re.search(rf"^\s*{draft_id.group(1)}\s+soap\b", inbox, re.M), inbox

    refused = run_cli(
        "drafts", "finalize", draft_id.group(1), "--yes", env={"DICTANOTE_CLINICIAN": CLINICIAN}
    )
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "names no client" in refused.stderr
    _ok("clients", "add", "al-1", "--name", "A.L.")
    assert "client al-1" in _ok("drafts", "client", draft_id.group(1), "al-1")
    signed = _ok("drafts", "finalize", draft_id.group(1), "--yes")
    note_id = re.search(r"as note (\d+)", signed)
    assert note_id, signed

    notes = _ok("notes", "list")
    assert re.search(rf"^\s*{note_id.group(1)}\s+soap\b.*{re.escape(CLINICIAN)}", notes, re.M), notes

    target = tmp_path / "f.json"
    _ok("notes", "export", note_id.group(1), "--as", "fhir", "--output", str(target))
    data = json.loads(target.read_text(encoding="utf-8"))
    Bundle.model_validate(data)
    composition = data["entry"][0]["resource"]
    assert (composition["resourceType"], composition["status"]) == ("Composition", "final")
    assert composition["author"][0]["display"] == CLINICIAN
    sections = {
        s["title"]: "".join(ET.fromstring(s["text"]["div"]).itertext()) for s in composition["section"]
    }
    assert list(sections) == ["Subjective", "Objective", "Assessment", "Plan"]
    codes = [s["code"]["coding"][0]["code"] for s in composition["section"]]
    assert codes == ["61150-9", "61149-1", "51848-0", "18776-5"]
    for title, text in sections.items():
        dictated = " ".join(t for t, field in sample.parts if field == title.lower())
        assert word_error_rate(dictated, text) <= MAX_SECTION_WER, (title, text)

    assert "Clinical audit log intact" in _ok("audit", "verify")
