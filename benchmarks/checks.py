"""Measure the documentation checks: quiet on good notes, reliable on flawed ones.

Runs the checks on ../shared/corpus/published-examples.jsonl (well-written notes,
built into drafts from their labelled sections) and on our samples (through the
segmenter), and reports findings per note and per code. Then it derives flawed
versions of every published note and reports how often the matching finding fires:
- a required field emptied                        -> field-empty
- the intervention replaced by "Discussed feelings." -> vague-intervention
- a risk sentence added, risk documentation removed  -> risk-unaddressed
- a countertransference sentence added               -> process-in-record

    .venv/bin/python benchmarks/checks.py [--details]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

from dictanote.app import Dictation
from dictanote.check import check_draft
from dictanote.core.config import load_config
from dictanote.core.formats import load_format
from dictanote.core.types import Draft, DraftField, NoteFormat, Sentence
from dictanote.segment import segment_transcript, split_sentences
from dictanote.segment.roles import classify
from dictanote.segment.rules import clinical_rules
from dictanote.segment.session import extract_session

REPO = Path(__file__).resolve().parents[1]
PUBLISHED = REPO.parent / "shared" / "corpus" / "published-examples.jsonl"
VAGUE = "Discussed feelings."
RISK = "She reported thoughts of killing herself this week."
COUNTERTRANSFERENCE = "I noticed my own countertransference as she talked about her father."
RISK_DOC = re.compile(
    r"safety plan|risk|crisis|988|hotline|means|C-SSRS|Columbia|no plan|no intent|emergency|"
    r"hospital|reassess|warning signs|denies|denied|no SI|no HI|safety",
    re.I,
)


def build_draft(fmt: NoteFormat, sections: dict[str, list[str]]) -> Draft:
    """A draft whose fields hold the given sentences, with roles from the classifier."""
    fields = []
    for spec in fmt.fields:
        texts = sections.get(spec.id, [])
        roles = classify(texts)
        sentences = tuple(
            Sentence(t, "spoken_header", 1.0, role=max(r, key=r.__getitem__))
            for t, r in zip(texts, roles, strict=True)
        )
        fields.append(DraftField(spec.id, spec.label, sentences))
    text = " ".join(t for f in fields for t in (s.text for s in f.sentences))
    rules = clinical_rules()
    session = extract_session(text, scales=rules.scales, medications=rules.medications)
    return Draft(fmt.id, text, tuple(fields), session, "published")


def published_notes(config) -> list[tuple[str, NoteFormat, dict[str, list[str]]]]:  # type: ignore[no-untyped-def]
    """Each published note as (id, format, field -> sentences)."""
    notes = []
    for line in PUBLISHED.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        fmt = load_format(item["format"], config.paths)
        sections: dict[str, list[str]] = {}
        for section in item["sections"]:
            sections.setdefault(section["field"], []).extend(split_sentences(section["text"]))
        notes.append((item["id"], fmt, sections))
    return notes


def flaws(fmt: NoteFormat, sections: dict[str, list[str]]) -> list[tuple[str, str, dict[str, list[str]]]]:
    """(flaw name, expected code, flawed sections) derived from one good note."""
    out = []
    for spec in fmt.fields:
        if spec.required and sections.get(spec.id):
            out.append((f"empty {spec.id}", "field-empty", {**sections, spec.id: []}))
    target = next((s.id for s in fmt.fields if "intervention" in s.roles), fmt.fields[-1].id)
    replaced = (
        {**sections, target: [VAGUE]}
        if "intervention" in target
        else {
            **sections,
            target: [*sections.get(target, []), VAGUE],
        }
    )
    out.append(("vague intervention", "vague-intervention", replaced))
    without_risk = {k: [s for s in v if not RISK_DOC.search(s)] for k, v in sections.items()}
    first = fmt.fields[0].id
    out.append(
        (
            "risk added",
            "risk-unaddressed",
            {**without_risk, first: [*without_risk.get(first, []), RISK]},
        )
    )
    last = next((s.id for s in fmt.fields if "assessment" in s.roles), fmt.fields[-1].id)
    out.append(
        (
            "countertransference added",
            "process-in-record",
            {**sections, last: [*sections.get(last, []), COUNTERTRANSFERENCE]},
        )
    )
    return out


def main() -> int:
    """Print findings on good notes and detection rates on flawed ones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="print every finding")
    args = parser.parse_args()
    config = load_config()
    if not PUBLISHED.is_file():
        print(f"no corpus at {PUBLISHED}", file=sys.stderr)
        return 2
    notes = published_notes(config)
    warnings_per_note = []
    codes: Counter[str] = Counter()
    print("## Published notes (well written)")
    for note_id, fmt, sections in notes:
        findings = check_draft(build_draft(fmt, sections), fmt)
        warns = [f for f in findings if f.severity in {"warning", "error"}]
        warnings_per_note.append(len(warns))
        codes.update(f"{f.severity}:{f.code}" for f in findings)
        print(f"{note_id:<16} {len(warns)} warnings  {', '.join(f.code for f in warns)}")
        if args.details:
            for f in findings:
                print(f"    {f.severity} {f.code} {f.field}: {f.message[:100]}")
    mean = statistics.mean(warnings_per_note)
    print(f"\nwarning-level findings per published note: {mean:.2f} (target <= 0.5)")
    print("by code: " + ", ".join(f"{k} {v}" for k, v in sorted(codes.items())))

    print("\n## Our samples (through the segmenter)")
    options = Dictation(config).segment_options
    sample_warnings = []
    for sample in json.loads((REPO / "samples" / "manifest.json").read_text(encoding="utf-8")):
        fmt = load_format(sample["format"], config.paths)
        text = " ".join(p["text"] for p in sample["parts"])
        findings = check_draft(segment_transcript(text, fmt, options), fmt)
        warns = [f.code for f in findings if f.severity in {"warning", "error"}]
        sample_warnings.append(len(warns))
        print(f"{sample['id']:<24} {len(warns)} warnings  {', '.join(warns)}")
    print(f"warning-level findings per sample: {statistics.mean(sample_warnings):.2f}")

    print("\n## Derived flawed notes")
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for note_id, fmt, sections in notes:
        for name, code, flawed in flaws(fmt, sections):
            kind = name.split()[0] if name.startswith("empty") else name
            totals[kind] += 1
            found = {f.code for f in check_draft(build_draft(fmt, flawed), fmt)}
            if code in found:
                hits[kind] += 1
            elif args.details:
                print(f"missed: {note_id} {name}")
    for kind in totals:
        print(
            f"{kind:<28} fired {hits[kind]}/{totals[kind]} = {hits[kind] / totals[kind]:.0%} (target >= 95%)"
        )
    overall = sum(hits.values()) / sum(totals.values())
    print(f"all derived flaws: {overall:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
