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
    confidence = tuple(
        float(marginal[t, f]) if np.isfinite(marginal[t, f]) else 0.0 for t, f in enumerate(path)
    )
    return Placement(tuple(path), confidence)


def _logsumexp_cols(values: Any) -> Any:
    """log(sum(exp(values))) down each column, -inf where a column is all -inf."""
    import numpy as np

    top = values.max(axis=0)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(np.exp(values - safe).sum(axis=0))
