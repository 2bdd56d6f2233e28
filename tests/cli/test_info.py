"""`dictanote formats|models|config show|devices`: what this installation can use."""

from __future__ import annotations

import json

from tests.util import run_cli


def test_cli_info_formats_json_lists_builtins() -> None:
    data = json.loads(run_cli("formats", "--json").stdout)
    assert {"soap", "dap", "birp", "girp", "pie", "progress", "psychotherapy"} <= {f["id"] for f in data}


def test_cli_info_formats_text_names_fields() -> None:
    result = run_cli("formats")
    assert result.returncode == 0
    assert "dap            DAP note: Data, Assessment, Plan" in result.stdout.splitlines()


def test_cli_info_models_lists_embedded() -> None:
    result = run_cli("models", "--json")
    assert result.returncode == 0
    assert {"name": "tiny.en", "origin": "embedded"}.items() <= json.loads(result.stdout)[0].items()
    text = run_cli("models")
    assert text.stdout.startswith("tiny.en (default)\tembedded\t")
    assert text.stderr.startswith("Searched by name: ")


def test_cli_info_config_show_names_sources() -> None:
    result = run_cli("config", "show", env={"DICTANOTE_BEAM_SIZE": "3"})
    assert result.returncode == 0
    assert "beam_size = 3\t(env DICTANOTE_BEAM_SIZE)" in result.stdout
    assert "cpu_threads = 1\t(default)" in result.stdout


def test_cli_info_config_show_json_has_every_setting_and_path() -> None:
    data = json.loads(run_cli("config", "show", "--json").stdout)
    assert {"key", "value", "source", "help"} == set(data["settings"][0])
    assert {"config_dir", "data_dir", "cache_dir", "runtime_dir"} == set(data["paths"])
