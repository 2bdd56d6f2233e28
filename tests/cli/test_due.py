"""`dictanote drafts due`: the daily finalize block in the terminal, against a real store with aged drafts."""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

from dictanote.app import Dictation, DraftResult
from dictanote.core.policy import format_utc
from dictanote.core.types import Record, SessionInfo, StoredDraft
from tests.util import make_draft, run_cli

ZONE = "America/New_York"
CANARY = "countertransference"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# id -> (client, session date, first sentence, hours since dictation); saved in this order.
DAY = {
    "late": (
        "M.R.",
        "2026-11-20",
        "Client reports better sleep since starting the evening routine last week.",
        80,
    ),
    "due": ("M.R.", None, "Client tearful while discussing her father's illness.", 50),
    "fresh": ("J\x1b[2JD", None, "Reviewed the coping plan.", 1),
}


def _age(dictation: Dictation, stored: StoredDraft, hours: float, record: Record = "clinical") -> None:
    """Make a stored draft ``hours`` old, as if it had been dictated then."""
    when = format_utc(dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=hours))
    with dictation.open_store() as store, store.database(record).write() as conn:
        conn.execute("UPDATE drafts SET created_at = ? WHERE id = ?", (when, stored.id))


def save_day(dictation: Dictation) -> dict[str, StoredDraft]:
    """Three clinical drafts of different ages (fresh saved last) and one with a private companion, 90 h old."""
    fmt = dictation.format("soap")
    saved: dict[str, StoredDraft] = {}
    for name, (client, date, first, hours) in DAY.items():
        fields = {"subjective": [first, "Second sentence here."]}
        if name == "late":
            fields |= {"objective": ["Calm."], "assessment": ["Improving."], "plan": ["Continue weekly."]}
        draft = make_draft("soap", fields, session=SessionInfo(client, date))
        saved[name] = dictation.save(DraftResult(draft, fmt, ()), source="test")
        _age(dictation, saved[name], hours)
    secret = make_draft(
        "soap",
        {"subjective": ["Client came in quietly."]},
        private={"reflections": [f"Strong {CANARY} today."]},
    )
    saved["with-private"] = dictation.save(DraftResult(secret, fmt, ()), source="test")
    _age(dictation, saved["with-private"], 2)
    with dictation.open_store() as store:
        companion = store.companion_of(saved["with-private"].id)
    assert companion is not None
    saved["private"] = companion
    _age(dictation, saved["private"], 90, "private")
    return saved


def open_count(dictation: Dictation, stored: StoredDraft) -> int:
    """The warnings and errors ``drafts finalize`` would print for this draft."""
    return sum(1 for f in dictation.findings(stored) if f.severity != "info")


def test_due_lists_each_draft_so_they_can_be_told_apart(dictation: Dictation) -> None:
    saved = save_day(dictation)
    done = run_cli("drafts", "due", env={"TZ": ZONE})
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert CONTROL.findall(out) == [] and "J\\u001b[2JD" in out
    assert CANARY not in out + done.stderr
    lines = out.splitlines()
    rows = [line for line in lines if re.match(r"\s*\d+  ", line)]
    clinical = ["late", "due", "with-private", "fresh"]  # oldest first
    assert [int(r.split()[0]) for r in rows] == [saved[n].id for n in clinical]
    zone = ZoneInfo(ZONE)
    for name, row in zip(clinical, rows, strict=True):
        with dictation.open_store() as store:
            stored = store.get_draft(saved[name].id)  # as aged
        created = stored.created_at
        local = dt.datetime.fromisoformat(created.replace("Z", "+00:00")).astimezone(zone)
        assert local.strftime("%H:%M") in row
        date = stored.draft.session.date or local.strftime("%Y-%m-%d")
        assert date in row, (name, row)
        assert f"{open_count(dictation, stored)} open" in row
    assert "LATE" in rows[0] and "due soon" in rows[1] and "LATE" not in rows[2] + rows[3]
    assert "M.R." in rows[0] and "2026-11-20" in rows[0]
    assert '"Client reports better sleep since starting' in rows[0] and "Second" not in rows[0]
    assert '"Client tearful while discussing' in rows[1]
    assert f"private draft {saved['private'].id}" in out and "LATE" in out.split("private draft")[1]
    assert lines[-1] == "5 drafts to finalize: 2 late, 1 due soon, 2 within the 72-hour window."


def test_due_json_gives_the_same_as_data(dictation: Dictation) -> None:
    saved = save_day(dictation)
    done = run_cli("drafts", "due", "--json", env={"TZ": ZONE})
    assert done.returncode == 0, done.stderr
    assert CANARY not in done.stdout
    data = json.loads(done.stdout)
    ids = [d["id"] for d in data["drafts"]]
    assert ids == [saved[n].id for n in ("late", "due", "with-private", "fresh")]
    late = data["drafts"][0]
    assert late["client"] == "M.R." and late["service_date"] == "2026-11-20" and late["state"] == "late"
    assert late["first_words"].startswith("Client reports better sleep") and late["first_words"].endswith("…")
    with dictation.open_store() as store:
        assert late["open_findings"] == open_count(dictation, store.get_draft(late["id"]))
    assert data["drafts"][2]["client"] is None and data["drafts"][3]["client"] == "J\x1b[2JD"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", late["dictated_at"])
    assert data["private"] == [{"id": saved["private"].id, "age_hours": 90.0, "state": "late"}]
    assert data["summary"] == {"late": 2, "due": 1, "ok": 2}


def test_due_empty_inbox_says_so() -> None:
    done = run_cli("drafts", "due")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "No drafts to finalize."


def test_due_names_the_chosen_client_by_id_so_two_mr_are_told_apart(dictation: Dictation) -> None:
    fmt = dictation.format("soap")
    with dictation.open_store() as store:
        for code in ("mr-1", "mr-2"):
            store.add_client(code, name="M.R.")
    for code in ("mr-2", "mr-1", None):
        draft = make_draft(
            "soap", {"subjective": ["Slept better."]}, session=SessionInfo("M.R.", client_id=code)
        )
        dictation.save(DraftResult(draft, fmt, ()), source="test")
    done = run_cli("drafts", "due")
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if re.match(r"\s*\d+  ", line)]
    assert [row[3] for row in rows] == ["mr-2", "mr-1", "M.R."]  # the id once chosen, else the initials
    data = json.loads(run_cli("drafts", "due", "--json").stdout)
    assert [(d["client_id"], d["client"]) for d in data["drafts"]] == [
        ("mr-2", "M.R."),
        ("mr-1", "M.R."),
        (None, "M.R."),
    ]
