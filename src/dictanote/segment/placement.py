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

from ..types import NoteFormat

NEG_INF = float("-inf")


@dataclass(frozen=True)
class PlacementModel:
    """Transition and prior probabilities.

    Chosen by a coarse grid search (benchmarks/segment.py's cases: our samples and
    the shared development dictations); neighbouring values score within 1 %.
    """

    stay: float = 0.60
    forward: float = 0.39
    backward: float = 0.01
    skip_decay: float = 0.35
    first_field: float = 0.55
    before_own_header: float = 0.2
    floor: float = 0.01


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
) -> Placement:
    """Best field per sentence given field scores and spoken headers (field index or None).

    ``returning`` marks headers spoken as a return to a field ("back to the plan").
    """
    model = model or PlacementModel()
    if not scores:
        return Placement((), ())
    n = len(scores[0])
    emit = _emissions(scores, headers, model, returning or [False] * len(headers))
    trans = _transition(n, model)
    start = [
        _log(model.first_field if f == 0 else (1 - model.first_field) / max(1, n - 1))
        for f in range(n)
    ]
    if n == 1:
        start = [0.0]

    def step_cost(t: int, i: int, j: int) -> float:
        # Moving to a spoken header's field is free: the clinician said where to go.
        return 0.0 if headers[t] is not None else trans[i][j]

    # Viterbi.
    best = [start[f] + emit[0][f] for f in range(n)]
    back: list[list[int]] = []
    for t in range(1, len(scores)):
        new, ptr = [], []
        for j in range(n):
            cands = [best[i] + step_cost(t, i, j) for i in range(n)]
            i_best = max(range(n), key=cands.__getitem__)
            new.append(cands[i_best] + emit[t][j])
            ptr.append(i_best)
        best, back = new, [*back, ptr]
    path = [max(range(n), key=best.__getitem__)]
    for ptr in reversed(back):
        path.append(ptr[path[-1]])
    path.reverse()

    # Forward-backward for marginals.
    fwd = [[start[f] + emit[0][f] for f in range(n)]]
    for t in range(1, len(scores)):
        fwd.append(
            [
                _logsumexp([fwd[-1][i] + step_cost(t, i, j) for i in range(n)]) + emit[t][j]
                for j in range(n)
            ]
        )
    bwd = [[0.0] * n]
    for t in range(len(scores) - 1, 0, -1):
        bwd.insert(
            0,
            [
                _logsumexp([step_cost(t, i, j) + emit[t][j] + bwd[0][j] for j in range(n)])
                for i in range(n)
            ],
        )
    confidence = []
    for t, f in enumerate(path):
        joint = [fwd[t][k] + bwd[t][k] for k in range(n)]
        total = _logsumexp(joint)
        confidence.append(math.exp(joint[f] - total) if total > NEG_INF else 0.0)
    return Placement(tuple(path), tuple(confidence))


def _logsumexp(values: Sequence[float]) -> float:
    top = max(values)
    if top == NEG_INF:
        return NEG_INF
    return top + math.log(sum(math.exp(v - top) for v in values))
