"""`dictanote transcribe|segment|draft|check` as a user runs them: exit codes, one-line errors, JSON shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.util import assert_one_line_error, load_samples, run_cli, shared_audio, write_audio


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _truncate(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: str(d / "missing.flac"), "no such file"),
        (lambda d: str(d), "is a directory"),
        (lambda d: str(_write(d / "notes.txt", b"not audio at all\n")), "is not an audio file"),
        (lambda d: str(_truncate(write_audio(d / "cut.flac", 3.0))), "looks truncated"),
        (lambda d: str(_write(d / "zero.wav", b"")), "is empty"),
    ],
)
@pytest.mark.parametrize("command", ["transcribe", "draft"])
def test_cli_dictate_bad_audio_exits_2_with_one_line(
    tmp_path: Path, make, expected: str, command: str
) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(command, make(tmp_path))
    assert_one_line_error(result)
    assert expected in result.stderr


def test_cli_dictate_unknown_model_exits_2(tmp_path: Path) -> None:
    result = run_cli("transcribe", str(write_audio(tmp_path / "a.wav")), "--model", "huge.en")
    assert_one_line_error(result)
    assert "unknown model 'huge.en'" in result.stderr


def test_cli_dictate_unknown_format_exits_2(tmp_path: Path) -> None:
    result = run_cli("segment", "-", "--format", "xyz", stdin="Plan. Rest.")
    assert_one_line_error(result)
    assert "no note format 'xyz'" in result.stderr


def test_cli_dictate_segment_missing_text_file() -> None:
    assert_one_line_error(run_cli("segment", "/nonexistent/transcript.txt"))


def test_cli_dictate_help_documents_exit_codes_and_silence() -> None:
    result = run_cli("transcribe", "--help")
    assert result.returncode == 0
    assert "no speech" in result.stdout
    assert "Exit codes" in result.stdout


def test_cli_dictate_segment_reads_stdin_and_renders() -> None:
    result = run_cli("segment", "--format", "dap", stdin="Data. Client arrived early. Plan. Meet next week.")
    assert result.returncode == 0, result.stderr
    assert "## Data\nClient arrived early." in result.stdout
    assert "## Plan\nMeet next week." in result.stdout


def test_cli_dictate_segment_json_contract() -> None:
    result = run_cli(
        "segment", "-", "--format", "birp", "--json", stdin="Behavior. Calm. Intervention. Used MI."
    )
    data = json.loads(result.stdout)
    assert list(data["fields"]) == ["behavior", "intervention", "response", "plan"]
    assert data["fields"]["intervention"]["text"] == "Used MI."
    assert data["fields"]["plan"] == {"label": "Plan", "text": "", "sentences": []}


@pytest.mark.slow
@pytest.mark.skipif(not shared_audio(), reason="../shared/audio is not beside this checkout")
def test_cli_dictate_transcribe_json_shape() -> None:
    path = shared_audio()[0]
    result = run_cli("transcribe", str(path), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"text", "duration_s", "model", "segments", "timings"}
    assert data["model"] == "tiny.en"
    assert data["duration_s"] > 0
    assert set(data["timings"]) == {"load_s", "transcribe_s"}
    assert all(set(s) == {"start", "end", "text", "words"} for s in data["segments"])
    assert all(
        set(w) == {"text", "start", "end", "probability"} for s in data["segments"] for w in s["words"]
    )
    assert data["text"]


@pytest.mark.slow
def test_cli_dictate_transcribe_silence_warns_and_exits_0(tmp_path: Path) -> None:
    result = run_cli("transcribe", str(write_audio(tmp_path / "quiet.flac", 4.0, tone_hz=None)))
    assert result.returncode == 0
    assert result.stdout == ""
    assert "warning: no speech found" in result.stderr


@pytest.mark.slow
def test_cli_dictate_draft_headed_soap_sample_fills_four_sections() -> None:
    sample = next(s for s in load_samples() if s.format == "soap" and s.style == "headed")
    result = run_cli("draft", str(sample.audio), "--format", "soap", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data["fields"]) == ["subjective", "objective", "assessment", "plan"]
    assert all(data["fields"][f]["text"] for f in data["fields"])
    plain = run_cli("draft", str(sample.audio), "--format", "soap")
    for label in ("## Subjective", "## Objective", "## Assessment", "## Plan"):
        assert label in plain.stdout


def test_cli_dictate_malformed_user_format_exits_2(isolated_dirs: dict[str, Path]) -> None:
    folder = isolated_dirs["config"] / "dictanote" / "formats"
    folder.mkdir(parents=True)
    (folder / "intake.toml").write_text("id = 'intake'\nlabel = 'Intake'\ncolour = 'red'\nfields = []\n")
    result = run_cli("segment", "-", "--format", "intake", stdin="History. Moved here.")
    assert_one_line_error(result)
    assert "intake.toml" in result.stderr and "unknown key 'colour'" in result.stderr


def test_cli_dictate_segment_json_carries_private_note() -> None:
    text = "Plan. Weekly CBT. Private note. I felt protective of her. End private note."
    data = json.loads(run_cli("segment", "-", "--format", "soap", "--json", stdin=text).stdout)
    assert data["fields"]["plan"]["text"] == "Weekly CBT."
    assert data["private"]["format"] == "psychotherapy"
    assert list(data["private"]["fields"]) == ["reflections", "process_observations", "questions"]
    assert "protective" in data["private"]["fields"]["reflections"]["text"]
    assert all("protective" not in f["text"] for f in data["fields"].values())


def test_cli_dictate_segment_plain_output_shows_private_note_apart() -> None:
    text = "Plan. Weekly CBT. Private note. I felt protective of her. End private note."
    out = run_cli("segment", "-", "--format", "soap", stdin=text).stdout
    record, private = out.split("# Psychotherapy note (private)")
    assert "protective" not in record and "protective" in private


NOTE = "Subjective. Client reports poor sleep for two weeks and worry about work. Plan. Continue weekly CBT."


def test_cli_dictate_check_lists_findings_with_codes() -> None:
    result = run_cli("check", "-", "-f", "soap", stdin=NOTE)
    assert result.returncode == 0, result.stderr
    assert "- **warning** `field-empty` (objective)" in result.stdout
    data = json.loads(run_cli("check", "-", "-f", "soap", "--json", stdin=NOTE).stdout)
    assert data["format"] == "soap"
    found = {(f["code"], f["field"], f["severity"]) for f in data["findings"]}
    assert ("field-empty", "assessment", "warning") in found
    assert all(set(f) == {"code", "field", "severity", "message", "span"} for f in data["findings"])


def test_cli_dictate_check_previous_note_catches_copied_fields(tmp_path: Path) -> None:
    previous = _write(tmp_path / "previous.txt", NOTE.encode())
    data = json.loads(run_cli("check", "-", "--previous", str(previous), "--json", stdin=NOTE).stdout)
    assert "copied-forward" in {f["code"] for f in data["findings"]}


def test_cli_dictate_check_complete_note_has_no_findings() -> None:
    text = (
        "Reflections. I felt tired after the session. Process observations. We circled the same theme. "
        "Questions. What is she avoiding?"
    )
    result = run_cli("check", "-f", "psychotherapy", stdin=text)
    assert (result.returncode, result.stdout) == (0, "No findings.\n")


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: str(d), "is not a regular file"),
        (lambda d: str(_write(d / "audio.flac", b"fLaC\xff\xfe\x00\x80")), "is not UTF-8 text"),
    ],
)
def test_cli_dictate_unreadable_text_exits_2(tmp_path: Path, make, expected: str) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", make(tmp_path))
    assert_one_line_error(result)
    assert expected in result.stderr


def test_cli_dictate_stdin_not_utf8_exits_2_with_one_line() -> None:
    result = run_cli("segment", "-", stdin=b"Subjective. \xff\xfe\xfd.")
    assert_one_line_error(result)
    assert "standard input is not UTF-8 text" in result.stderr


def test_cli_dictate_empty_transcript_warns_and_saves_nothing_unasked(tmp_path: Path) -> None:
    result = run_cli("--data-dir", str(tmp_path / "store"), "segment", "-f", "dap", stdin="  \n")
    assert result.returncode == 0
    assert result.stderr == "dictanote: warning: the transcript is empty\n"
    assert "## Data" in result.stdout
    assert not (tmp_path / "store").exists()


def test_cli_dictate_save_reports_the_draft_and_its_inbox(tmp_path: Path) -> None:
    store = ["--data-dir", str(tmp_path / "store")]
    private = NOTE + " Private note. I felt rushed today. End private note."
    result = run_cli(*store, "segment", "-f", "soap", "--save", "--json", stdin=private)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ("dictanote: saved as draft 1 in the inbox (with a private psychotherapy note)\n")
    assert json.loads(result.stdout)["private"] is not None


IMPOSSIBLE = "Subjective. PHQ-9 score went from 12 to 35. Plan. Continue CBT."


@pytest.mark.parametrize(
    ("text", "fmt", "code"),
    [
        (IMPOSSIBLE, "soap", 1),  # measure-out-of-range is an error
        (NOTE, "soap", 0),  # warnings and info only
        ("Reflections. I felt tired. Process observations. Same theme. Questions. Why?", "psychotherapy", 0),
    ],
)
@pytest.mark.parametrize("as_json", [False, True])
def test_cli_dictate_check_exits_1_on_an_error_finding(text: str, fmt: str, code: int, as_json: bool) -> None:
    result = run_cli("check", "-", "-f", fmt, *(["--json"] if as_json else []), stdin=text)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    if as_json:
        severities = {f["severity"] for f in json.loads(result.stdout)["findings"]}
        assert ("error" in severities) is (code == 1)
    elif code:
        assert "- **error** `measure-out-of-range`" in result.stdout


def test_cli_dictate_check_help_documents_its_exit_codes() -> None:
    out = " ".join(run_cli("check", "--help").stdout.split())
    assert "1 a finding of severity error" in out
