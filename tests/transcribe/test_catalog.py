"""transcribe/catalog.py: each addable model pinned in one place, and the pyproject extra that installs it."""

from __future__ import annotations

import re

import pytest

from dictanote.core.datafile import read_toml
from dictanote.transcribe.catalog import BUNDLES, Bundle
from dictanote.transcribe.models import REQUIRED_FILES
from tests.util import REPO


@pytest.mark.parametrize("bundle", BUNDLES.values(), ids=lambda b: b.name)
def test_catalog_bundle_is_a_whole_pinned_model(bundle: Bundle) -> None:
    names = [f.name for f in bundle.files]
    assert set(REQUIRED_FILES) <= set(names) and "tokenizer.json" in names
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[0-9a-f]{64}", f.sha256) for f in bundle.files)
    assert all(f.pieces for f in bundle.files)


@pytest.mark.parametrize("bundle", BUNDLES.values(), ids=lambda b: b.name)
def test_catalog_extra_installs_exactly_the_pinned_distributions(bundle: Bundle) -> None:
    project = read_toml(REPO / "pyproject.toml", what="pyproject")["project"]
    assert project["optional-dependencies"][bundle.name] == list(bundle.distributions)
    assert all("==" in d for d in bundle.distributions)  # the hashes pin one version
    assert bundle.install_hint == f"pip install 'dictanote[{bundle.name}]'"
    packages = {p.package for f in bundle.files for p in f.pieces}
    assert packages == {d.split("==")[0].replace("-", "_") for d in bundle.distributions}
