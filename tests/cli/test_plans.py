"""`dictanote plans show|edit CLIENT` as a user types them, against a real store."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from dictanote.store import Store
from tests.util import assert_one_line_error, run_cli

PLAN = """\
review_date = "2027-03-01"

[[problems]]
id = "P1"
text = "Depressed mood"

[[goals]]
id = "G1"
problem = "P1"
text = "Sleep through the night"

[[goals]]
id = "G2"
text = "Return to work"

[[objectives]]
goal = "G1"
text = "PHQ-9 below 10 by 2027-03-01"
"""
CHANGED = PLAN.replace("Return to work", "Return to work part-time")


def _plans(data: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> str:
    done = run_cli("--data-dir", str(data), "plans", *args, stdin=stdin, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A store with client C1 (and C2), no plan yet."""
    data = tmp_path / "store"
    with Store.open(data) as store:
        store.add_client("C1", name="M.R.")
        store.add_client("C2", name="M.R.")
    return data


def test_plans_create_show_change_and_history(data: Path) -> None:
    assert "No treatment plan for C1 yet" in _plans(data, "show", "C1")
    assert json.loads(_plans(data, "show", "C1", "--json")) is None
    made = _plans(data, "edit", "c1", "--file", "-", "--signed-by", "A. Lee, LMFT", stdin=PLAN)
    assert made.strip() == "Plan for C1 saved as version 1 (reason: initial plan)."

    shown = _plans(data, "show", "C1")
    for words in ("version:        1", "A. Lee, LMFT", "review date:    2027-03-01", "Depressed mood"):
        assert words in shown
    assert "G1       Sleep through the night  (problem P1)" in shown
    assert "measure PHQ-9, direction below, target 10, by 2027-03-01" in shown
    plan = json.loads(_plans(data, "show", "C1", "--json"))
    assert (plan["client_id"], plan["version"], plan["reason"]) == ("C1", 1, "initial plan")
    assert [g["id"] for g in plan["content"]["goals"]] == ["G1", "G2"]
    objective = plan["content"]["objectives"][0]
    assert (objective["measure"], objective["direction"], objective["target"]) == ("PHQ-9", "below", 10)

    refused = run_cli(
        "--data-dir", str(data), "plans", "edit", "C1", "--file", "-", "--signed-by", "A. Lee", stdin=CHANGED
    )
    assert_one_line_error(refused)
    assert "say why the plan changes" in refused.stderr
    same = _plans(data, "edit", "C1", "--file", "-", stdin=PLAN, env={"DICTANOTE_CLINICIAN": "A. Lee"})
    assert same.strip() == "Plan for C1 unchanged (version 1)."
    changed = _plans(
        data, "edit", "C1", "--file", "-", "--reason", "job offer", stdin=CHANGED,
        env={"DICTANOTE_CLINICIAN": "B. Kim, LCSW"},
    )  # fmt: skip
    assert changed.strip() == "Plan for C1 saved as version 2 (reason: job offer)."

    history = _plans(data, "show", "C1", "--history").splitlines()
    assert [line.split(",")[0] for line in history] == ["version 1", "version 2"]
    assert history[0].endswith("by A. Lee, LMFT: initial plan") and history[1].endswith(
        "B. Kim, LCSW: job offer"
    )
    versions = json.loads(_plans(data, "show", "C1", "--history", "--json"))
    assert [(v["version"], v["reason"]) for v in versions] == [(1, "initial plan"), (2, "job offer")]
    assert "No treatment plan for C2 yet" in _plans(data, "show", "C2")

    log = json.loads(run_cli("--data-dir", str(data), "audit", "log", "--json").stdout)
    entries = [(e["action"], e["detail"]["version"]) for e in log if e["object"] == "plan"]
    assert entries == [("created", 1), ("revised", 2)]
    assert "C1" not in json.dumps(log) and "Depressed" not in json.dumps(log)  # row numbers, hashes only
    assert run_cli("--data-dir", str(data), "audit", "verify").returncode == 0


def test_plans_edit_in_editor_keeps_a_failed_edit(data: Path, tmp_path: Path) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text(f"#!/bin/sh\ncat > \"$1\" <<'EOF'\n{PLAN}EOF\n")
    editor.chmod(0o700)
    env = {"EDITOR": str(editor), "VISUAL": "", "DICTANOTE_CLINICIAN": "A. Lee"}
    assert "saved as version 1" in _plans(data, "edit", "C1", env=env)
    assert not list(data.glob("plan-*")), "the edit file is removed once saved"

    editor.write_text("#!/bin/sh\nsed -i 's/Return to work/Return to work part-time/' \"$1\"\n")
    refused = run_cli("--data-dir", str(data), "plans", "edit", "C1", env=env)
    assert_one_line_error(refused)
    assert "say why the plan changes" in refused.stderr and "kept in" in refused.stderr
    kept = next(data.glob("plan-*.toml"))
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and "C1" not in kept.name
    kept.write_text(kept.read_text().replace('reason = ""', 'reason = "job offer"'))
    retry = _plans(data, "edit", "C1", "--file", str(kept), env={"DICTANOTE_CLINICIAN": "A. Lee"})
    assert retry.strip() == "Plan for C1 saved as version 2 (reason: job offer)."
    assert not kept.exists(), "the retry file is removed once the retry is saved"

    editor.write_text("#!/bin/sh\ntrue\n")
    unchanged = run_cli("--data-dir", str(data), "plans", "edit", "C1", env=env)
    assert unchanged.returncode == 0 and "no change" in unchanged.stderr


def test_plans_edit_never_overwrites_a_plan_saved_meanwhile(data: Path, tmp_path: Path) -> None:
    _plans(data, "edit", "C1", "--file", "-", "--signed-by", "A. Lee", stdin=PLAN)
    other = tmp_path / "other.toml"
    other.write_text(CHANGED)
    exe = Path(sys.executable).parent / "dictanote"
    editor = tmp_path / "editor.sh"  # while the editor is open, the plan is changed in another terminal
    editor.write_text(
        f"#!/bin/sh\n{exe} --data-dir {data} plans edit C1 --file {other} --reason elsewhere >/dev/null\n"
        "sed -i -e 's/Depressed mood/Low mood/' -e 's/^reason = .*/reason = \"mine\"/' \"$1\"\n"
    )
    editor.chmod(0o700)
    env = {"EDITOR": str(editor), "VISUAL": "", "DICTANOTE_CLINICIAN": "A. Lee"}
    refused = run_cli("--data-dir", str(data), "plans", "edit", "C1", env=env)
    assert_one_line_error(refused)
    assert "saved elsewhere while you edited it (now version 2)" in refused.stderr
    with Store.open(data) as store:
        assert [p.reason for p in store.plan_history("C1")] == ["initial plan", "elsewhere"]
    assert "Low mood" in next(data.glob("plan-*.toml")).read_text()  # the edit is kept


@pytest.mark.parametrize(
    ("args", "text", "message"),
    [
        (("show", "nobody"), None, "no client 'nobody'"),
        (("edit", "C1", "--file", "/no/such/plan.toml"), None, "no such file"),
        (("edit", "C1"), b'reason = "\xff"\n', "not UTF-8"),
        (("edit", "nobody"), PLAN, "no client 'nobody'"),
        (("edit", "C1"), "goals = [", "not valid TOML"),
        (("edit", "C1"), PLAN + 'colour = "blue"\n', "colour"),
        (
            ("edit", "C1"),
            PLAN.replace('problem = "P1"', 'problem = "P9"'),
            "'P9', which the plan does not have",
        ),
        (("edit", "C1"), PLAN.replace('goal = "G1"', 'goal = "G7"'), "'G7', which the plan does not have"),
        (("edit", "C1"), PLAN.replace('id = "G2"', 'id = "G1"'), "two goals have the id 'G1'"),
        (("edit", "C1"), 'reason = "x"\n', "at least one goal"),
        (("edit", "C1"), PLAN.replace("2027-03-01", "2027-02-30", 1), "YYYY-MM-DD"),
        (("edit", "C1"), CHANGED, "say why the plan changes"),
        (("edit", "C1", "--signed-by", " "), CHANGED.replace("\n", '\nreason = "r"\n', 1), "who writes"),
    ],
)
def test_plans_bad_input_is_one_line(
    data: Path, args: tuple[str, ...], text: str | bytes | None, message: str
) -> None:
    _plans(data, "edit", "C1", "--file", "-", "--signed-by", "A. Lee", stdin=PLAN)
    extra = ("--file", "-") if text is not None else ()
    done = run_cli(
        "--data-dir", str(data), "plans", *args, *extra, stdin=text, env={"DICTANOTE_CLINICIAN": "A. Lee"}
    )
    assert_one_line_error(done)
    assert message in done.stderr
    with Store.open(data) as store:
        assert [p.version for p in store.plan_history("C1")] == [1]  # nothing saved, nothing lost
