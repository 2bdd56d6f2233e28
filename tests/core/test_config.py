"""Settings precedence, validation and help text."""

from __future__ import annotations

from pathlib import Path

import pytest

from dictanote.core.config import Settings, load_config, setting_help
from dictanote.core.errors import ConfigError


def _write_config(dirs: dict[str, Path], text: str) -> Path:
    path = dirs["config"] / "dictanote" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_config_defaults_when_nothing_set() -> None:
    config = load_config()
    assert config.settings == Settings()
    assert set(config.sources.values()) == {"default"}


def test_config_precedence_file_env_flag(isolated_dirs: dict[str, Path]) -> None:
    _write_config(isolated_dirs, 'beam_size = 3\ncpu_threads = 2\nformat = "dap"\n')
    config = load_config(
        overrides={"cpu_threads": 4},
        environ={"DICTANOTE_BEAM_SIZE": "2", "XDG_CONFIG_HOME": str(isolated_dirs["config"])},
    )
    assert config.settings.beam_size == 2
    assert config.sources["beam_size"] == "env DICTANOTE_BEAM_SIZE"
    assert config.settings.cpu_threads == 4
    assert config.sources["cpu_threads"] == "command line"
    assert config.settings.format == "dap"
    assert config.sources["format"].startswith("file ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("colour = 1\n", "unknown key 'colour'; allowed keys:"),
        ("beam_size = 'wide'\n", "beam_size must be int"),
        ("cpu_threads = 0\n", "cpu_threads must be at least 1"),
        ('compute_type = "float8"\n', "compute_type 'float8' is not one of"),
        ("beam_size = [\n", "config.toml: not valid TOML"),
    ],
)
def test_config_bad_file_names_the_problem(isolated_dirs: dict[str, Path], text: str, expected: str) -> None:
    _write_config(isolated_dirs, text)
    with pytest.raises(ConfigError) as info:
        load_config()
    assert expected in str(info.value)


def test_config_env_bool_coercion() -> None:
    assert load_config(environ={"DICTANOTE_VAD_FILTER": "off"}).settings.vad_filter is False
    with pytest.raises(ConfigError, match="DICTANOTE_VAD_FILTER"):
        load_config(environ={"DICTANOTE_VAD_FILTER": "maybe"})


def test_config_every_setting_has_help() -> None:
    helps = setting_help()
    assert set(helps) == set(Settings.__dataclass_fields__)
    assert all(len(h) > 10 for h in helps.values())


def test_config_dictanote_home_moves_data_dir(tmp_path: Path) -> None:
    config = load_config(environ={"DICTANOTE_HOME": str(tmp_path / "home")})
    assert config.paths.data_dir == tmp_path / "home"


def test_config_passphrase_variable_is_never_a_setting() -> None:
    config = load_config(
        environ={"DICTANOTE_PASSPHRASE": "a secret passphrase", "DICTANOTE_ENCRYPT_STORE": "no"}
    )
    assert "passphrase" not in setting_help()
    assert "a secret passphrase" not in repr(config) and config.settings.encrypt_store is False
    assert load_config(environ={}).settings.encrypt_store is True  # new stores encrypted by default
