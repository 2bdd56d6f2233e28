"""The segmenter's one spaCy pipeline (``segment.nlp``): how it loads."""

from __future__ import annotations

import subprocess
import sys


def test_nlp_pipeline_loads_without_spacy_cli_and_spacy_cli_still_works() -> None:
    """In a fresh process: the load leaves spaCy's CLI (typer, weasel) unimported, yet usable."""
    code = (
        "import sys\n"
        "from dictanote.segment.nlp import pipeline\n"
        "nlp = pipeline()\n"
        "assert nlp.pipe_names == ['sentencizer', 'textcat'], nlp.pipe_names\n"
        "assert not [m for m in ('typer', 'weasel', 'click') if m in sys.modules]\n"
        "import spacy\n"
        "assert sorted(spacy.info(markdown=False, silent=True))\n"
        "from spacy.cli import download\n"
        "import spacy.cli\n"
        "assert callable(download) and spacy.cli.download is download\n"
        "assert 'typer' in sys.modules and type(sys.modules['spacy.cli']).__name__ == 'module'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
