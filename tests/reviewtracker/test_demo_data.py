"""Demo data is never counted with real data: the demo has a database of its own, the database
says it holds the demo, every page shows it, and a team's database refuses it. A fresh
installation's first admin comes from the documented command; the sign-in page shows none."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import column, insert, select, table

from reviewtracker.extensions import MIGRATIONS, db
from reviewtracker.models import DEMO, InstallationFact
from reviewtracker.services.installation import holds_demo_data, mark_demo
from reviewtracker.unit_of_work import unit_of_work

from .factories import add_artefacts

BANNER = "data-demo-banner"
BEFORE_THE_MARKER = "a3fb28694096"  # the revision before installation_fact


def _mark(app) -> None:
    with app.app_context(), unit_of_work():
        mark_demo()


def test_the_demo_refuses_a_database_holding_a_teams_data(app, runner):
    with app.app_context():
        add_artefacts(("BP004", "1"))
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "already holds data of its own (1 artefacts)" in result.output
    assert "instance/demo.db" in result.output
    with app.app_context():
        assert not holds_demo_data()


def test_a_database_holding_the_demo_says_so_on_every_page(app, client, login):
    assert BANNER not in client.get("/login").get_data(as_text=True)
    _mark(app)
    signed_out = client.get("/login").get_data(as_text=True)
    assert BANNER in signed_out and "Demo data" in signed_out
    assert "demo@reviewtracker.local" in signed_out  # the demo's own login, on the demo only
    login("viewer")
    for path in ("/", "/comments/", "/artefacts/tranches/1", "/design-dashboard", "/nowhere"):
        assert BANNER in client.get(path).get_data(as_text=True), path


def test_a_teams_database_shows_no_banner(client, login):
    login("admin")
    for path in ("/", "/comments/", "/imports/", "/users"):
        assert BANNER not in client.get(path).get_data(as_text=True), path


def test_the_migration_marks_a_database_an_earlier_make_run_filled(empty_app):
    """Before this version `make run` loaded the demo into the team's database: one with the
    demo's sign-in is marked as holding demo data when it is upgraded."""
    db.session.commit()
    upgrade(directory=MIGRATIONS, revision=BEFORE_THE_MARKER)
    users = table(
        "user_account",
        *(column(name) for name in ("email", "name", "password_hash", "role", "active")),
        column("created_at"),
    )
    db.session.execute(
        insert(users).values(
            email="demo@reviewtracker.local",
            name="Demo",
            password_hash="x",
            role="admin",
            active=True,
            created_at=datetime(2026, 11, 1),
        )
    )
    db.session.commit()
    upgrade(directory=MIGRATIONS, revision="head")
    assert db.session.scalar(select(InstallationFact.key)) == DEMO


def test_sign_in_shows_no_command_line(client, make_user):
    first = client.get("/login").get_data(as_text=True)
    assert "data-first-run" in first and "Start with your own data" in first
    assert "<code>" not in first and "reviewtracker create-user" not in first
    make_user("admin")
    later = client.get("/login").get_data(as_text=True)
    assert "data-first-run" not in later and "ask yours for one" in later
    assert "<code>" not in later


def test_init_db_tells_how_to_create_the_first_admin(runner, make_user):
    first = runner.invoke(args=["init-db"]).output
    assert 'reviewtracker create-user YOU@EXAMPLE.ORG --role admin --name "Your Name"' in first
    make_user("admin")
    assert "create-user" not in runner.invoke(args=["init-db"]).output


def test_make_run_serves_the_demo_from_a_database_of_its_own():
    """The Makefile's demo and the team's database never meet: `run` sets DATABASE_URL to
    instance/demo.db (and a signing key of its own); `init-db` and `start` leave it alone."""
    text = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    demo = re.search(r"^DEMO := (.*)$", text, re.M).group(1)
    assert "instance/demo.db" in demo and "SECRET_KEY" in demo
    run = re.search(r"^run:.*?(?=^\S)", text, re.M | re.S).group(0)
    assert run.count("$(DEMO)") == 2  # the demo command and the server, both on it
    start = re.search(r"^(init-db|start):.*?(?=^\S)", text, re.M | re.S)
    assert "DEMO" not in start.group(0)


def test_the_favicon_and_the_empty_tranche(client, login):
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert icon.get_data().startswith(b"<svg")
    login("viewer")
    home = client.get("/").get_data(as_text=True)
    assert 'rel="icon"' in home and "No comments yet" in home and "<progress" not in home
    tranche = client.get("/tranches/3").get_data(as_text=True)
    assert "No comments yet" in tranche and 'id="tranche-progress"' in tranche
    assert "<progress" not in tranche


def test_a_database_not_upgraded_yet_still_shows_its_pages(empty_app):
    """Pages read installation_fact for the banner: before `init-db` has added it, the page
    still renders (without a banner) rather than failing; `serve` refuses such a database."""
    db.session.commit()
    upgrade(directory=MIGRATIONS, revision=BEFORE_THE_MARKER)
    page = empty_app.test_client().get("/login")
    assert page.status_code == 200 and BANNER not in page.get_data(as_text=True)
