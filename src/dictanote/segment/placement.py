"""Choose a field for every sentence: a small hidden Markov model over the format's fields.

Each sentence's evidence is the classifier's role probabilities, summed over the
roles a field takes. Clinicians mostly dictate fields in the format's order, so
staying in a field is cheap, moving forward costs a little and going back costs a
lot unless a spoken header says so. A spoken header pins its sentence to its
field; a field that is announced later is unlikely before its header. Viterbi
gives the placement; forward-backward gives each sentence's confidence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.types import NoteFormat

NEG_INF = float("-inf")
# Roles of risk and safety: a field taking only these is dictated wherever risk comes up.
RISK_ROLES = frozenset({"risk_report", "risk_assessment", "safety_action"})


@dataclass(frozen=True)
class PlacementModel:
    """Transition and prior probabilities.

    Chosen by a coarse grid search (benchmarks/segment.py's cases: our samples, the shared
    development dictations and the real-world notes' dev half; checked on the held-out half);
    neighbouring values score within 1 %. ``floor`` is added to every field's evidence: the
    higher, the less one confidently misread sentence weighs against its run (0.05 over
    0.01: real-world dev +1.4 points). Tempering the evidence (a power below 1) and blending
    each sentence's evidence with its neighbours' both helped long medical notes and cost
    the short therapy ones (a field there is often one sentence), so neither is used.
    ``detour_share``: the evidence that takes a sentence to a detour field (``detour_fields``).
    """

    stay: float = 0.65
    forward: float = 0.34
    backward: float = 0.01
    skip_decay: float = 0.35
    first_field: float = 0.55
    before_own_header: float = 0.2
    floor: float = 0.05
    detour_share: float = 0.85


@dataclass(frozen=True)
class Placement:
    """The chosen field index for each sentence and the model's confidence in it."""

    fields: tuple[int, ...]
    confidence: tuple[float, ...]


def field_scores(fmt: NoteFormat, role_probs: Sequence[Mapping[str, float]]) -> list[list[float]]:
    """P(field | sentence) from role probabilities and the format's role map."""
    if not any(spec.roles for spec in fmt.fields):
        return [[1.0 / len(fmt.fields)] * len(fmt.fields) for _ in role_probs]
    scores = []
    for probs in role_probs:
        row = [sum(probs.get(r, 0.0) for r in spec.roles) for spec in fmt.fields]
        total = sum(row) or 1.0
        scores.append([v / total for v in row])
    return scores


def detour_fields(fmt: NoteFormat) -> tuple[bool, ...]:
    """Which fields a dictation visits out of order: those that take only risk roles.

    Clinicians mention suicidal ideation or a safety plan wherever it comes up, not in the
    format's order (the progress format's "Risk and safety" sits fifth of six).
    """
    return tuple(bool(spec.roles) and set(spec.roles) <= RISK_ROLES for spec in fmt.fields)


def _log(p: float) -> float:
    return math.log(p) if p > 0 else NEG_INF


def _transition(n: int, model: PlacementModel) -> list[list[float]]:
    table = []
    for i in range(n):
        row = []
        for j in range(n):
            if j == i:
                p = model.stay
            elif j > i:
                p = model.forward * model.skip_decay ** (j - i - 1)
            else:
                p = model.backward
            row.append(p)
        total = sum(row)
        table.append([_log(p / total) for p in row])
    return table


def _emissions(
    scores: Sequence[Sequence[float]],
    headers: Sequence[int | None],
    model: PlacementModel,
    returning: Sequence[bool],
) -> list[list[float]]:
    n = len(scores[0]) if scores else 0
    # A field announced later is unlikely before its header, unless the clinician
    # announced it as a return ("back to subjective"): then it was dictated before.
    first_header: dict[int, int] = {}
    for t, h in enumerate(headers):
        if h is not None:
            first_header.setdefault(h, len(headers) if returning[t] else t)
    rows = []
    for t, row in enumerate(scores):
        if headers[t] is not None:
            rows.append([0.0 if f == headers[t] else NEG_INF for f in range(n)])
            continue
        out = []
        for f in range(n):
            p = model.floor + row[f]
            if f in first_header and first_header[f] > t:
                p *= model.before_own_header
            out.append(_log(p))
        rows.append(out)
    return rows


def place(
    scores: Sequence[Sequence[float]],
    headers: Sequence[int | None],
    model: PlacementModel | None = None,
    returning: Sequence[bool] | None = None,
    detours: Sequence[bool] | None = None,
) -> Placement:
    """Best field per sentence given field scores and spoken headers (field index or None).

    ``returning`` marks headers spoken as a return to a field ("back to the plan"); ``detours``
    the fields visited out of order (``detour_fields``). A sentence whose evidence is mostly for
    a detour field (risk) but is placed elsewhere has at most the rest of that evidence as its
    confidence, so that it is shown for review.
    """
    import numpy as np

    model = model or PlacementModel()
    if not scores:
        return Placement((), ())
    n = len(scores[0])
    with np.errstate(divide="ignore"):
        emit = np.array(_emissions(scores, headers, model, returning or [False] * len(headers)))
        trans = np.array(_transition(n, model))
        start = np.log(
            np.array([1.0] if n == 1 else [model.first_field] + [(1 - model.first_field) / (n - 1)] * (n - 1))
        )
    free = np.zeros((n, n))  # moving to a spoken header's field costs nothing
    steps = [free if h is not None else trans for h in headers]

    # Viterbi.
    best = start + emit[0]
    back = []
    for t in range(1, len(scores)):
        cand = best[:, None] + steps[t]
        back.append(cand.argmax(axis=0))
        best = cand.max(axis=0) + emit[t]
    path = [int(best.argmax())]
    for ptr in reversed(back):
        path.append(int(ptr[path[-1]]))
    path.reverse()
    detours = detours or [False] * n
    detoured = _detour(path, scores, headers, detours, model.detour_share)

    # Forward-backward for marginals.
    fwd = np.empty_like(emit)
    fwd[0] = start + emit[0]
    for t in range(1, len(scores)):
        fwd[t] = _logsumexp_cols(fwd[t - 1][:, None] + steps[t]) + emit[t]
    bwd = np.zeros_like(emit)
    for t in range(len(scores) - 1, 0, -1):
        bwd[t - 1] = _logsumexp_cols((steps[t] + emit[t] + bwd[t]).T)
    joint = fwd + bwd
    total = _logsumexp_cols(joint.T)
    with np.errstate(invalid="ignore"):
        marginal = np.exp(joint - total[:, None])
    confidence = [float(marginal[t, f]) if np.isfinite(marginal[t, f]) else 0.0 for t, f in enumerate(path)]
    for t, f in enumerate(path):
        risk = sum(p for g, p in enumerate(scores[t]) if detours[g])
        if t in detoured:  # as sure as its evidence for the field
            confidence[t] = scores[t][f]
        elif risk >= 0.5 and not detours[f]:
            confidence[t] = min(confidence[t], 1.0 - risk)
    return Placement(tuple(path), tuple(confidence))


def _detour(
    path: list[int],
    scores: Sequence[Sequence[float]],
    headers: Sequence[int | None],
    detours: Sequence[bool],
    share: float,
) -> set[int]:
    """Move to its detour field every sentence with at least ``share`` of its evidence there.

    The sequence model keeps the others where the format's order puts them; a spoken header still
    pins. Returns the sentences moved.
    """
    moved = set()
    for t, row in enumerate(scores):
        if headers[t] is None:
            best = max((g for g in range(len(row)) if detours[g]), key=row.__getitem__, default=None)
            if best is not None and row[best] >= share and path[t] != best:
                path[t] = best
                moved.add(t)
    return moved


def _logsumexp_cols(values: Any) -> Any:
    """log(sum(exp(values))) down each column, -inf where a column is all -inf."""
    import numpy as np

    top = values.max(axis=0)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(np.exp(values - safe).sum(axis=0))
