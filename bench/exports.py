"""`make bench`: the comment register's downloads and the import preview's reload.

The register (xlsx, csv) of every comment of the import benchmark's database (100,000), each
download in a fresh child process (its peak RSS is the download's own) through the app's own
route with Flask's test client, unbuffered: the time to the first byte (the download starts
at once: it is streamed) and to the last, wall and CPU. The preview: 13 logs of the demo data
set uploaded at once, then the preview page reloaded, each reload's server time in-process.
Each function is handed the running bench module (bench.py runs as __main__): its results
table, its helpers.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

TARGET_XLSX_SECONDS = 8.0
TARGET_CSV_SECONDS = 2.0
TARGET_PEAK_MB = 300.0
TARGET_FIRST_BYTE_SECONDS = 1.0
TARGET_PREVIEW_MS = 200.0
EXPORT_RUNS = 2
PREVIEW_FILES = 13
PREVIEW_RELOADS = 10
ROUTES = {"xlsx": "/exports/comments.xlsx", "csv": "/exports/comments.csv"}


def bench_exports(bench: ModuleType, url: str, rows: int) -> None:
    """Each download EXPORT_RUNS times, alternating xlsx and csv, each in a fresh process."""
    section = f"register of {rows:,} comments, SQLite (streamed download)"
    bench.record(section, "load average at the start (1, 5, 15 min)", bench._load())
    results: dict[str, list[dict]] = {kind: [] for kind in ROUTES}
    for run in range(1, EXPORT_RUNS + 1):
        for kind in ROUTES:
            bench.progress(f"{section}: {kind}, run {run} in a fresh process ...")
            command = [sys.executable, "-c", bench._LAUNCHER, sys.executable, bench.__file__]
            command += ["--child-export", kind, url]
            done = subprocess.run(
                command, capture_output=True, text=True, cwd=bench.ROOT, check=False
            )
            if done.returncode != 0:
                raise RuntimeError(f"child export failed:\n{done.stdout}\n{done.stderr}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            results[kind].append(result)
            bench.progress(
                f"  {kind}: {result['seconds']:.2f}s ({result['cpu']:.2f}s CPU), first bytes after "
                f"{result['first_byte']:.3f}s, {result['bytes'] / 1e6:.1f} MB, peak "
                f"{result['ru_maxrss_kb'] / 1024:.0f} MB, load {bench._load()}"
            )
    for kind, target in (("xlsx", TARGET_XLSX_SECONDS), ("csv", TARGET_CSV_SECONDS)):
        best = min(results[kind], key=lambda r: r["seconds"])
        if best["rows"] != rows:
            raise RuntimeError(f"the {kind} register has {best['rows']} rows, not {rows}")
        bench.record(
            section,
            f"{kind}: wall, best of {EXPORT_RUNS}",
            bench.seconds(best["seconds"]),
            f"< {target:.0f} s",
            best["seconds"] < target,
        )
        bench.record(section, f"  {kind}: CPU of that run", bench.seconds(best["cpu"]))
        first = max(r["first_byte"] for r in results[kind])
        bench.record(
            section,
            f"  {kind}: first bytes sent after (worst)",
            bench.seconds(first),
            f"< {TARGET_FIRST_BYTE_SECONDS:.0f} s",
            first < TARGET_FIRST_BYTE_SECONDS,
        )
        peak = max(r["ru_maxrss_kb"] for r in results[kind]) / 1024
        bench.record(
            section,
            f"  {kind}: peak RSS of the process (worst)",
            f"{peak:.0f} MB",
            f"< {TARGET_PEAK_MB:.0f} MB",
            peak < TARGET_PEAK_MB,
        )
        bench.record(section, f"  {kind}: size", f"{best['bytes'] / 1e6:.1f} MB")


def child_export(bench: ModuleType, kind: str, url: str) -> None:
    """One download of the register through its route, as a signed-in triager: prints one
    JSON line (seconds, cpu, first_byte, bytes, rows, ru_maxrss_kb)."""
    from reviewtracker.extensions import db
    from reviewtracker.services.sessions import start_session
    from reviewtracker.services.users import create_user, user_by_email
    from reviewtracker.unit_of_work import unit_of_work

    app = bench.make_app(url)
    email = "register@bench.local"
    with app.app_context():
        with unit_of_work():  # a sign-in of its own (sessions are rows: services/sessions.py)
            user = user_by_email(email) or create_user(email, "bench-password-1", "triager")
            start_session(user)
        user_id = user.get_id()
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    # The download goes to a file, as a browser saves it: the peak RSS is the server's alone.
    with tempfile.TemporaryFile() as saved:
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(ROUTES[kind], buffered=False)
        if response.status_code != 200:
            raise RuntimeError(f"GET {ROUTES[kind]}: {response.status_code}")
        pieces = iter(response.response)
        saved.write(next(pieces))
        first_byte = time.perf_counter() - started
        for piece in pieces:
            saved.write(piece)
        response.close()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        size = saved.tell()
        saved.seek(0)
        rows = _rows(kind, saved.read())
    result = {"seconds": elapsed, "cpu": cpu, "first_byte": first_byte, "bytes": size}
    print(json.dumps(result | {"rows": rows, "ru_maxrss_kb": peak}))


def _rows(kind: str, body: bytes) -> int:
    """The comments in a download (its rows less the header), counted without a reader."""
    if kind == "csv":
        import csv
        import io

        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8-sig")))) - 1
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(body)) as package:
        return package.read("xl/worksheets/sheet1.xml").count(b"<row ") - 1


def bench_preview(bench: ModuleType) -> None:
    """The first PREVIEW_FILES logs of the demo data set (xlsx and csv, as `reviewtracker
    demo` writes them) uploaded at once, then the preview reloaded PREVIEW_RELOADS times
    (after one untimed): each reload's server time, in-process through the test client."""
    from reviewtracker import demo
    from reviewtracker.extensions import db
    from reviewtracker.services.sessions import start_session
    from reviewtracker.services.users import create_user
    from reviewtracker.unit_of_work import unit_of_work

    section = f"import preview, {PREVIEW_FILES} files (SQLite)"
    bench.record(section, "load average at the start (1, 5, 15 min)", bench._load())
    with tempfile.TemporaryDirectory(prefix="bench-preview-") as folder:
        tmp = Path(folder)
        database = tmp / "preview.db"
        bench.prepare_database(database, demo.write_register(tmp / "register.xlsx"))
        by_organisation: dict[str, list] = {}
        for comment in demo.dag8_tranche1_comments():
            by_organisation.setdefault(comment.organisation, []).append(comment)
        files = []
        for index, (organisation, own) in enumerate(sorted(by_organisation.items())):
            if len(files) == PREVIEW_FILES:
                break
            suffix = ".csv" if index % 3 == 2 else ".xlsx"
            path = demo.write_log(tmp / f"T1-{organisation.replace(' ', '_')}{suffix}", own)
            files.append((path.name, path.read_bytes()))
        comments = sum(len(own) for _, own in sorted(by_organisation.items())[:PREVIEW_FILES])
        app = bench.make_app(database)
        app.config["WTF_CSRF_ENABLED"] = False
        with app.app_context():
            with unit_of_work():  # a user and a sign-in (sessions are rows: services/sessions.py)
                user = create_user("preview@bench.local", "bench-password-1", "triager")
                start_session(user)
            user_id = user.get_id()
            db.session.remove()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        import io

        data = {"files": [(io.BytesIO(content), name) for name, content in files], "tranche": "1"}
        started = time.perf_counter()
        response = client.post("/imports/", data=data, content_type="multipart/form-data")
        upload = time.perf_counter() - started
        if response.status_code != 302:
            raise RuntimeError(f"the upload was refused: {response.status_code}")
        preview = response.headers["Location"]
        first = client.get(preview)
        if first.status_code != 200 or "Ready to import" not in first.get_data(as_text=True):
            raise RuntimeError(f"GET {preview}: {first.status_code}")
        walls, cpus = [], []
        for _ in range(PREVIEW_RELOADS):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(preview)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - started_cpu)
        with app.app_context():
            db.engine.dispose()
    bench.progress(
        f"{section}: upload {upload:.2f}s; reloads "
        + ", ".join(f"{w * 1000:.0f}" for w in walls)
        + f" ms; load {bench._load()}"
    )
    bench.record(
        section,
        f"upload of the {PREVIEW_FILES} files ({comments} comments; each file read here, once)",
        bench.seconds(upload),
    )
    median = statistics.median(walls)
    bench.record(
        section,
        f"reload: median / max of {PREVIEW_RELOADS}, server time",
        f"{bench.millis(median)} / {bench.millis(max(walls))}",
        f"< {TARGET_PREVIEW_MS:.0f} ms",
        median * 1000 < TARGET_PREVIEW_MS,
    )
    bench.record(section, "  reload: median CPU", bench.millis(statistics.median(cpus)))


__all__ = ["bench_exports", "bench_preview", "child_export"]
