"""The application core: one Dictation per launch, each piece loaded once, every entry point's path."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from dictanote.app import Dictation, SessionStart
from dictanote.core.config import Config, load_config
from dictanote.core.errors import (
    AudioNotFoundError,
    ConfigError,
    ModelNotFoundError,
    OutputFileError,
    UnknownFormatError,
)
from dictanote.core.policy import PRIVATE_FORMAT, parse_utc
from dictanote.core.types import Transcript
from tests.util import SAMPLES, load_samples, local_zone, signable

TEXT = "Subjective. Client reports better sleep. Plan. Continue weekly sessions. Private note. I felt tired."


def _vocabulary(config: Config, text: str) -> None:
    path = config.paths.config_dir / "vocabulary.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_dictation_loads_each_format_once(dictation: Dictation) -> None:
    assert dictation.format("dap") is dictation.format("dap")
    assert dictation.format() is dictation.format("soap")  # the `format` setting
    assert dictation.private_format.id == PRIVATE_FORMAT


def test_dictation_reads_the_vocabulary_once(config: Config) -> None:
    _vocabulary(config, '[replace]\n"better sleep" = "restful sleep"\n')
    dictation = Dictation(config)
    first = dictation.from_text(TEXT, "soap")
    _vocabulary(config, "this is not TOML [")  # a later edit is not read by this launch
    second = dictation.from_text(TEXT, "soap")
    assert "restful sleep" in first.draft.field("subjective").text
    assert first.draft == second.draft


def test_dictation_from_text_is_a_checked_draft_with_its_private_note(dictation: Dictation) -> None:
    result = dictation.from_text(TEXT, "soap")
    assert result.format.id == "soap" and result.transcript is None
    assert result.private_format is not None and result.private_format.id == PRIVATE_FORMAT
    assert result.has_private and "tired" in result.draft.private.fields[0].text  # type: ignore[union-attr]
    assert "tired" not in " ".join(f.text for f in result.draft.fields)
    assert {f.code for f in result.findings} >= {"no-risk-statement"}
    assert result.to_json()["private"]["format"] == PRIVATE_FORMAT


def test_dictation_from_text_compares_with_the_previous_note(dictation: Dictation) -> None:
    text = "Subjective. Client reports better sleep and calmer evenings this week with her family."
    assert "copied-forward" in {f.code for f in dictation.from_text(text, "soap", previous=text).findings}
    assert "copied-forward" not in {f.code for f in dictation.from_text(text, "soap").findings}


def test_dictation_from_transcript_keeps_the_transcript(dictation: Dictation) -> None:
    from dictanote.core.types import DecodingOptions, Timings

    heard = Transcript("Plan. Meet next week.", (), 2.0, "tiny.en", DecodingOptions(), Timings(0.0, 0.1))
    result = dictation.from_transcript(heard, "dap")
    assert result.transcript is heard
    assert result.draft.field("plan").text == "Meet next week."


def test_dictation_from_transcript_cuts_the_private_span_out_of_the_record(dictation: Dictation) -> None:
    """The daemon's and live dictation's path: what is saved and shown never holds private words."""
    from dictanote.core.codec import draft_to_dict
    from dictanote.core.policy import PRIVATE_CUT_MARK
    from dictanote.core.types import DecodingOptions, Timings

    said = "Plan. Meet next week. Private note. I felt countertransference anger. Assessment. Stable."
    heard = Transcript(said, (), 9.0, "tiny.en", DecodingOptions(), Timings(0.0, 0.1))
    result = dictation.from_transcript(heard, "soap")
    clinical = draft_to_dict(result.draft)
    private = clinical.pop("private")
    assert "countertransference" in private["transcript"]
    assert "countertransference" not in str(clinical) + str(result.to_json()["transcript"])
    assert "countertransference" not in str([f.to_dict() for f in result.findings])
    assert result.draft.transcript == "Plan. Meet next week. " + PRIVATE_CUT_MARK
    assert "private-unclosed" in {f.code for f in result.findings}
    assert dictation.cut_private(said) == result.draft.transcript


def test_dictation_vocabulary_terms_become_hotwords_when_asked(config: Config) -> None:
    assert Dictation(config).decoding_options.hotwords is None
    path = config.paths.config_dir / "vocabulary.toml"
    path.parent.mkdir(parents=True)
    path.write_text('terms = ["sertraline", "Bright Futures"]\n')
    assert Dictation(config).decoding_options.hotwords is None  # biasing is opt-in (see settings help)
    enabled = load_config(overrides={"hotwords": True})
    assert Dictation(enabled).decoding_options.hotwords == "sertraline Bright Futures"


def test_dictation_initial_prompt_setting_reaches_the_decoding_options(config: Config) -> None:
    assert Dictation(config).decoding_options.initial_prompt is None
    prompted = load_config(environ={"DICTANOTE_INITIAL_PROMPT": "Sertraline 50 mg daily."})
    assert Dictation(prompted).decoding_options.initial_prompt == "Sertraline 50 mg daily."


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        ("format", UnknownFormatError),
        ("vocabulary", ConfigError),
        ("model", ModelNotFoundError),
    ],
)
def test_dictation_from_audio_fails_before_reading_audio(config: Config, setup: str, error: type) -> None:
    """A bad format, vocabulary or model is reported before the (missing) audio file is touched."""
    format_id = "sopa" if setup == "format" else "soap"
    if setup == "vocabulary":
        _vocabulary(config, "terms = 3\n")
    if setup == "model":
        config = load_config({"model": "no-such-model"})
    with pytest.raises(error):
        Dictation(config).from_audio(Path("/nonexistent.flac"), format_id)


def test_dictation_transcriber_is_resolved_only_when_needed() -> None:
    dictation = Dictation(load_config({"model": "no-such-model"}))
    assert dictation.from_text("Plan. Rest.", "soap").draft.field("plan").text == "Rest."
    with pytest.raises(ModelNotFoundError):
        _ = dictation.transcriber
    with pytest.raises(AudioNotFoundError):
        Dictation(load_config()).from_audio(Path("/nonexistent.flac"), "soap")


def test_dictation_stored_draft_findings_know_its_age(dictation: Dictation) -> None:
    stored = dictation.save(dictation.from_text(TEXT, "soap"), source="test")
    created = parse_utc(stored.created_at)

    def window(hours: float) -> set[str]:
        found = dictation.findings(stored, now=created + dt.timedelta(hours=hours))
        return {f.code for f in found if f.code.startswith("documentation-")}

    assert window(1) == set()
    assert window(72) == {"documentation-due"}  # the window's last moment
    assert window(72.01) == {"documentation-late"}


def test_dictation_save_into_an_open_store(dictation: Dictation) -> None:
    with dictation.open_store() as store:
        stored = dictation.save(dictation.from_text(TEXT, "soap"), source="test", store=store)
        assert [d.id for d in store.list_drafts()] == [stored.id]
        assert len(store.list_drafts(private=True)) == 1  # the companion went to the private record


def _signed_note(dictation: Dictation) -> int:
    with dictation.open_store() as store:
        result = dictation.from_text(TEXT, "soap")
        stored = dictation.save(
            replace(result, draft=signable(store, result.draft)), source="test", store=store
        )
        return store.finalize_draft(stored.id, expected_version=stored.version, signed_by="J. Rivera").id


def _exports(dictation: Dictation) -> list[dict[str, Any]]:
    with dictation.open_store() as store:
        return [e.detail for e in store.audit_entries() if e.action == "exported"]


def test_dictation_export_is_audited_after_delivery(dictation: Dictation) -> None:
    note_id = _signed_note(dictation)
    delivered: list[str] = []
    exported = dictation.export(note_id, "text", deliver=lambda e: delivered.append(e.text))
    assert delivered == [exported.text] and "Client reports better sleep." in exported.text
    assert "tired" not in exported.text  # the private note never leaves with the record
    assert len(_exports(dictation)) == 1


def test_dictation_export_that_fails_on_the_way_is_not_audited(dictation: Dictation) -> None:
    note_id = _signed_note(dictation)

    def fail(_: object) -> None:
        raise OutputFileError("cannot write there")

    with pytest.raises(OutputFileError):
        dictation.export(note_id, "markdown", deliver=fail)
    assert _exports(dictation) == []


def test_dictation_renders_a_draft_and_a_note(dictation: Dictation) -> None:
    result = dictation.from_text(TEXT, "soap")
    assert dictation.render(result.draft, result.findings) == dictation.render_result(result)
    note_id = _signed_note(dictation)
    with dictation.open_store() as store:
        note = store.get_note(note_id)
    assert "J. Rivera" in dictation.render_note(note)


def test_dictation_switch_format_keeps_every_sentence(dictation: Dictation) -> None:
    draft = dictation.from_text(TEXT, "soap").draft
    switched = dictation.switch_format(draft, "dap")
    assert switched.format == "dap"
    assert sorted(s.text for f in switched.fields for s in f.sentences) == sorted(
        s.text for f in draft.fields for s in f.sentences
    )


@pytest.mark.slow
def test_dictation_from_audio_with_the_real_model(config: Config, transcriber: Any) -> None:
    sample = next(s for s in load_samples() if s.id == "birp-headed")
    result = Dictation(config, transcriber).from_audio(SAMPLES / f"{sample.id}.flac", sample.format)
    assert result.transcript is not None and result.transcript.model == "tiny.en"
    assert all(f.sentences for f in result.draft.fields)


@pytest.mark.slow
def test_dictation_warm_up_readies_everything_the_first_stop_needs_once(
    config: Config, transcriber: Any
) -> None:
    from dictanote.segment import correct

    correct._names.cache_clear()
    dictation = Dictation(config, transcriber=transcriber)  # type: ignore[arg-type]
    dictation.warm_up()
    assert correct._names.cache_info().currsize == 1  # the lexicon's names coded before any dictation
    assert config.settings.format in dictation._formats
    dictation.warm_up()  # the microphone reopened: nothing is drafted again
    assert correct._names.cache_info().hits == 0


def test_dictation_session_defaults_to_when_the_dictation_started(dictation: Dictation) -> None:
    started = dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.timezone.utc)
    with local_zone("America/New_York"):
        unsaid = dictation.from_text(TEXT, "soap", start=SessionStart(client_id="C1", started=started))
        said = dictation.from_text(
            "Seen on March 12, 2026. Subjective. Sleeping better.",
            "soap",
            start=SessionStart(started=started),
        )
    assert (unsaid.draft.session.client_id, unsaid.draft.session.date, unsaid.draft.session.time) == (
        "C1",
        "2026-11-30",
        "09:05",
    )
    assert (said.draft.session.date, said.draft.session.time) == ("2026-03-12", None)  # as said; no time
    assert dictation.from_text(TEXT, "soap").draft.session.date is None  # text alone: nothing assumed


def test_dictation_checks_copied_forward_against_the_clients_previous_note(dictation: Dictation) -> None:
    text = (
        "Subjective. Client reports that the week went well, sleeping seven hours and walking every morning. "
        "Plan. Continue weekly sessions."
    )
    with dictation.open_store() as store:
        store.add_client("C1", name="M.R.")
        store.add_client("C2", name="M.R.")
        first = dictation.save(dictation.from_text(text, "soap", start=SessionStart("C1")), store=store)
        store.finalize_draft(first.id, expected_version=None, signed_by="Dr. A")
        again = dictation.save(dictation.from_text(text, "soap", start=SessionStart("C1")), store=store)
        other = dictation.save(dictation.from_text(text, "soap", start=SessionStart("C2")), store=store)
        assert "copied-forward" in {f.code for f in dictation.findings(again, store=store)}
        assert "copied-forward" not in {
            f.code for f in dictation.findings(other, store=store)
        }  # another client
        assert "copied-forward" not in {f.code for f in dictation.findings(again)}  # no store: not checked
