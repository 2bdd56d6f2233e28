"""The command line as a user runs it: exit codes, one-line errors, JSON shapes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.util import load_samples, run_cli, shared_audio, write_audio


def _assert_one_line_error(result: subprocess.CompletedProcess[str], code: int = 2) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dictanote: error: ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


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
def test_cli_bad_audio_exits_2_with_one_line(tmp_path: Path, make, expected: str, command: str) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(command, make(tmp_path))
    _assert_one_line_error(result)
    assert expected in result.stderr


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _truncate(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def test_cli_unknown_model_exits_2(tmp_path: Path) -> None:
    result = run_cli("transcribe", str(write_audio(tmp_path / "a.wav")), "--model", "huge.en")
    _assert_one_line_error(result)
    assert "unknown model 'huge.en'" in result.stderr


def test_cli_unknown_format_exits_2(tmp_path: Path) -> None:
    result = run_cli("segment", "-", "--format", "xyz", stdin="Plan. Rest.")
    _assert_one_line_error(result)
    assert "no note format 'xyz'" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["transcribe"],
        ["transcribe", "a.wav", "--bogus"],
        ["nosuchcommand"],
        ["transcribe", "a.wav", "--threads", "0"],
    ],
)
def test_cli_usage_errors_exit_2_with_one_line(args: list[str]) -> None:
    _assert_one_line_error(run_cli(*args))


def test_cli_segment_missing_text_file() -> None:
    _assert_one_line_error(run_cli("segment", "/nonexistent/transcript.txt"))


def test_cli_help_documents_exit_codes_and_silence() -> None:
    result = run_cli("transcribe", "--help")
    assert result.returncode == 0
    assert "no speech" in result.stdout
    assert "Exit codes" in result.stdout


def test_cli_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from dictanote.cli import main; rc = main(['--help']); "
        "heavy = [m for m in ('faster_whisper', 'spacy', 'jinja2', 'sounddevice', 'numpy') if m in sys.modules]; "
        "print(heavy, file=sys.stderr); sys.exit(1 if heavy else rc)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_cli_segment_reads_stdin_and_renders() -> None:
    result = run_cli("segment", "--format", "dap", stdin="Data. Client arrived early. Plan. Meet next week.")
    assert result.returncode == 0, result.stderr
    assert "## Data\nClient arrived early." in result.stdout
    assert "## Plan\nMeet next week." in result.stdout


def test_cli_segment_json_contract() -> None:
    result = run_cli(
        "segment", "-", "--format", "birp", "--json", stdin="Behavior. Calm. Intervention. Used MI."
    )
    data = json.loads(result.stdout)
    assert list(data["fields"]) == ["behavior", "intervention", "response", "plan"]
    assert data["fields"]["intervention"]["text"] == "Used MI."
    assert data["fields"]["plan"] == {"label": "Plan", "text": "", "sentences": []}


def test_cli_formats_json_lists_builtins() -> None:
    data = json.loads(run_cli("formats", "--json").stdout)
    assert {"soap", "dap", "birp", "girp", "pie", "progress", "psychotherapy"} <= {f["id"] for f in data}


def test_cli_models_lists_embedded() -> None:
    result = run_cli("models", "--json")
    assert result.returncode == 0
    assert {"name": "tiny.en", "origin": "embedded"}.items() <= json.loads(result.stdout)[0].items()


def test_cli_config_show_names_sources() -> None:
    result = run_cli("config", "show", env={"DICTANOTE_BEAM_SIZE": "3"})
    assert result.returncode == 0
    assert "beam_size = 3\t(env DICTANOTE_BEAM_SIZE)" in result.stdout
    assert "cpu_threads = 1\t(default)" in result.stdout


@pytest.mark.slow
@pytest.mark.skipif(not shared_audio(), reason="../shared/audio is not beside this checkout")
def test_cli_transcribe_json_shape() -> None:
    path = shared_audio()[0]
    result = run_cli("transcribe", str(path), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"text", "duration_s", "model", "segments", "timings"}
    assert data["model"] == "tiny.en"
    assert data["duration_s"] > 0
    assert set(data["timings"]) == {"load_s", "transcribe_s"}
    assert all(set(s) == {"start", "end", "text"} for s in data["segments"])
    assert data["text"]


@pytest.mark.slow
def test_cli_transcribe_silence_warns_and_exits_0(tmp_path: Path) -> None:
    result = run_cli("transcribe", str(write_audio(tmp_path / "quiet.flac", 4.0, tone_hz=None)))
    assert result.returncode == 0
    assert result.stdout == ""
    assert "warning: no speech found" in result.stderr


@pytest.mark.slow
def test_cli_draft_headed_soap_sample_fills_four_sections() -> None:
    sample = next(s for s in load_samples() if s.format == "soap" and s.style == "headed")
    result = run_cli("draft", str(sample.audio), "--format", "soap", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data["fields"]) == ["subjective", "objective", "assessment", "plan"]
    assert all(data["fields"][f]["text"] for f in data["fields"])
    plain = run_cli("draft", str(sample.audio), "--format", "soap")
    for label in ("## Subjective", "## Objective", "## Assessment", "## Plan"):
        assert label in plain.stdout


def test_cli_malformed_user_format_exits_2(isolated_dirs: dict[str, Path]) -> None:
    folder = isolated_dirs["config"] / "dictanote" / "formats"
    folder.mkdir(parents=True)
    (folder / "intake.toml").write_text("id = 'intake'\nlabel = 'Intake'\ncolour = 'red'\nfields = []\n")
    result = run_cli("segment", "-", "--format", "intake", stdin="History. Moved here.")
    _assert_one_line_error(result)
    assert "intake.toml" in result.stderr and "unknown key 'colour'" in result.stderr


def test_cli_segment_json_carries_private_note() -> None:
    text = "Plan. Weekly CBT. Private note. I felt protective of her. End private note."
    data = json.loads(run_cli("segment", "-", "--format", "soap", "--json", stdin=text).stdout)
    assert data["fields"]["plan"]["text"] == "Weekly CBT."
    assert data["private"]["format"] == "psychotherapy"
    assert list(data["private"]["fields"]) == ["reflections", "process_observations", "questions"]
    assert "protective" in data["private"]["fields"]["reflections"]["text"]
    assert all("protective" not in f["text"] for f in data["fields"].values())


def test_cli_segment_plain_output_shows_private_note_apart() -> None:
    text = "Plan. Weekly CBT. Private note. I felt protective of her. End private note."
    out = run_cli("segment", "-", "--format", "soap", stdin=text).stdout
    record, private = out.split("# Psychotherapy note (private)")
    assert "protective" not in record and "protective" in private
