"""`dictanote formats|config show|devices`: what this installation can use (models: test_models.py)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.util import assert_one_line_error, run_cli


def test_cli_info_formats_json_lists_builtins() -> None:
    data = json.loads(run_cli("formats", "--json").stdout)
    assert {"soap", "dap", "birp", "girp", "pie", "progress", "psychotherapy"} <= {f["id"] for f in data}


def test_cli_info_formats_text_names_fields() -> None:
    result = run_cli("formats")
    assert result.returncode == 0
    assert "dap            DAP note: Data, Assessment, Plan" in result.stdout.splitlines()


def test_cli_info_config_show_names_sources() -> None:
    result = run_cli("config", "show", env={"DICTANOTE_BEAM_SIZE": "3"})
    assert result.returncode == 0
    assert "beam_size = 3\t(env DICTANOTE_BEAM_SIZE)" in result.stdout
    assert "cpu_threads = 1\t(default)" in result.stdout


def test_cli_info_config_show_json_has_every_setting_and_path() -> None:
    data = json.loads(run_cli("config", "show", "--json").stdout)
    assert {"key", "value", "source", "help"} == set(data["settings"][0])
    assert {"config_dir", "data_dir", "cache_dir", "runtime_dir"} == set(data["paths"])


def test_cli_info_formats_broken_user_file_warns_once_and_lists_the_others(
    isolated_dirs: dict[str, Path],
) -> None:
    folder = isolated_dirs["config"] / "dictanote" / "formats"
    folder.mkdir(parents=True)
    (folder / "broken.toml").write_text("id = 'broken'\nlabel = [", encoding="utf-8")
    for args in (["formats"], ["formats", "--json"]):
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("dictanote: warning: format file ")
        assert str(folder / "broken.toml") in lines[0] and "skipped" in lines[0]
        assert "soap" in result.stdout and "broken" not in result.stdout
    asked = run_cli("segment", "-", "--format", "broken", stdin="Subjective. Slept well.")
    assert_one_line_error(asked, 2)
    assert "broken.toml" in asked.stderr
