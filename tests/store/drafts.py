"""A draft as the store tests save it: every kind of sentence and session fact, built by hand.

Also imported by the writer subprocesses of ``test_db.py``, so it needs nothing but dictanote.
"""

from __future__ import annotations

from dictanote.core.types import Draft, DraftField, Sentence, SessionInfo


def sample_draft(
    fmt: str = "soap", client: str | None = "JD", private: Draft | None = None, **session: object
) -> Draft:
    """A SOAP (or psychotherapy) draft with a client and the session facts given."""
    fields = {
        "soap": (
            DraftField(
                "subjective", "Subjective", (Sentence("Client reports better sleep.", "spoken_header", 0.97),)
            ),
            DraftField("objective", "Objective", (Sentence("Calm and engaged.", "inferred", 0.55),)),
            DraftField("assessment", "Assessment", ()),
            DraftField("plan", "Plan", (Sentence("Meet again next week.", "inferred", 0.9, role="plan"),)),
        ),
        "psychotherapy": (
            DraftField(
                "reflections", "Reflections", (Sentence("I felt protective today.", "inferred", 0.8),)
            ),
            DraftField("process_observations", "Process observations", ()),
            DraftField("questions", "Questions", ()),
        ),
    }[fmt]
    return Draft(
        format=fmt,
        transcript="Client reports better sleep. Calm and engaged. Meet again next week.",
        fields=fields,
        session=SessionInfo(client=client, **session),  # type: ignore[arg-type]
        segmenter="roles-hmm-v1",
        private=private,
    )
