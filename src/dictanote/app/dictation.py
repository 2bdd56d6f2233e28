"""The application core: one ``Dictation`` wires the stages for every entry point.

Built once from a ``Config``: note formats, the vocabulary and the segmenter's
options are loaded on first use and kept; the transcriber is resolved and
loaded only when audio arrives; stores are opened on demand. ``from_audio``,
``from_text`` and ``from_transcript`` are the only places that segment and
check; the CLI, the live engine, the daemon and the review server all come
here. Nothing here prints, parses flags or speaks HTTP.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.config import Config
from ..core.formats import list_formats, load_format
from ..core.policy import NO_SHOW_FORMAT, NOT_HELD, PRIVATE_FORMAT, hours_since
from ..core.types import (
    DecodingOptions,
    Draft,
    Finding,
    Note,
    NoteFormat,
    SessionInfo,
    StoredDraft,
    Transcript,
    Word,
)
from ..core.vocabulary import Vocabulary, load_lexicon, load_vocabulary
from .values import DraftResult, SessionStart

if TYPE_CHECKING:
    from ..check import GoalSuggestion
    from ..export import Exported, ExportKind
    from ..render import WordMarkup
    from ..segment import SegmentOptions
    from ..store import Ask, Store, StoreKeys
    from ..transcribe import Transcriber

log = logging.getLogger(__name__)

# Audio longer than this gets a progress callback (the CLI shows a bar on a terminal).
PROGRESS_MIN_S = 30.0
# Drafted once when a live engine warms up (never saved, never shown): every rule file, the lexicon's
# codes and the templates are ready before the first stop.
WARM_UP_TEXT = "Subjective. Client reports sleeping better on sertraline 50 mg. Denies SI. Plan. Continue."

ProgressFactory = Callable[[float], Callable[[float], None] | None]


class Dictation:
    """Everything needed to turn a dictation into a checked draft, and to keep and export it."""

    def __init__(
        self, config: Config, transcriber: Transcriber | None = None, passphrase: Ask | None = None
    ) -> None:
        """Nothing is read here; each piece loads on first use and is kept.

        ``transcriber``: one already made (tests and benchmarks share a loaded model).
        ``passphrase``: how the entry point asks for the store's passphrase where there is
        no OS keyring (called at most once, and only if the store needs it).
        """
        self.config = config
        self._formats: dict[str, NoteFormat] = {}
        self._ask = passphrase
        self._keys: StoreKeys | None = None
        self._warmed = False
        if transcriber is not None:
            self.__dict__["transcriber"] = transcriber  # what the cached property would hold

    # --- what is loaded once ------------------------------------------------------

    def format(self, format_id: str | None = None) -> NoteFormat:
        """A note format by id (default: the ``format`` setting); ``UnknownFormatError`` names the others."""
        chosen = format_id or self.config.settings.format
        if chosen not in self._formats:
            self._formats[chosen] = load_format(chosen, self.config.paths)
        return self._formats[chosen]

    def formats(self) -> list[NoteFormat]:
        """Every available format, the user's overriding shipped ones of the same id."""
        return list_formats(self.config.paths)

    @property
    def private_format(self) -> NoteFormat:
        """The psychotherapy (private) note format."""
        return self.format(PRIVATE_FORMAT)

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """Shipped clinical replacements plus the user's vocabulary file."""
        return load_vocabulary(self.config.paths)

    @cached_property
    def segment_options(self) -> SegmentOptions:
        """What the segmenter needs: the vocabulary's replacements and lexicon, and the private format."""
        from ..segment import SegmentOptions

        return SegmentOptions(
            replacements=self.vocabulary.replacements,
            private_format=self.private_format,
            lexicon=load_lexicon(self.vocabulary),
        )

    @property
    def decoding_options(self) -> DecodingOptions:
        """The decoding options the settings ask for (vocabulary terms as hotwords if enabled)."""
        s = self.config.settings
        return DecodingOptions(
            beam_size=s.beam_size,
            compute_type=s.compute_type,
            cpu_threads=s.cpu_threads,
            vad_filter=s.vad_filter,
            hotwords=self.vocabulary.hotwords if s.hotwords else None,
            initial_prompt=s.initial_prompt or None,
        )

    @cached_property
    def transcriber(self) -> Transcriber:
        """The configured model's transcriber: resolved now (``ModelNotFoundError``), loaded on first use."""
        from ..transcribe import Transcriber, resolve_model

        model = resolve_model(self.config.settings.model, self.config.paths)
        return Transcriber(model, self.decoding_options)

    def warm_up(self) -> None:
        """Load the speech model, the segmenter and the checks now, once (the daemon, live capture).

        The segmenter's spaCy pipeline loads in a thread while the model loads; then a
        throwaway draft of ``WARM_UP_TEXT`` (of the configured format) compiles the rules,
        codes the vocabulary's lexicon and loads the templates, so the first stop pays for
        none of them. An engine warmed again (the microphone reopened) does nothing more.
        """
        from ..segment import warm_up

        if self._warmed:
            return
        loading = warm_up()
        self.transcriber.load()
        loading.join()
        result = self._draft(WARM_UP_TEXT, self.format())
        self.render(result.draft, result.findings)
        self._warmed = True

    def prepare(self, format_id: str | None = None) -> NoteFormat:
        """Load the format and the segmenter's options now, so a bad one fails before any audio is spent."""
        fmt = self.format(format_id)
        _ = self.segment_options
        return fmt

    # --- a dictation becomes a checked draft ----------------------------------------

    def transcribe(self, path: Path, progress: ProgressFactory | None = None) -> Transcript:
        """Decode and transcribe an audio file the user passed in (kept in memory only)."""
        from ..transcribe import load_audio_file

        engine = self.transcriber
        audio = load_audio_file(path)
        callback = progress(audio.duration_s) if progress and audio.duration_s > PROGRESS_MIN_S else None
        return engine.transcribe(audio, on_progress=callback)

    def from_audio(
        self,
        path: Path,
        format_id: str | None = None,
        progress: ProgressFactory | None = None,
        start: SessionStart | None = None,
    ) -> DraftResult:
        """Transcribe an audio file and make a checked draft of the given format."""
        from ..segment import warm_up

        start = start or SessionStart(started=dt.datetime.now(dt.timezone.utc))
        self.prepare(format_id)
        warm_up()  # load the segmenter's spaCy pipeline while the audio is transcribed
        return self.from_transcript(self.transcribe(path, progress), format_id, start)

    def from_transcript(
        self, transcript: Transcript, format_id: str | None = None, start: SessionStart | None = None
    ) -> DraftResult:
        """A checked draft of what the transcriber heard (a file's, or a live dictation's)."""
        heard = tuple(w for s in transcript.segments for w in s.words)
        result = self._draft(transcript.text, self.format(format_id), heard=heard, start=start)
        return DraftResult(result.draft, result.format, result.findings, transcript, result.private_format)

    def from_text(
        self,
        text: str,
        format_id: str | None = None,
        previous: str | None = None,
        start: SessionStart | None = None,
    ) -> DraftResult:
        """A checked draft of a transcript's text; ``previous`` is the client's previous note, as text."""
        fmt = self.format(format_id)
        earlier = self._segment(previous, fmt) if previous else None
        return self._draft(text, fmt, earlier, start=start)

    def client(self, client_id: str, store: Store | None = None) -> str:
        """A client id checked against the list (as the list spells it); ``RecordNotFoundError`` if absent.

        Called before any audio is spent, so a mistyped ``--client`` fails at once.
        """
        if store is None:
            with self.open_store() as opened:
                return self.client(client_id, opened)
        return store.get_client(client_id).id

    def cut_private(self, transcript: str) -> str:
        """A stored transcript with its private spans cut out, heard as ``from_text`` hears them now.

        Cutting a cut transcript changes nothing (for the store's one-time correction).
        """
        from ..segment import cut_private

        return cut_private(transcript, self.vocabulary.replacements)

    def _segment(self, text: str, fmt: NoteFormat, heard: tuple[Word, ...] = ()) -> Draft:
        from ..segment import segment_transcript

        return segment_transcript(text, fmt, self.segment_options, heard)

    def _draft(
        self,
        text: str,
        fmt: NoteFormat,
        previous: Draft | None = None,
        heard: tuple[Word, ...] = (),
        start: SessionStart | None = None,
    ) -> DraftResult:
        """Segment, then check: the one place a transcript becomes a draft (``heard``: Whisper's words).

        With ``start``, the session names its client and, unless the dictation said the date,
        the date and time of service are when the dictation started (local time). A dictation
        that says the session did not happen is drafted as a no-show note whatever format was
        asked (a ``format-switched-no-show`` finding names the one asked).
        """
        from ..check import CheckOptions, check_draft

        draft, asked = self._segment(text, fmt, heard), None
        if draft.session.attendance in NOT_HELD and fmt.id not in (NO_SHOW_FORMAT, PRIVATE_FORMAT):
            asked, fmt = fmt.id, self.format(NO_SHOW_FORMAT)
            draft = self.switch_format(draft, NO_SHOW_FORMAT)
        if start is not None:
            draft = replace(draft, session=session_defaults(draft.session, start))
        findings = check_draft(draft, fmt, CheckOptions(previous=previous, asked_format=asked))
        return DraftResult(draft, fmt, findings, private_format=self.private_format)

    def switch_format(self, draft: Draft, format_id: str) -> Draft:
        """The draft's sentences re-placed into another format's fields."""
        from ..segment import remap

        return remap(draft, self.format(format_id))

    # --- the store ---------------------------------------------------------------------

    def store_keys(self, migrating: bool = False) -> StoreKeys:
        """The store's keys, found once (OS keyring, else the passphrase: asked at most once).

        ``migrating``: keys for the store's plain files too (``dictanote store encrypt``).
        """
        from ..store import store_keys

        if self._keys is None or migrating:
            settings = self.config.settings
            self._keys = store_keys(
                self.config.paths.data_dir, encrypt=settings.encrypt_store, ask=self._ask, migrating=migrating
            )
        return self._keys

    def open_store(self) -> Store:
        """The user's store (drafts inbox, notes, audit log) in the configured data directory."""
        from ..store import Store

        return Store.open(self.config.paths.data_dir, self.store_keys(), redact=self.cut_private)

    def save(self, result: DraftResult, source: str = "cli", store: Store | None = None) -> StoredDraft:
        """Put a draft (and its private companion) in the inbox; the audio is not kept."""
        if store is not None:
            return store.save_draft(result.draft, source=source)
        with self.open_store() as opened:
            return opened.save_draft(result.draft, source=source)

    def findings(
        self, stored: StoredDraft, now: dt.datetime | None = None, store: Store | None = None
    ) -> tuple[Finding, ...]:
        """The checks' findings on a draft in the inbox, the documentation window included.

        With the ``store``, a clinical draft of a known client is also checked against that
        client's previous note (copied forward) and treatment plan (goals, review date).
        """
        from ..check import CheckOptions, check_draft

        previous, plan = None, None
        client_id = stored.draft.session.client_id
        if store is not None and client_id and stored.record == "clinical":
            previous = previous_note(store, stored)
            plan = store.plan(client_id)
        options = CheckOptions(
            previous=previous.content if previous is not None else None,
            age_hours=hours_since(stored.created_at, now),
            plan=plan,
        )
        return check_draft(stored.draft, self.format(stored.draft.format), options)

    def goal_suggestions(self, stored: StoredDraft, store: Store) -> tuple[GoalSuggestion, ...]:
        """Plan goals the words of a clinical draft's unlinked sentences may address (none without a
        client or a plan). Only suggestions: the clinician's confirmation stores a link."""
        from ..check import suggest_goals

        client_id = stored.draft.session.client_id
        plan = store.plan(client_id) if client_id and stored.record == "clinical" else None
        return suggest_goals(stored.draft, plan.content) if plan is not None else ()

    def signer(self, signed_by: str | None, doing: str) -> str:
        """Who signs: ``signed_by``, else the ``clinician`` setting; a one-line ``BadInputError`` naming
        both ways to say it when neither is given (``doing``: "signs this note", ...)."""
        from ..core.errors import BadInputError

        who = (signed_by or self.config.settings.clinician).strip()
        if not who:
            raise BadInputError(
                f"who {doing}? pass --signed-by 'Name, credentials' or set `clinician` in the config file"
            )
        return who

    def amend(
        self,
        note_id: int,
        amended: Draft,
        *,
        reason: str,
        private: bool = False,
        signed_by: str | None = None,
        store: Store | None = None,
    ) -> Note:
        """Amend a finalized note: ``amended`` is the note as it now reads, kept beside the original.

        Signed by ``signed_by``, else the ``clinician`` setting; the time is the store's (UTC).
        A psychotherapy note is amended in the private record only. An amendment that
        changes nothing, or has no reason or signer, is refused (``BadInputError``).
        """
        from ..core.errors import BadInputError

        if not reason.strip():
            raise BadInputError("an amendment needs a reason: say why with --reason 'what changed and why'")
        who = self.signer(signed_by, "amends this note")
        if store is None:
            with self.open_store() as opened:
                return self.amend(
                    note_id, amended, reason=reason, private=private, signed_by=who, store=opened
                )
        note = store.get_note(note_id, private=private)
        current = note.content
        if amended.fields == current.fields and amended.session == current.session:
            raise BadInputError(f"the amendment changes nothing in note {note_id}; nothing was amended")
        return store.amend_note(note_id, amended, reason=reason, signed_by=who, private=private)

    # --- what a person reads -------------------------------------------------------------

    def render(
        self, draft: Draft, findings: tuple[Finding, ...] = (), markup: WordMarkup | None = None
    ) -> str:
        """A draft laid out by its format's Markdown template, with findings and its private note.

        ``markup`` wraps the words to check inline (a terminal's highlighting); Markdown lists them.
        """
        from ..render import PLAIN, render_markdown

        private = self.private_format if draft.private is not None else None
        fmt = self.format(draft.format)
        return render_markdown(draft, fmt, self.config.paths, private, findings, markup or PLAIN)

    def render_result(self, result: DraftResult, markup: WordMarkup | None = None) -> str:
        """A fresh draft as ``dictanote draft`` prints it (findings, then its private note)."""
        return self.render(result.draft, result.findings, markup)

    def render_note(self, note: Note) -> str:
        """A finalized note laid out by its format's template, with signature and amendments."""
        from ..render import render_note

        return render_note(note, self.format(note.content.format), self.config.paths)

    def render_page(self, template: str, context: dict[str, Any]) -> str:
        """An HTML page of the review server, every value escaped."""
        from ..render import render_page

        return render_page(template, context, self.config.paths)

    # --- export ----------------------------------------------------------------------------

    def export(
        self,
        note_id: int,
        kind: ExportKind,
        *,
        private: bool = False,
        deliver: Callable[[Exported], None] | None = None,
        store: Store | None = None,
    ) -> Exported:
        """Export a finalized note and record that in the audit log (the kind, never the words).

        ``deliver`` puts the export where it was asked for (a file, the clipboard,
        stdout); the audit entry is written once it has returned, so an export that
        failed on the way is not recorded. A psychotherapy note only with ``private``.
        """
        from ..export import export_note

        if store is None:
            with self.open_store() as opened:
                return self.export(note_id, kind, private=private, deliver=deliver, store=opened)
        note = store.get_note(note_id, private=private)
        exported = export_note(note, kind, self.config, private=private)
        if deliver is not None:
            deliver(exported)
        store.record_export(note_id, kind, private=private)
        return exported


def session_defaults(session: SessionInfo, start: SessionStart) -> SessionInfo:
    """The session with the client chosen and, where the dictation named no date, the date and
    time of service set to when the dictation started, in the machine's local time."""
    started = (start.started or dt.datetime.now(dt.timezone.utc)).astimezone()
    client_id = start.client_id or session.client_id
    if session.date:
        return replace(session, client_id=client_id)
    return replace(
        session, client_id=client_id, date=started.strftime("%Y-%m-%d"), time=started.strftime("%H:%M")
    )


def previous_note(store: Store, stored: StoredDraft) -> Note | None:
    """The same client's last clinical note before this draft's session (by date of service, then
    signing), for the copied-forward check; None without a client or an earlier note."""
    client_id = stored.draft.session.client_id
    if not client_id:
        return None
    day = stored.draft.session.date or stored.created_at[:10]
    earlier = [
        n
        for n in store.list_notes(client=client_id)
        if n.draft_id != stored.id and (n.content.session.date or n.finalized_at[:10]) <= day
    ]
    return earlier[-1] if earlier else None
