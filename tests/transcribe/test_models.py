"""transcribe/models.py: a model name or path resolved on this machine, never on the network."""

from __future__ import annotations

from pathlib import Path

import pytest

from dictanote.core.config import Config
from dictanote.core.errors import ModelNotFoundError, ModelUnreadableError
from dictanote.transcribe import available_models, resolve_model
from dictanote.transcribe.models import embedded_model


def test_models_default_model_is_embedded(config: Config) -> None:
    info = resolve_model("tiny.en", config.paths)
    assert info.origin == "embedded"
    assert (info.path / "model.bin").is_file()


def test_models_model_by_path(config: Config) -> None:
    path = embedded_model().path
    assert resolve_model(str(path), config.paths).path == path.resolve()


def test_models_model_by_name_in_data_dir(config: Config) -> None:
    target = config.paths.data_dir / "models" / "my-model"
    target.parent.mkdir(parents=True)
    target.symlink_to(embedded_model().path, target_is_directory=True)
    info = resolve_model("my-model", config.paths)
    assert info.name == "my-model"
    assert "my-model" in {m.name for m in available_models(config.paths)}


def test_models_unknown_model_says_where_it_looked(config: Config) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        resolve_model("large-v9", config.paths)
    message = str(info.value)
    assert "unknown model 'large-v9'" in message
    assert str(config.paths.data_dir / "models") in message
    assert "available: tiny.en" in message


def test_models_missing_model_path(config: Config, tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        resolve_model(str(tmp_path / "nope" / "model"), config.paths)


def test_models_unreadable_model_dir(config: Config, tmp_path: Path) -> None:
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    with pytest.raises(ModelUnreadableError, match=r"missing model\.bin"):
        resolve_model(str(broken), config.paths)
