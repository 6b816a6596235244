"""The `reviewtracker` commands, run through Flask's CLI test runner."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from reviewtracker.demo import write_register
from reviewtracker.extensions import db
from reviewtracker.models import Artefact, Comment, Constituency, Organisation, ReviewRound
from reviewtracker.services.users import user_by_email
from tests.logmaker import write_xlsx_log

ACME = {"Organisation": "Acme Energy", "Constituency": "Supplier- Large"}


def _log(tmp_path: Path, name: str = "acme.xlsx", artefact: str = "MHHSP-BP004") -> Path:
    rows = [
        {
            "log_comment_id": str(i),
            "artefact": artefact,
            "comment": f"Comment {i} on the data collection process and its timings.",
            "disposition": "Accepted" if i % 2 else "",
        }
        for i in range(1, 5)
    ]
    return write_xlsx_log(tmp_path / name, rows, key_values=ACME)


def test_init_db_is_idempotent(app, runner):
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Constituency)) == 13


def test_import_artefacts_then_comments(app, runner, tmp_path):
    result = runner.invoke(args=["import-artefacts", str(write_register(tmp_path / "reg.xlsx"))])
    assert result.exit_code == 0, result.output
    assert "added 62" in result.output
    with app.app_context():
        assert db.session.scalar(select(Artefact.title).where(Artefact.reference == "IF031"))

    result = runner.invoke(args=["import-comments", str(_log(tmp_path)), "--round", "1"])
    assert result.exit_code == 0, result.output
    assert "acme.xlsx" in result.output
    assert "added 4, unchanged 0, updated 0" in result.output
    assert "comment <- " in result.output  # the column mapping used

    again = runner.invoke(args=["import-comments", str(_log(tmp_path))])
    assert "added 0, unchanged 4, updated 0" in again.output


def test_import_comments_refuses_a_bad_file_and_exits_non_zero(app, runner, tmp_path):
    runner.invoke(args=["import-artefacts", str(write_register(tmp_path / "reg.xlsx"))])
    good = _log(tmp_path, "good.xlsx")
    bad = _log(tmp_path, "bad.xlsx", artefact="BP999")
    result = runner.invoke(args=["import-comments", str(bad), str(good)])
    assert result.exit_code != 0
    assert "bad.xlsx, sheet 'Comments', row" in result.output
    assert "BP999" in result.output and "nothing was written" in result.output
    assert "Traceback" not in result.output
    # The good file is its own transaction and went in; the bad one wrote nothing.
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 4


def test_dry_run_writes_nothing(app, runner, tmp_path):
    runner.invoke(args=["import-artefacts", str(write_register(tmp_path / "reg.xlsx"))])
    result = runner.invoke(args=["import-comments", "--dry-run", str(_log(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "would add 4" in result.output
    created = "organisation 'Acme Energy' (Supplier- Large), review round 1 of tranche 1"
    assert f"would create: {created}" in result.output
    with app.app_context():
        for model in (Comment, Organisation, ReviewRound):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
    result = runner.invoke(args=["import-comments", str(_log(tmp_path))])
    assert "added 4" in result.output and f"created: {created}" in result.output


def test_rollup_json_and_text(runner, tmp_path):
    runner.invoke(args=["import-artefacts", str(write_register(tmp_path / "reg.xlsx"))])
    runner.invoke(args=["import-comments", str(_log(tmp_path))])
    result = runner.invoke(args=["rollup", "--tranche", "1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["artefacts"] == [
        {
            "reference": "BP004",
            "title": "Data Collection",
            "accepted": 2,
            "action": 0,
            "rejected": 0,
            "clarification": 0,
            "open": 2,
            "total": 4,
        }
    ]
    assert data["totals"]["total"] == 4
    assert len(data["constituencies"]) == 13
    assert data["constituencies"][0] == {
        "constituency": "Supplier- Large",
        "organisations": 1,
        "comments": 4,
    }
    text = runner.invoke(args=["rollup", "--tranche", "1"])
    assert text.exit_code == 0
    assert "BP004- Data Collection" in text.output and "Grand Total" in text.output


def test_rollup_rejects_an_unknown_tranche(runner):
    result = runner.invoke(args=["rollup", "--tranche", "9"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_demo_loads_the_dag8_tables(runner):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    data = json.loads(runner.invoke(args=["rollup", "--tranche", "1", "--json"]).output)
    assert data["totals"] == {
        "accepted": 446,
        "action": 187,
        "rejected": 44,
        "clarification": 30,
        "open": 0,
        "total": 707,
    }
    assert len(data["artefacts"]) == 23
    assert "Sign in as demo@reviewtracker.local with the password demo-password" in result.output
    assert (
        "To see what a reviewer of Meridian Metering Services sees: reviewer@reviewtracker.local, "
        "same password." in result.output
    )
    second = runner.invoke(args=["demo", "--if-empty"])
    assert "already has comments" in second.output and "Sign in as" in second.output
    tranche2 = json.loads(runner.invoke(args=["rollup", "--tranche", "2", "--json"]).output)
    assert 0 < tranche2["totals"]["open"] < tranche2["totals"]["total"] == 240


def test_every_command_has_help(runner):
    commands = ("init-db", "import-artefacts", "import-comments", "rollup", "demo", "create-user")
    for command in commands:
        result = runner.invoke(args=[command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
        assert len(result.output.splitlines()) > 4


def test_create_user_from_stdin_and_refusals(app, runner):
    result = runner.invoke(
        args=["create-user", "Lead@Example.org", "--role", "lead", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = user_by_email("lead@example.org")
        assert user.role == "lead" and user.check_password("a long enough password")
    again = runner.invoke(
        args=["create-user", "lead@example.org", "--password-stdin"], input="another password\n"
    )
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(
        args=["create-user", "x@example.org", "--password-stdin"], input="short\n"
    )
    assert short.exit_code != 0 and "at least 10 characters" in short.output


def test_create_user_prompts_for_the_password(app, runner):
    result = runner.invoke(
        args=["create-user", "v@example.org", "--role", "viewer"],
        input="viewer password 1\nviewer password 1\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert user_by_email("v@example.org").check_password("viewer password 1")
