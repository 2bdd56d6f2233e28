"""Settings: one frozen tree, each key with a default and help text.

Precedence is defaults < config file < environment (``DICTANOTE_<KEY>``) <
command-line flags. The entry point loads it once and passes it down; nothing
else reads the environment or the config file, except ``DICTANOTE_PASSPHRASE``:
a secret, never a setting, read only where the store's keys are made (store/keys.py).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .datafile import Table, load_table
from .errors import ConfigError

ENV_PREFIX = "DICTANOTE_"
# The store's passphrase for automation: a secret, never a setting (no setting may be named
# "passphrase"), never shown by `config show`; read by store/keys.py alone.
PASSPHRASE_ENV = ENV_PREFIX + "PASSPHRASE"
APP_NAME = "dictanote"
COMPUTE_TYPES = ("int8", "int8_float32", "int16", "float32")


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every user-tunable setting, with its default."""

    model: str = _setting(
        "tiny.en",
        "Whisper model: a name (looked up in the data directory's models/ and the "
        "shipped models/) or a path to a CTranslate2 Whisper directory. 'tiny.en' is "
        "the embedded model.",
    )
    cpu_threads: int = _setting(
        1, "CPU threads for the speech model (why 1 is the default: benchmarks/README.md)."
    )
    beam_size: int = _setting(5, "Beam width for decoding; 1 is greedy (faster, less accurate).")
    compute_type: str = _setting("int8", f"Model weights' numeric type, one of {', '.join(COMPUTE_TYPES)}.")
    vad_filter: bool = _setting(
        True, "Skip non-speech with the Silero voice-activity detector before decoding."
    )
    format: str = _setting("soap", "Note format used when --format is not given.")
    clinician: str = _setting(
        "",
        "Your name and credentials as they sign a note (e.g. 'J. Rivera, LCSW'); used by finalize "
        "unless --signed-by is given.",
    )
    encrypt_store: bool = _setting(
        True,
        "Encrypt a new note store (SQLCipher), its keys in the OS keyring, else derived from a "
        "passphrase asked once per command or daemon/review start. An existing unencrypted store "
        "keeps opening, with a warning: move it with `dictanote store encrypt`.",
    )
    hotwords: bool = _setting(
        False,
        "Pass the vocabulary file's terms to Whisper as hotwords. Off by default: they can "
        "fix rare words but can also make Whisper skip speech (see benchmarks/README.md). "
        "The vocabulary's [replace] map always applies.",
    )
    initial_prompt: str = _setting(
        "",
        "Text Whisper reads as if it came just before the dictation (and before each live chunk), "
        "e.g. a line in your note style. Empty by default: on our dev set a prompt wrote scale names "
        "right but also wrote the terms it named where they were not said, and skipped passages "
        "(see benchmarks/README.md).",
    )


@dataclass(frozen=True)
class Paths:
    """Where dictanote keeps its files; every one can be redirected for tests."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path
    runtime_dir: Path

    @property
    def config_file(self) -> Path:
        """The user's settings file."""
        return self.config_dir / "config.toml"


@dataclass(frozen=True)
class Config:
    """Settings, where each value came from, and the user's directories."""

    settings: Settings
    sources: Mapping[str, str]
    paths: Paths


def setting_help() -> dict[str, str]:
    """Help text of every setting, keyed by name."""
    return {f.name: str(f.metadata["help"]) for f in fields(Settings)}


def default_paths(environ: Mapping[str, str]) -> Paths:
    """User directories, honouring DICTANOTE_HOME and DICTANOTE_CONFIG_DIR."""
    import platformdirs

    home = environ.get("DICTANOTE_HOME")
    config = environ.get("DICTANOTE_CONFIG_DIR")
    return Paths(
        config_dir=Path(config) if config else platformdirs.user_config_path(APP_NAME),
        data_dir=Path(home) if home else platformdirs.user_data_path(APP_NAME),
        cache_dir=platformdirs.user_cache_path(APP_NAME),
        runtime_dir=_runtime_dir(environ),
    )


def _runtime_dir(environ: Mapping[str, str]) -> Path:
    """XDG_RUNTIME_DIR/dictanote, or a per-user folder under the temp directory."""
    base = environ.get("XDG_RUNTIME_DIR")
    if base:
        return Path(base) / APP_NAME
    return Path(tempfile.gettempdir()) / f"{APP_NAME}-{os.getuid()}"


def load_config(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    data_dir: Path | None = None,
) -> Config:
    """Build the settings tree from defaults, the config file, the environment and flags.

    ``data_dir`` (the ``--data-dir`` flag) overrides where the store lives.
    """
    env = os.environ if environ is None else environ
    paths = default_paths(env)
    if data_dir is not None:
        paths = replace(paths, data_dir=Path(data_dir))
    settings = Settings()
    sources = {f.name: "default" for f in fields(Settings)}

    from_file = _read_config_file(paths.config_file)
    settings, sources = _apply(settings, sources, from_file, f"file {paths.config_file}")

    from_env: dict[str, Any] = {}
    for f in fields(Settings):
        name = ENV_PREFIX + f.name.upper()
        if name in env:
            from_env[f.name] = _coerce(f.name, env[name], f"environment variable {name}")
    for name, value in from_env.items():
        settings, sources = _apply(settings, sources, {name: value}, f"env {ENV_PREFIX}{name.upper()}")

    flags = {k: v for k, v in (overrides or {}).items() if v is not None}
    settings, sources = _apply(settings, sources, flags, "command line")
    _validate(settings)
    return Config(settings=settings, sources=sources, paths=paths)


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    # Values are checked by _coerce, which also reads them from the environment.
    schema = Table({f.name: object for f in fields(Settings)})
    raw = load_table(path, schema, what="config file", error=ConfigError)
    return {k: _coerce(k, v, f"config file {path}") for k, v in raw.items()}


def _coerce(name: str, value: Any, where: str) -> Any:
    kind = type(getattr(Settings(), name))
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    if isinstance(value, str):
        text = value.strip()
        if kind is bool and text.lower() in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
            return text.lower() in {"1", "true", "yes", "on"}
        if kind is int:
            try:
                return int(text)
            except ValueError:
                pass
        if kind is str:
            return text
    raise ConfigError(f"{where}: {name} must be {kind.__name__}, got {value!r}")


def _apply(
    settings: Settings, sources: dict[str, str], values: Mapping[str, Any], source: str
) -> tuple[Settings, dict[str, str]]:
    if not values:
        return settings, sources
    new_sources = dict(sources)
    for name in values:
        new_sources[name] = source
    return replace(settings, **values), new_sources


def _validate(settings: Settings) -> None:
    if settings.cpu_threads < 1:
        raise ConfigError(f"cpu_threads must be at least 1, got {settings.cpu_threads}")
    if settings.beam_size < 1:
        raise ConfigError(f"beam_size must be at least 1, got {settings.beam_size}")
    if settings.compute_type not in COMPUTE_TYPES:
        raise ConfigError(f"compute_type {settings.compute_type!r} is not one of {', '.join(COMPUTE_TYPES)}")


def shipped_dir(name: str) -> Path:
    """A directory shipped with dictanote (``templates`` or ``models``).

    An installed wheel carries it inside the package; a source checkout keeps it
    at the top of the repository.
    """
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / name, package.parents[1] / name):
        if candidate.is_dir():
            return candidate
    return package / name
