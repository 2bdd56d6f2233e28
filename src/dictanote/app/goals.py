"""Goal links from anywhere: which sentences of a draft can be linked to plan goals, and one link made.

``goal_links`` gathers a clinical draft's sentences (field, 1-based number, first words) with the
goals they link and the suggestion, and the client's plan goals; ``link_goal`` links (or unlinks)
one sentence to one goal as a new revision; ``checked_goal_links`` holds a whole edited draft
(the review page's save) to the same plan. Nothing here prints, parses flags or speaks HTTP; the
store saves and audits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..core.errors import BadInputError, DraftDataError

if TYPE_CHECKING:
    from ..core.plans import TreatmentPlan
    from ..core.types import Draft, StoredDraft
    from ..store import Store
    from .dictation import Dictation

# How many words of a sentence tell it from its neighbours in a terminal list.
SENTENCE_WORDS = 8


@dataclass(frozen=True)
class LinkableSentence:
    """A sentence a goal can be linked to: its field, its number there (from 1), how it starts, its links."""

    field: str
    label: str
    number: int
    first_words: str
    goals: tuple[str, ...]
    suggested: str | None

    def to_dict(self) -> dict[str, Any]:
        """The sentence as ``drafts goals --json`` spells it."""
        return {
            "field": self.field,
            "label": self.label,
            "number": self.number,
            "first_words": self.first_words,
            "goals": list(self.goals),
            "suggested": self.suggested,
        }


@dataclass(frozen=True)
class GoalLinks:
    """A clinical draft's sentences with their goal links, and the plan (goal id, text) they link into."""

    draft_id: int
    version: int
    format: str
    client_id: str
    plan_version: int
    goals: tuple[tuple[str, str], ...]
    sentences: tuple[LinkableSentence, ...]

    def to_dict(self) -> dict[str, Any]:
        """The whole view as ``drafts goals --json`` prints it."""
        return {
            "draft_id": self.draft_id,
            "version": self.version,
            "format": self.format,
            "client_id": self.client_id,
            "plan_version": self.plan_version,
            "goals": [{"id": g, "text": t} for g, t in self.goals],
            "sentences": [s.to_dict() for s in self.sentences],
        }


@dataclass(frozen=True)
class LinkResult:
    """What ``link_goal`` did: the draft as it stands now, the goal as the plan spells it, if it saved."""

    stored: StoredDraft
    goal: str
    changed: bool


def _client_of(stored: StoredDraft) -> str:
    client_id = stored.draft.session.client_id
    if not client_id:
        raise BadInputError(
            f"draft {stored.id} has no client, so no treatment plan to link to: choose one with "
            f"`dictanote drafts client {stored.id} CLIENT`"
        )
    return client_id


def _plan_of(store: Store, client_id: str) -> TreatmentPlan:
    plan = store.plan(client_id)
    if plan is None:
        raise BadInputError(
            f"{client_id} has no treatment plan, so no goal to link to: write one with "
            f"`dictanote plans edit {client_id}`"
        )
    return plan


def _words(text: str) -> str:
    words = text.split()
    return " ".join(words[:SENTENCE_WORDS]) + ("…" if len(words) > SENTENCE_WORDS else "")


def goal_links(dictation: Dictation, store: Store, draft_id: int) -> GoalLinks:
    """Clinical draft ``draft_id``'s sentences with their links and suggestions, and its client's plan goals.

    Refused (``BadInputError``, one line) for a draft without a client or whose client has no plan.
    """
    stored = store.get_draft(draft_id)
    client_id = _client_of(stored)
    plan = _plan_of(store, client_id)
    suggested = {(s.field, s.index): s.goal for s in dictation.goal_suggestions(stored, store)}
    sentences = tuple(
        LinkableSentence(f.id, f.label, i + 1, _words(s.text), s.goals, suggested.get((f.id, i)))
        for f in stored.draft.fields
        for i, s in enumerate(f.sentences)
    )
    goals = tuple((g.id, g.text) for g in plan.content.goals)
    return GoalLinks(
        stored.id, stored.version, stored.draft.format, client_id, plan.version, goals, sentences
    )


def _field_index(draft: Draft, draft_id: int, field: str) -> int:
    for n, f in enumerate(draft.fields):
        if f.id.lower() == field.strip().lower():
            return n
    have = ", ".join(f.id for f in draft.fields)
    raise BadInputError(f"draft {draft_id} ({draft.format}) has no field {field[:40]!r}; fields: {have}")


def _sentence_index(draft: Draft, draft_id: int, at: int, number: int) -> int:
    f = draft.fields[at]
    count = len(f.sentences)
    if 1 <= number <= count:
        return number - 1
    has = f"has {count} sentence{'s' if count != 1 else ''} (numbered from 1)" if count else "is empty"
    raise BadInputError(f"field {f.id!r} of draft {draft_id} {has}: there is no sentence {number}")


def link_goal(
    store: Store,
    draft_id: int,
    field: str,
    number: int,
    goal: str,
    *,
    unlink: bool = False,
    expected_version: int | None = None,
) -> LinkResult:
    """Link sentence ``number`` (from 1) of ``field`` of clinical draft ``draft_id`` to plan goal ``goal``.

    Saved as a new revision (``Sentence.goals`` changed); ``unlink`` removes the link instead.
    Refused (``BadInputError``, one line) when the draft has no client, the client no plan, the
    goal is not in the plan (a link the sentence already carries can still be removed), or the
    field or sentence does not exist. Ids compare without case and are kept as the plan spells
    them. Linking a linked goal or unlinking an unlinked one saves nothing (``changed`` False).
    ``expected_version``: the version the caller saw (None: the current one).
    """
    stored = store.get_draft(draft_id)
    client_id = _client_of(stored)
    draft = stored.draft
    at = _field_index(draft, draft_id, field)
    index = _sentence_index(draft, draft_id, at, number)
    sentence = draft.fields[at].sentences[index]
    linked = {g.lower(): g for g in sentence.goals}
    if unlink:
        spelled = linked.get(goal.strip().lower(), goal.strip())
        goals = tuple(g for g in sentence.goals if g != spelled)
    else:
        plan = _plan_of(store, client_id)
        found = plan.content.goal(goal.strip())
        if found is None:
            have = ", ".join(g.id for g in plan.content.goals) or "none yet"
            raise BadInputError(
                f"goal {goal[:20]!r} is not in {client_id}'s treatment plan (version {plan.version}); "
                f"goals: {have}"
            )
        spelled = found.id
        goals = sentence.goals if spelled.lower() in linked else (*sentence.goals, spelled)
    if goals == sentence.goals:
        return LinkResult(stored, spelled, changed=False)
    f = draft.fields[at]
    sentences = (*f.sentences[:index], replace(sentence, goals=goals), *f.sentences[index + 1 :])
    fields = (*draft.fields[:at], replace(f, sentences=sentences), *draft.fields[at + 1 :])
    version = stored.version if expected_version is None else expected_version
    saved = store.update_draft(draft_id, replace(draft, fields=fields), expected_version=version)
    return LinkResult(saved, spelled, changed=True)


def checked_goal_links(edited: Draft, before: Draft, plan: TreatmentPlan | None) -> Draft:
    """``edited`` with its sentences' goal ids spelled as the plan spells them; a goal the client's plan
    does not have (and the sentence did not already carry) is refused, one line (DraftDataError, 400)."""
    spelled = {g.id.lower(): g.id for g in plan.content.goals} if plan else {}
    kept = {g.lower(): g for g in _linked_ids(before)}
    fields = []
    for f in edited.fields:
        sentences = []
        for s in f.sentences:
            ids = []
            for g in s.goals:
                known = spelled.get(g.lower()) or kept.get(g.lower())
                if known is None:
                    have = ", ".join(spelled.values()) or "none: this client has no treatment plan"
                    raise DraftDataError(f"goal {g[:20]!r} is not in this client's plan; goals: {have}")
                if known not in ids:
                    ids.append(known)
            sentences.append(replace(s, goals=tuple(ids)))
        fields.append(replace(f, sentences=tuple(sentences)))
    return replace(edited, fields=tuple(fields))


def _linked_ids(draft: Draft) -> list[str]:
    return [g for f in draft.fields for s in f.sentences for g in s.goals]
