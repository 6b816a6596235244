"""Triagers saving at once through the real server (waitress on loopback), on the demo data:
no 500 (SQLite writers wait for the lock instead of failing), no lost update, every successful
save audited. `make bench` runs the same soak with 20 triagers for 2 minutes on 1,000,000
comments (bench/web.py has the client and the checks)."""

from __future__ import annotations

import pytest

from bench.web import make_users, serve_in_thread, snapshot, soak, triage_pool, verify

from .demo_copy import load_demo_copy

TRIAGERS = 8
SECONDS = 5.0
POOL = 30  # few comments for 8 people: two often pick the same one


@pytest.fixture
def demo(app, tmp_path_factory):
    load_demo_copy(app, tmp_path_factory)


def test_triagers_saving_at_once_lose_nothing(app, demo):
    app.config["WTF_CSRF_ENABLED"] = True  # the real forms, CSRF token and all
    emails = make_users(TRIAGERS)
    pool = triage_pool(POOL)
    before = snapshot(pool)
    assert len(before.comments) == POOL

    with serve_in_thread(app, threads=TRIAGERS) as port:
        result = soak(port, emails, pool, SECONDS)

    assert result.errors == []
    assert result.server_errors == 0
    assert set(result.page_statuses) == {200}
    assert set(result.statuses) <= {302, 409}  # saved, or refused as stale: nothing else
    assert len(result.saves) >= 50, result.statuses
    verdict = verify(result, before)
    assert verdict.lost_updates == []
    assert verdict.missing_audit == []
    assert verdict.ok
