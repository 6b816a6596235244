"""`make bench`: import throughput, peak memory and the DAG rollup queries, against targets.

Run from the repository root: `.venv/bin/python bench/bench.py`. Generated inputs (the
100,000-row comment log, the artefact register, the two 1,000,000-comment databases) are
cached under bench/out/, keyed by generator version, size and database schema, so re-runs
skip the generation. The script reports; it never fails because a target is missed (it exits
1 only if a step crashes).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
# `python bench/bench.py` puts bench/ first on the path, where `bench` is this file, not the
# package: the root goes before it.
if sys.path[0] != str(ROOT):
    sys.path.insert(0, str(ROOT))

from bench import exports  # noqa: E402  (needs the root on the path)

THIS = sys.modules[__name__]  # handed to bench/exports.py: this run's results table

# Bump when a generator changes what it writes: the cached files are keyed by these.
LOG_GENERATOR_VERSION = 2  # the comment log and the artefact register
DB_GENERATOR_VERSION = 2  # the rollup databases (also keyed by the app's schema)
SEED = 20240308
LOG_ROWS = 100_000
ROLLUP_COMMENTS = 1_000_000
ROLLUP_RUNS = 20
ROLLUP_BUDGET_SECONDS = 12.0
PARSE_RUNS = 3
IMPORT_RUNS = 2

TARGET_IMPORT_SECONDS = 5.0
TARGET_PG_SECONDS = 6.0  # the import end to end on PostgreSQL
TARGET_IMPORT_RATIO = 2.5
TARGET_PEAK_MB = 300.0
TARGET_SCAN_SECONDS = 0.5  # the guard's exact scan, per 100,000 rows
TARGET_SCAN_TEXT = "< 0.5 s / 100,000 rows"
TARGET_ROLLUP_MS = 150.0

ORGANISATION = "Northgate Data Systems"
CONSTITUENCY = "Other- IT Service Provider"
# LOG_LEVEL: no log line per import in the table's output (the web server's go to a file).
BENCH_CONFIG = {
    "SECRET_KEY": "bench",
    "TESTING": False,
    "IMPORT_ACTOR": "bench",
    "LOG_LEVEL": "WARNING",
}

_STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:6.1f}s] {message}", flush=True)


# --- results table ---------------------------------------------------------------------------


@dataclass(slots=True)
class Result:
    section: str
    measure: str
    value: str
    target: str = ""
    status: str = ""


RESULTS: list[Result] = []
FAILED: list[str] = []


def record(section: str, measure: str, value: str, target: str = "", ok: bool | None = None):
    status = "" if ok is None else ("PASS" if ok else "MISS")
    RESULTS.append(Result(section, measure, value, target, status))


def print_results() -> None:
    headers = ("", "measure", "value", "target", "")
    rows = [(r.section, r.measure, r.value, r.target, r.status) for r in RESULTS]
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    rule = "-+-".join("-" * w for w in widths)

    def line(cells) -> str:
        left = [str(c).ljust(w) for c, w in zip(cells[:2], widths[:2], strict=True)]
        right = [str(cells[2]).rjust(widths[2])]
        rest = [str(c).ljust(w) for c, w in zip(cells[3:], widths[3:], strict=True)]
        return " | ".join([*left, *right, *rest]).rstrip()

    print()
    print(line(headers))
    print(rule)
    previous = None
    for row in rows:
        if previous is not None and row[0] != previous:
            print(rule)
        print(line(row if row[0] != previous else ("", *row[1:])))
        previous = row[0]
    print()


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def millis(value: float) -> str:
    return f"{value * 1000:.1f} ms"


# --- the comment log and the artefact register --------------------------------------------------

SERVICES = [
    "Registration Service",
    "Metering and Data Services",
    "Load Shaping Service",
    "Smart Data Service",
    "Advanced Data Service",
    "Marketwide Data Service",
    "Volume Allocation Service",
    "DIP Technical Documents",
]
SUBJECTS = [
    "Data Collection",
    "Data Processing",
    "New Connection",
    "Disconnection",
    "Change of Energisation Status",
    "Change of Meter",
    "Change of Registration Data",
    "Change of Supplier",
    "Change of Service",
    "Service Appointment",
    "Meter Technical Details Update",
    "Consumption Data Submission",
    "Supplier Advisory Notifications",
    "Load Shaping Totals",
    "Demand Disconnection Events",
    "Volume Allocation",
    "Customer Direct Contract Advisory",
]
# Document type prefix -> how many of the ~50 artefacts have it.
ARTEFACT_PREFIXES = {"BP": 12, "BPD": 5, "BRS": 8, "IF": 17, "METH": 5, "DES": 3}


def artefact_register() -> list[tuple[str, str, str, str]]:
    """About 50 artefacts as (reference, title, service, tranche)."""
    rng = random.Random(SEED)
    artefacts = []
    for prefix, count in ARTEFACT_PREFIXES.items():
        numbers = sorted(rng.sample(range(1, 60), count))
        for number in numbers:
            index = len(artefacts)
            artefacts.append(
                (
                    f"{prefix}{number:03d}",
                    SUBJECTS[index % len(SUBJECTS)],
                    SERVICES[index % len(SERVICES)],
                    str(index % 4 + 1),
                )
            )
    return artefacts


def write_register(path: Path) -> Path:
    """The Design Artefact Tracker in the layout reviewtracker.demo writes: titles, then table."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Design Artefact Tracker"
    sheet.append(["MHHS Programme - Design Artefact Tracker"])
    sheet.append(["Live document: the status of every design artefact"])
    sheet.append([])
    sheet.append(["Tranche", "MHHS Service", "Reference", "Name / Description", "Status"])
    for reference, title, service, tranche in artefact_register():
        sheet.append([tranche, service, f"MHHSP-{reference}", title, "Under Review"])
    tmp = path.with_suffix(".tmp")
    book.save(tmp)
    tmp.replace(path)
    return path


TOPICS = [
    "meter technical details update",
    "appointment notification",
    "energisation status change",
    "consumption data submission",
    "supplier data change",
    "disconnection notification",
    "registration data item change",
    "load shaping period data",
    "service provider de-appointment",
    "related MPAN pairing",
    "UTC settlement period data",
    "customer direct contract",
    "change of supplier gain",
    "market-wide data service feed",
]
PARTIES = [
    "the Supplier",
    "the Registration Service",
    "the Metering Service",
    "the Data Service",
    "the LDSO",
    "the DIP",
    "Elexon",
    "the Smart DCC",
    "the MDS",
    "the Volume Allocation Service",
]
SENTENCES = [
    "The trigger for step {step} is not clear when the {topic} arrives late.",
    "Please state which party owns the exception and the timescale for resolving it.",
    "Step {step} refers to the {topic} but the interface catalogue does not list its data items.",
    "It is not clear how {party} handles the {topic} for a related MPAN.",
    "The description assumes a smart meter with a working communications link.",
    "Legacy and unmetered cases should be described too, or scoped out explicitly.",
    "Timing of the {topic} is 'as soon as possible'; a measurable service level is needed.",
    "The swimlane shows {party} sending the {topic} directly to {party2}, bypassing the DIP.",
    "Error handling for a rejected {topic} is missing from section {section}.",
    "What does {party} do on a validation failure, and is a retry expected?",
    "The term '{topic}' is used here and a different term in section {section}.",
    "A single defined term from the data catalogue would avoid misinterpretation.",
    "Table {step} lists {n} data items but the schema in section {section} has {m}.",
    "This conflicts with the T&C obligations of {party} under the REC.",
    "We assume the {topic} is sent once per settlement day; please confirm.",
    "The sequence diagram in section {section} omits the acknowledgement to {party}.",
    "Please add a worked example covering a change of supplier within {n} days.",
    "The volumes quoted (about {n},000 messages a day) look low for the {topic}.",
    "Is {party} expected to store the {topic} or only to forward it?",
    "Section {section} says 'should' where the obligation on {party} is mandatory.",
    "The <optional> flag on data item DI-{m:03d} contradicts the validation rules.",
    "Non-functional requirements for the {topic} (latency, availability) are not stated.",
]
CHANGE_SENTENCES = [
    "Add an exception path with an owner and a timescale.",
    "Update the data item list to match the interface specification.",
    "Add an alternative flow for related MPANs.",
    "Describe or explicitly exclude the non-smart cases.",
    "Replace 'as soon as possible' with a measurable service level.",
    "Route the {topic} through the DIP in the diagram and the narrative.",
    "Add the rejection response and the expected retry behaviour.",
    "Use the defined term from the data catalogue throughout section {section}.",
    "Add a worked example for {party}.",
    "Clarify the obligation on {party} in section {section}.",
    "State the latency and availability required for the {topic}.",
]
COMMENT_TYPES = (["Technical"] * 6) + (["Editorial"] * 3) + ["General", "General", "Minor", "Major"]
STATUSES = ["Accepted", "Rejected", "Action", "Clarification required", "Accepted in principle"]
HEADER = [
    "Comment No.",
    "Design Artefact",
    "Section",
    "Page",
    "Reviewer Comment",
    "Proposed Amendment",
    "Comment Type",
    "Status",
    "Date",
]


def _fill(rng: random.Random, template: str) -> str:
    if "{" not in template:
        return template
    return template.format(
        step=rng.randint(1, 24),
        topic=rng.choice(TOPICS),
        party=rng.choice(PARTIES),
        party2=rng.choice(PARTIES),
        section=f"{rng.randint(1, 9)}.{rng.randint(1, 12)}",
        n=rng.randint(2, 40),
        m=rng.randint(1, 300),
    )


def varied_text(rng: random.Random, templates: list[str], low: int, high: int) -> str:
    """Sentences from the templates until a random length in [low, high] is reached."""
    target = rng.randint(low, high)
    parts: list[str] = []
    length = -1
    while length < target:
        sentence = _fill(rng, rng.choice(templates))
        parts.append(sentence)
        length += len(sentence) + 1
    text = " ".join(parts)
    if len(text) > target:  # end near the target length, on a word boundary
        cut = text.rfind(" ", low, target)
        text = text[: cut if cut > 0 else target].rstrip(",;:.'") + "."
    while len(text) < low:  # one long sentence cut short: pad with a short one
        text += " " + _fill(rng, rng.choice(templates))
        text = text[:high]
    return text


def _column(index: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index]


class _SharedStrings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def ref(self, text: str) -> int:
        self.count += 1
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.index)
        return found

    def xml(self) -> Iterator[str]:
        yield (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{self.count}" uniqueCount="{len(self.index)}">'
        )
        for text in self.index:
            yield f"<si><t>{escape(text)}</t></si>"
        yield "</sst>"


def _cells(row_number: int, values: list, strings: _SharedStrings) -> str:
    """One <row>: str -> shared string, int/float -> number, date -> styled serial number."""
    cells = []
    for col, value in enumerate(values):
        if value is None or value == "":
            continue
        ref = f"{_column(col)}{row_number}"
        if isinstance(value, str):
            cells.append(f'<c r="{ref}" t="s"><v>{strings.ref(value)}</v></c>')
        elif isinstance(value, date):
            serial = (value - date(1899, 12, 30)).days
            cells.append(f'<c r="{ref}" s="1"><v>{serial}</v></c>')
        else:
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
    return f'<row r="{row_number}">{"".join(cells)}</row>'


def log_rows(rows: int) -> Iterator[list]:
    """The comment rows: ~50 artefacts (skewed), 100-400 character comments, few statuses."""
    rng = random.Random(SEED + 1)
    references = [f"MHHSP-{reference}" for reference, *_ in artefact_register()]
    weights = [1 / (rank + 3) for rank in range(len(references))]
    rng.shuffle(references)
    artefacts = rng.choices(references, weights=weights, k=rows)
    first_day = date(2024, 3, 4)
    for number in range(1, rows + 1):
        section = f"{rng.randint(1, 9)}.{rng.randint(1, 12)}"
        if rng.random() < 0.3:
            section += f".{rng.randint(1, 6)}"
        yield [
            number,
            artefacts[number - 1],
            section,
            rng.randint(1, 140),
            varied_text(rng, SENTENCES, 100, 400),
            varied_text(rng, CHANGE_SENTENCES, 30, 150) if rng.random() < 0.9 else None,
            rng.choice(COMMENT_TYPES),
            rng.choice(STATUSES) if rng.random() < 0.04 else None,
            first_day + timedelta(days=rng.randrange(45)),
        ]


_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/worksheets/sheet2.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
<Override PartName="/xl/sharedStrings.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>\
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/></Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<sheets><sheet name="Comment Log" sheetId="1" r:id="rId1"/>\
<sheet name="Instructions" sheetId="2" r:id="rId2"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
Target="worksheets/sheet2.xml"/>\
<Relationship Id="rId3" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
Target="styles.xml"/>\
<Relationship Id="rId4" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" \
Target="sharedStrings.xml"/></Relationships>"""
# Style 1 is Excel's built-in short date format (numFmtId 14).
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
</cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def write_log(path: Path, rows: int) -> Path:
    """The comment log as Excel writes it (shared strings, styled dates), via zipfile: a title
    row, the Organisation/Constituency block, a blank row, the header, then the comments."""
    strings = _SharedStrings()
    above = [
        ["MHHS Design Artefact Review - Industry Comment Log"],
        ["Organisation:", ORGANISATION],
        ["Constituency:", CONSTITUENCY],
        [],
        HEADER,
    ]
    last = len(above) + rows
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr("xl/styles.xml", _STYLES)
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_SHEET_HEAD.encode())
            sheet.write(f'<dimension ref="A1:I{last}"/><sheetData>'.encode())
            chunk: list[str] = []
            for number, values in enumerate(above, 1):
                chunk.append(_cells(number, values, strings))
            for number, values in enumerate(log_rows(rows), len(above) + 1):
                chunk.append(_cells(number, values, strings))
                if len(chunk) >= 5000:
                    sheet.write("".join(chunk).encode())
                    chunk.clear()
            sheet.write(("".join(chunk) + "</sheetData></worksheet>").encode())
        instructions = [
            ["How to fill in this log"],
            ["One row per comment; give the artefact reference, e.g. MHHSP-BP004."],
            ["Leave the Status column blank: the programme fills it in."],
        ]
        body = "".join(_cells(n, v, strings) for n, v in enumerate(instructions, 1))
        book.writestr(
            "xl/worksheets/sheet2.xml", f"{_SHEET_HEAD}<sheetData>{body}</sheetData></worksheet>"
        )
        with book.open("xl/sharedStrings.xml", "w") as shared:
            for part in strings.xml():
                shared.write(part.encode())
    tmp.replace(path)
    return path


def worded_text(rng: random.Random, templates: list[str], low: int, high: int) -> str:
    """Sentences from the templates, cut to a random number of words in [low, high]."""
    target = rng.randint(low, high)
    words: list[str] = []
    while len(words) < target:
        words += _fill(rng, rng.choice(templates)).split()
    return " ".join(words[:target]).rstrip(",;:.'") + "."


def openpyxl_log_rows(rows: int) -> Iterator[list]:
    """The rows of the second kind of log: comments of 18-70 words, changes of 6-30."""
    rng = random.Random(SEED + 3)
    references = [f"MHHSP-{reference}" for reference, *_ in artefact_register()]
    weights = [1 / (rank + 3) for rank in range(len(references))]
    rng.shuffle(references)
    artefacts = rng.choices(references, weights=weights, k=rows)
    first_day = date(2024, 3, 4)
    for number in range(1, rows + 1):
        yield [
            number,
            artefacts[number - 1],
            f"{rng.randint(1, 9)}.{rng.randint(1, 12)}",
            rng.randint(1, 140),
            worded_text(rng, SENTENCES, 18, 70),
            worded_text(rng, CHANGE_SENTENCES, 6, 30) if rng.random() < 0.9 else None,
            rng.choice(COMMENT_TYPES),
            rng.choice(STATUSES) if rng.random() < 0.04 else None,
            first_day + timedelta(days=rng.randrange(45)),
        ]


def write_openpyxl_log(path: Path, rows: int) -> Path:
    """The comment log as openpyxl's write-only mode writes it (what other tools and scripts
    produce): inline strings, no <dimension>, no shared strings; the same layout above the
    table as write_log. Slow to write (about a minute), so cached like the other."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Comment Log")
    sheet.append(["MHHS Design Artefact Review - Industry Comment Log"])
    sheet.append(["Organisation:", ORGANISATION])
    sheet.append(["Constituency:", CONSTITUENCY])
    sheet.append([])
    sheet.append(HEADER)
    for values in openpyxl_log_rows(rows):
        sheet.append(values)
    tmp = path.with_suffix(".tmp")
    book.save(tmp)
    tmp.replace(path)
    return path


@dataclass(frozen=True, slots=True)
class LogKind:
    """One kind of comment log the import is measured on."""

    key: str  # in the file name and the results table
    label: str
    version: int  # bump when its generator changes what it writes
    write: Callable[[Path, int], Path]


LOG_KINDS = (
    LogKind("excel", "Excel-like log", LOG_GENERATOR_VERSION, write_log),
    LogKind("openpyxl", "openpyxl write-only log", 1, write_openpyxl_log),
)


def comment_log_file(rows: int, kind: LogKind = LOG_KINDS[0]) -> Path:
    prefix = "comment-log" if kind.key == "excel" else f"comment-log-{kind.key}"
    path = OUT / f"{prefix}-g{kind.version}-s{SEED}-{rows}.xlsx"
    if path.exists():
        progress(f"comment log: cached {path.relative_to(ROOT)} ({_mb(path.stat().st_size)})")
        return path
    for stale in OUT.glob(f"{prefix}-g*.xlsx"):
        stale.unlink()
    progress(f"comment log ({kind.key}): generating {rows:,} rows ...")
    started = time.perf_counter()
    kind.write(path, rows)
    elapsed = time.perf_counter() - started
    size = _mb(path.stat().st_size)
    progress(f"comment log: wrote {path.relative_to(ROOT)} ({size}) in {elapsed:.1f}s")
    return path


def register_file() -> Path:
    path = OUT / f"artefact-register-g{LOG_GENERATOR_VERSION}-s{SEED}.xlsx"
    if not path.exists():
        for stale in OUT.glob("artefact-register-*.xlsx"):
            stale.unlink()
        write_register(path)
    return path


def _mb(size: float) -> str:
    return f"{size / 1_000_000:.1f} MB"


# --- the import ----------------------------------------------------------------------------------


def make_app(database: Path | str):
    """The app on a SQLite file (a Path) or a database URL (a str)."""
    from reviewtracker import create_app

    url = database if isinstance(database, str) else f"sqlite:///{database}"
    return create_app({**BENCH_CONFIG, "SQLALCHEMY_DATABASE_URI": url})


def prepare_database(database: Path | str, register: Path) -> None:
    """init_db() and the artefact register, in their own app, as `reviewtracker` would."""
    from reviewtracker.extensions import db
    from reviewtracker.services.artefact_import import import_artefact_register
    from reviewtracker.services.reference import init_db
    from reviewtracker.unit_of_work import unit_of_work

    app = make_app(database)
    with app.app_context():
        with unit_of_work():
            init_db()
        report = import_artefact_register(register, actor="bench")  # commits itself
        if not report.ok:
            raise RuntimeError("register import failed: " + "; ".join(map(str, report.errors[:5])))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def import_log(log: Path):
    from reviewtracker.services.comment_import import ImportOptions, import_comment_log

    return import_comment_log(log, options=ImportOptions(actor="bench"))


def _check_import(report, rows: int, added: int) -> None:
    if not report.ok:
        raise RuntimeError("import refused: " + "; ".join(str(p) for p in report.errors[:5]))
    if report.added != added or report.added + report.unchanged + report.updated != rows:
        raise RuntimeError(
            f"import counted added={report.added} unchanged={report.unchanged} "
            f"updated={report.updated}; expected {rows} rows, {added} added"
        )


def bench_parse(log: Path, rows: int, section: str) -> tuple[float, float]:
    from python_calamine import CalamineWorkbook

    from importers import read_comment_log

    def bare() -> int:
        count = 0
        for _row in CalamineWorkbook.from_path(str(log)).get_sheet_by_index(0).iter_rows():
            count += 1
        return count

    bare_times = _repeat(bare, PARSE_RUNS, "bare calamine parse")
    bare_s = min(bare_times)
    record(section, f"python-calamine, rows only (best of {PARSE_RUNS})", seconds(bare_s))

    def ours() -> int:
        result = read_comment_log(log)
        if not result.ok:
            raise RuntimeError("read_comment_log: " + "; ".join(map(str, result.errors[:5])))
        if len(result.records) != rows:
            raise RuntimeError(f"read_comment_log gave {len(result.records)} records, not {rows}")
        return len(result.records)

    ours_times = _repeat(ours, PARSE_RUNS, "importers.read_comment_log(path)")
    ours_s = min(ours_times)
    record(section, f"importers.read_comment_log (best of {PARSE_RUNS})", seconds(ours_s))
    record(section, "  ratio to bare calamine", f"{ours_s / bare_s:.2f}x")
    bench_guard_scan(log, rows, section)
    return bare_s, ours_s


def bench_guard_scan(log: Path, rows: int, section: str) -> None:
    """The hostile-input guard's scan of the sheet's extent (importers/guards.py), alone: the
    exact scan (the one a sheet without a <dimension> gets), and what sheet_extent does with
    this log, CPU time best of PARSE_RUNS."""
    from importers import guards

    checked = guards.check_archive(str(log))
    info, head = checked.worksheet_parts["xl/worksheets/sheet1.xml"]
    for label, scan in (
        ("exact extent scan", lambda: guards._exact_extent(str(log), info)),
        (
            "extent as checked (<dimension> claim, else exact)",
            lambda: guards.sheet_extent(str(log), info, head),
        ),
    ):
        cpu = []
        for _ in range(PARSE_RUNS):
            started = time.process_time()
            scan()
            cpu.append(time.process_time() - started)
        per_100k = min(cpu) * 100_000 / rows
        exact = label.startswith("exact")
        record(
            section,
            f"guard: {label}, CPU, best of {PARSE_RUNS}",
            f"{seconds(min(cpu))} ({seconds(per_100k)} / 100,000 rows)",
            TARGET_SCAN_TEXT if exact else "",
            per_100k < TARGET_SCAN_SECONDS if exact else None,
        )


def _repeat(function: Callable[[], int], runs: int, label: str) -> list[float]:
    times = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    progress(f"{label}: " + ", ".join(f"{t:.2f}s" for t in times))
    return times


NewDatabase = Callable[[str], str]  # a name -> the URL of a fresh, empty database


def bench_import(
    log: Path,
    register: Path,
    rows: int,
    bare_s: float,
    new_database: NewDatabase,
    section: str,
    target: float = TARGET_IMPORT_SECONDS,
) -> Path | str:
    """End to end into a fresh database (best of IMPORT_RUNS, each on its own database), the
    peak memory in a child process, then a re-import of the same file into the last one."""
    from reviewtracker.extensions import db

    record(section, "load average at the start (1, 5, 15 min)", _load())
    times, cpu = [], []
    for run in range(1, IMPORT_RUNS + 1):
        database = new_database(f"bench_import_{run}")
        prepare_database(database, register)
        app = make_app(database)
        with app.app_context():
            gc.collect()
            progress(f"{section}: end-to-end import into a fresh database, run {run} ...")
            started, started_cpu = time.perf_counter(), time.process_time()
            report = import_log(log)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)  # every thread of the process
            _check_import(report, rows, rows)
            progress(
                f"end-to-end import: {times[-1]:.2f}s ({cpu[-1]:.2f}s CPU), "
                f"{report.added:,} added, load {_load()}"
            )
            if run < IMPORT_RUNS:
                db.session.remove()
                db.engine.dispose()
                continue
            elapsed = min(times)
            record(
                section,
                f"end to end, parse .. commit (best of {IMPORT_RUNS})",
                seconds(elapsed),
                f"< {target:.0f} s",
                elapsed < target,
            )
            record(
                section, "  CPU time of that run (all threads)", seconds(cpu[times.index(elapsed)])
            )
            record(section, "  rows/s", f"{rows / elapsed:,.0f}")
            ratio = elapsed / bare_s
            record(
                section,
                "  end to end / bare calamine",
                f"{ratio:.2f}x",
                f"< {TARGET_IMPORT_RATIO}x",
                ratio < TARGET_IMPORT_RATIO,
            )
            peak_memory(log, register, section, new_database("bench_import_child"))
            gc.collect()
            progress("re-import of the same file ...")
            started = time.perf_counter()
            again = import_log(log)
            elapsed = time.perf_counter() - started
            _check_import(again, rows, 0)
            progress(
                f"re-import: {elapsed:.2f}s, {again.added} added, {again.unchanged:,} unchanged"
            )
            record(
                section,
                f"re-import (added {again.added}, unchanged {again.unchanged:,})",
                seconds(elapsed),
            )
            db.session.remove()
            db.engine.dispose()
    storage_floor(database, register, new_database, bare_s, section)
    return database


def storage_floor(
    source: Path | str, register: Path, new_database: NewDatabase, bare_s: float, section: str
) -> None:
    """What storing the imported rows alone costs, with no parse, no matching and no Python
    per row: the comments the import wrote, already in the driver's types, written into a
    fresh database by the import's own bulk insert (`write.driver_insert`; SQLite: INSERTs of
    many rows with the search trigger dropped, then the full-text index filled in one
    INSERT ... SELECT; PostgreSQL: COPY, the generated search vector and its GIN index kept up
    by the server), then the commit. The end to end can't be faster than parse + this, minus
    the overlap."""
    from sqlalchemy import insert, select

    from reviewtracker.extensions import db
    from reviewtracker.models import Comment
    from reviewtracker.services import search
    from reviewtracker.services.comment_import.write import driver_insert

    app = make_app(source)
    with app.app_context():
        connection = db.session.connection()
        columns = [c.name for c in Comment.__table__.columns if c.computed is None]
        tables = [db.metadata.tables[t] for t in ("organisation", "review_round", "import_batch")]
        quote = connection.dialect.identifier_preparer.quote
        names = ", ".join(quote(c) for c in columns)
        referenced = {t.name: connection.execute(select(t)).mappings().all() for t in tables}
        rows = connection.exec_driver_sql(f"SELECT {names} FROM comment ORDER BY id").all()
        db.session.remove()
        db.engine.dispose()
    target = new_database("bench_floor")
    prepare_database(target, register)
    app = make_app(target)
    with app.app_context():
        connection = db.session.connection()
        for table in tables:  # the organisations, rounds and batches the rows refer to
            present = set(connection.execute(select(table.c.id)).scalars())
            missing = [dict(r) for r in referenced[table.name] if r["id"] not in present]
            if missing:
                connection.execute(insert(table), missing)
        db.session.commit()
        rows = [tuple(r) for r in rows]
        batch = rows[0][columns.index("import_batch_id")]
        gc.collect()
        progress(f"{section}: the storage floor, {len(rows):,} rows ...")
        started = time.perf_counter()
        # The import's first write (its batch row) opens the write transaction in which the
        # SQLite search trigger may be dropped: a no-op update does that here.
        db.session.connection().exec_driver_sql(
            f"UPDATE import_batch SET id = id WHERE id = {batch:d}"
        )
        with search.bulk_insert(batch):
            driver_insert(Comment.__table__, columns)(rows)
        db.session.commit()
        elapsed = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    progress(f"storage floor: {elapsed:.2f}s ({elapsed / bare_s:.2f}x bare calamine)")
    record(section, "storage floor: the rows alone, no parse (see README)", seconds(elapsed))
    ratio = 1 + elapsed / bare_s
    record(section, "  (bare parse + storage floor) / bare calamine", f"{ratio:.2f}x")


def _load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


# The child is started through a small launcher: Linux carries the parent's peak RSS over a
# fork+exec into the child's ru_maxrss, and this process is big by now.
_LAUNCHER = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def peak_memory(log: Path, register: Path, section: str, database: str) -> None:
    progress("peak memory: end-to-end import in a fresh child process ...")
    command = [sys.executable, "-c", _LAUNCHER, sys.executable, __file__]
    command += ["--child-import", str(log), str(register), database]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"child import failed:\n{done.stdout}\n{done.stderr}")
    child = json.loads(done.stdout.strip().splitlines()[-1])
    peak = child["ru_maxrss_kb"] / 1024
    progress(
        f"child: peak RSS {peak:.0f} MB (VmHWM {child['vmhwm_kb'] / 1024:.0f} MB), "
        f"{child['before_kb'] / 1024:.0f} MB before the import, import {child['seconds']:.2f}s"
    )
    record(
        section,
        "peak RSS, fresh process (ru_maxrss)",
        f"{peak:.0f} MB",
        f"< {TARGET_PEAK_MB:.0f} MB",
        peak < TARGET_PEAK_MB,
    )
    record(section, "  of which before the import", f"{child['before_kb'] / 1024:.0f} MB")
    record(section, "  end to end in the child", seconds(child["seconds"]))


def child_import(log: Path, register: Path, database: str) -> None:
    """Just the import into the fresh database `database` (a URL), for a clean peak RSS:
    prints one JSON line."""
    prepare_database(database, register)
    app = make_app(database)
    with app.app_context():
        gc.collect()
        before = _status_kb("VmRSS")
        started = time.perf_counter()
        report = import_log(log)
        elapsed = time.perf_counter() - started
        _check_import(report, report.added, report.added)
        usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            json.dumps(
                {
                    "ru_maxrss_kb": usage,
                    "vmhwm_kb": _status_kb("VmHWM"),
                    "before_kb": before,
                    "seconds": elapsed,
                    "added": report.added,
                }
            )
        )


def _status_kb(key: str) -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# --- the rollups over 1,000,000 comments ---------------------------------------------------

ROLLUP_TRANCHES = ("1", "2", "3", "4")
ROLLUP_ARTEFACTS = 400
ROLLUP_ORGANISATIONS = 200
ROLLUP_ROUND_SHARE = (0.7, 0.3)  # 1st review, 2nd review
# Disposition mix per tranche: an old tranche is triaged, the newest mostly still open.
MIX = {
    "1": {"accepted": 60, "action": 24, "rejected": 7, "clarification": 5, "open": 4},
    "2": {"accepted": 45, "action": 20, "rejected": 6, "clarification": 5, "open": 24},
    "3": {"accepted": 18, "action": 9, "rejected": 3, "clarification": 3, "open": 67},
    "4": {"accepted": 2, "action": 1, "rejected": 0.5, "clarification": 0.5, "open": 96},
}
RESPONSES = {
    "accepted": "Agreed. The document has been updated in the version re-issued for review.",
    "action": "Taken to the sub-working group; the outcome will be in a later version.",
    "rejected": "Out of scope of the MHHS design; will not be incorporated.",
    "clarification": "Please provide an example scenario so that the design team can assess it.",
}


@dataclass(slots=True)
class RollupCase:
    name: str
    key: str
    label: str
    tranche_of_artefact: Callable[[int], str]
    comments_per_tranche: dict[str, int]


def rollup_cases(total: int) -> list[RollupCase]:
    spread = {code: total // 4 for code in ROLLUP_TRANCHES}
    spread["1"] += total - sum(spread.values())
    return [
        RollupCase(
            "spread",
            "rollups (a)",
            f"{total:,} comments over 4 tranches; tranche 1 ({spread['1']:,}) rolled up",
            lambda index: ROLLUP_TRANCHES[index % 4],
            spread,
        ),
        RollupCase(
            "one-tranche",
            "rollups (b)",
            f"all {total:,} comments in tranche 1, rolled up (the worst case)",
            lambda index: "1",
            {"1": total},
        ),
    ]


def schema_digest() -> str:
    """Hash of the app's DDL and its latest migration: a cached database is rebuilt when the
    models or the migrations (the search index is only there) change."""
    from alembic.script import ScriptDirectory
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    from importers.reference import CONSTITUENCIES, TRANCHES
    from reviewtracker.extensions import MIGRATIONS, db
    from reviewtracker.models import Comment  # noqa: F401  (registers the tables)

    dialect = sqlite.dialect()
    head = ScriptDirectory(MIGRATIONS).get_current_head()
    parts = [repr((CONSTITUENCIES, TRANCHES)), str(head)]
    for table in db.metadata.sorted_tables:
        parts.append(str(CreateTable(table).compile(dialect=dialect)))
        parts += sorted(str(CreateIndex(i).compile(dialect=dialect)) for i in table.indexes)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:10]


def rollup_database(case: RollupCase, total: int) -> Path:
    path = OUT / f"rollup-{case.name}-g{DB_GENERATOR_VERSION}-{schema_digest()}-{total}.db"
    if path.exists():
        progress(
            f"rollup db {case.name}: cached {path.relative_to(ROOT)} ({_mb(path.stat().st_size)})"
        )
        return path
    for stale in OUT.glob(f"rollup-{case.name}-*.db*"):
        stale.unlink()
    progress(f"rollup db {case.name}: building {total:,} comments ...")
    started = time.perf_counter()
    tmp = path.with_name(path.name + ".tmp")
    for leftover in tmp.parent.glob(tmp.name + "*"):
        leftover.unlink()
    build_rollup_database(tmp, case)
    tmp.replace(path)
    elapsed = time.perf_counter() - started
    progress(f"rollup db {case.name}: built in {elapsed:.1f}s ({_mb(path.stat().st_size)})")
    return path


def build_rollup_database(path: Path, case: RollupCase) -> None:
    """Schema and reference data through the app (init_db), then the bulk rows with raw sqlite3
    executemany in one transaction, secondary indexes rebuilt afterwards, the full-text index
    built in one go (the search triggers dropped for the load are re-created as the migration
    made them, then FTS5's 'rebuild' reads every comment), then ANALYZE."""
    from reviewtracker.extensions import db
    from reviewtracker.services.reference import init_db
    from reviewtracker.unit_of_work import unit_of_work

    app = make_app(path)
    with app.app_context():
        with unit_of_work():
            init_db()
        db.session.remove()
        db.engine.dispose()
    rng = random.Random(SEED + 2)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-262144")
        connection.execute("BEGIN")
        indexes = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='comment' "
            "AND sql IS NOT NULL"
        ).fetchall()
        # The search triggers too: one full-text index build afterwards instead.
        triggers = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='comment'"
        ).fetchall()
        if len(triggers) != 3:
            raise RuntimeError(f"expected the 3 search triggers, found {triggers}")
        for name, _sql in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        for name, _sql in triggers:
            connection.execute(f'DROP TRIGGER "{name}"')
        _fill_reference(connection, rng, case)
        inserted = _fill_comments(connection, rng, case)
        progress(f"  {inserted:,} comments inserted; rebuilding {len(indexes)} indexes ...")
        for _name, sql in indexes + triggers:
            connection.execute(sql)
        connection.execute("COMMIT")
        progress("  full-text index (FTS5 'rebuild', as the migration fills it) ...")
        started = time.perf_counter()
        connection.execute("INSERT INTO comment_fts(comment_fts) VALUES ('rebuild')")
        progress(f"  full-text index built in {time.perf_counter() - started:.1f}s")
        progress("  ANALYZE (a real deployment runs it too: see bench/README.md) ...")
        connection.execute("ANALYZE")
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()


def _fill_reference(connection: sqlite3.Connection, rng: random.Random, case: RollupCase):
    tranches = dict(connection.execute("SELECT code, id FROM tranche"))
    constituencies = [row[0] for row in connection.execute("SELECT id FROM constituency")]
    connection.executemany(
        "INSERT INTO service (id, name) VALUES (?, ?)", list(enumerate(SERVICES, 1))
    )
    prefixes = list(ARTEFACT_PREFIXES)
    artefacts = []
    for index in range(ROLLUP_ARTEFACTS):
        prefix = prefixes[index % len(prefixes)]
        reference = f"{prefix}{index // len(prefixes) + 1:03d}"
        artefacts.append(
            (
                index + 1,
                reference,
                f"{SUBJECTS[index % len(SUBJECTS)]} ({reference})",
                prefix,
                tranches[case.tranche_of_artefact(index)],
                index % len(SERVICES) + 1,
                "1.0",
                "under_review",
                index,
            )
        )
    connection.executemany(
        "INSERT INTO artefact (id, reference, title, document_type, tranche_id, service_id, "
        "version, state, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        artefacts,
    )
    # A few big constituencies, many small: organisations spread unevenly over the 13.
    weights = [1 / (rank + 1) for rank in range(len(constituencies))]
    organisations = [
        (number, f"Organisation {number:03d} Ltd", f"organisation {number:03d} ltd", constituency)
        for number, constituency in enumerate(
            rng.choices(constituencies, weights=weights, k=ROLLUP_ORGANISATIONS), 1
        )
    ]
    connection.executemany(
        "INSERT INTO organisation (id, name, name_key, constituency_id) VALUES (?, ?, ?, ?)",
        organisations,
    )
    rounds = [
        (tranches[code], number)
        for code in ROLLUP_TRANCHES
        for number in range(1, len(ROLLUP_ROUND_SHARE) + 1)
    ]
    connection.executemany("INSERT INTO review_round (tranche_id, number) VALUES (?, ?)", rounds)


def _fill_comments(connection: sqlite3.Connection, rng: random.Random, case: RollupCase) -> int:
    tranche_ids = dict(connection.execute("SELECT code, id FROM tranche"))
    rounds: dict[str, list[int]] = {}
    for code, round_id in connection.execute(
        "SELECT t.code, r.id FROM review_round r JOIN tranche t ON t.id = r.tranche_id "
        "ORDER BY r.number"
    ):
        rounds.setdefault(code, []).append(round_id)
    artefacts: dict[int, list[int]] = {}
    for artefact_id, tranche_id in connection.execute("SELECT id, tranche_id FROM artefact"):
        artefacts.setdefault(tranche_id, []).append(artefact_id)
    organisations = [row[0] for row in connection.execute("SELECT id FROM organisation")]
    organisation_weights = [1 / (rank + 2) ** 0.8 for rank in range(len(organisations))]
    corpus = " ".join(varied_text(rng, SENTENCES, 300, 400) for _ in range(5000))
    changes = " ".join(varied_text(rng, CHANGE_SENTENCES, 100, 150) for _ in range(2000))
    now = datetime(2024, 5, 1, 9, 30).isoformat(sep=" ")
    columns = (
        "artefact_id, review_round_id, organisation_id, source_key, log_comment_id, section, "
        "page, text, proposed_change, comment_type, raised_on, disposition, response, "
        "disposition_origin, response_origin, version, import_batch_id, last_import_batch_id, "
        "source_file, source_sheet, source_row, created_at, updated_at"
    )
    statement = f"INSERT INTO comment ({columns}) VALUES ({', '.join('?' * 23)})"
    # One import batch per organisation's log per review round, as the import would record.
    batches = {
        (organisation, round_id): _batch(connection, organisation)
        for organisation in organisations
        for round_ids in rounds.values()
        for round_id in round_ids
    }
    total = 0
    for code, count in case.comments_per_tranche.items():
        mix = MIX[code]
        tranche_artefacts = artefacts[tranche_ids[code]]
        artefact_weights = [1 / (rank + 4) for rank in range(len(tranche_artefacts))]
        picks = {
            "artefact": rng.choices(tranche_artefacts, weights=artefact_weights, k=count),
            "round": rng.choices(rounds[code], weights=ROLLUP_ROUND_SHARE, k=count),
            "organisation": rng.choices(organisations, weights=organisation_weights, k=count),
            "disposition": rng.choices(list(mix), weights=list(mix.values()), k=count),
        }

        def rows(picks=picks, count=count, first=total) -> Iterator[tuple]:
            for i in range(count):
                organisation = picks["organisation"][i]
                round_id = picks["round"][i]
                batch = batches[(organisation, round_id)]
                disposition = picks["disposition"][i]
                start = rng.randrange(len(corpus) - 400)
                change = rng.randrange(len(changes) - 150)
                number = first + i + 1
                decided = disposition != "open"
                yield (
                    picks["artefact"][i],
                    round_id,
                    organisation,
                    str(number),
                    str(number),
                    f"{rng.randint(1, 9)}.{rng.randint(1, 12)}",
                    str(rng.randint(1, 140)),
                    corpus[start : start + rng.randint(100, 400)],
                    changes[change : change + rng.randint(30, 150)],
                    "technical",
                    "2024-03-15",
                    disposition,
                    RESPONSES.get(disposition),
                    "import" if decided else None,
                    "import" if decided else None,
                    1,
                    batch,
                    batch,
                    f"organisation-{organisation}-log.xlsx",
                    "Comment Log",
                    i + 6,
                    now,
                    now,
                )

        connection.executemany(statement, rows())
        total += count
        progress(f"  tranche {code}: {count:,} comments")
    return total


def _batch(connection: sqlite3.Connection, organisation: int) -> int:
    cursor = connection.execute(
        "INSERT INTO import_batch (kind, file_name, sha256, imported_at, imported_by, added, "
        "unchanged, updated, conflicts, column_mapping, problems) "
        "VALUES ('comments', ?, ?, '2024-05-01 09:30:00.000000', 'bench', 0, 0, 0, 0, '{}', '[]')",
        (
            f"organisation-{organisation}-log.xlsx",
            hashlib.sha256(str(organisation).encode()).hexdigest(),
        ),
    )
    return cursor.lastrowid


def bench_rollups(total: int, runs: int, budget: float) -> None:
    """Each case with the ANALYZE statistics (the figure the target is for), then without
    them (the state the app leaves a database in today), then the statistics back."""
    for case in rollup_cases(total):
        path = rollup_database(case, total)
        _analyze(path, wanted=True)
        _time_rollups(path, case, f"{case.key}, ANALYZEd", runs, budget, target=True)
        _analyze(path, wanted=False)
        _time_rollups(path, case, f"{case.key}, no ANALYZE", runs, budget, target=False)
        _analyze(path, wanted=True)


def _analyze(path: Path, *, wanted: bool) -> None:
    """Make sure sqlite_stat1 holds statistics (ANALYZE), or that there are none."""
    connection = sqlite3.connect(path)
    try:
        present = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).fetchone()[0]
        if wanted and not present:
            progress(f"  ANALYZE {path.name} ...")
            connection.execute("ANALYZE")
        elif present and not wanted:
            connection.execute("DROP TABLE sqlite_stat1")
        connection.commit()
    finally:
        connection.close()


def _time_rollups(
    path: Path, case: RollupCase, section: str, runs: int, budget: float, *, target: bool
) -> None:
    """Both rollups of tranche 1, as one page request would run them: up to `runs` times,
    fewer (at least 3) if they would take longer than `budget` seconds in all."""
    from reviewtracker.extensions import db
    from reviewtracker.services.rollups import comment_status, constituency_table
    from reviewtracker.services.scope import Scope

    status_times: list[float] = []
    constituency_times: list[float] = []
    expected = case.comments_per_tranche["1"]
    app = make_app(path)
    with app.app_context():
        started_all = time.perf_counter()
        while len(status_times) < runs:
            started = time.perf_counter()
            status = comment_status("1", scope=Scope.staff())
            middle = time.perf_counter()
            constituencies = constituency_table("1")
            ended = time.perf_counter()
            status_times.append(middle - started)
            constituency_times.append(ended - middle)
            db.session.rollback()  # a new request: a new read transaction
            if len(status_times) >= 3 and ended - started_all > budget:
                break
        counted = (status.totals["total"], constituencies.totals["comments"])
        if counted != (expected, expected):
            raise RuntimeError(f"rollups counted {counted}, expected {expected} comments")
        db.session.remove()
        db.engine.dispose()
    done = len(status_times)
    sums = [a + b for a, b in zip(status_times, constituency_times, strict=True)]
    progress(
        f"{section}: {len(status.artefacts)} artefacts, "
        f"{constituencies.totals['organisations']} organisations, {expected:,} comments; "
        f"{done} runs, " + ", ".join(f"{t * 1000:.0f}" for t in sums) + " ms"
    )
    for name, times in (
        ("comment_status('1')", status_times),
        ("constituency_table('1')", constituency_times),
    ):
        record(
            section,
            f"{name}: median / max of {done}",
            f"{millis(statistics.median(times))} / {millis(max(times))}",
        )
    median_sum = statistics.median(status_times) + statistics.median(constituency_times)
    limit = f"< {TARGET_ROLLUP_MS:.0f} ms"
    record(
        section,
        "both: sum of the medians",
        millis(median_sum),
        limit if target else "",
        median_sum * 1000 < TARGET_ROLLUP_MS if target else None,
    )
    record(
        section,
        "both: sum of the maxima",
        millis(max(status_times) + max(constituency_times)),
        limit if target else "",
        (max(status_times) + max(constituency_times)) * 1000 < TARGET_ROLLUP_MS if target else None,
    )


# --- the pages and the triagers, through the real server, on SQLite and PostgreSQL --------------

WEB_REQUESTS = 100
SOAK_SECONDS = 120.0
SOAK_TRIAGERS = 20
SOAK_POOL = 200  # comments the triagers pick from at random: now and then two pick the same
SERVER_THREADS = 8
# The small soak on the demo data set (the one the test suite ran for 5 s until its
# concurrency test became deterministic): 8 triagers on 30 comments, much contention.
DEMO_SOAK_SECONDS = 5.0
DEMO_SOAK_TRIAGERS = 8
DEMO_SOAK_POOL = 30
TARGET_PAGE_MS = 300.0
SEARCH_WORD = "validation"  # in two of the generator's sentences: about 1 comment in 6


def bench_web_sqlite(total: int, requests: int, soak_seconds: float) -> None:
    """The spread rollup database (a copy: the soak writes), served from SQLite."""
    source = rollup_database(rollup_cases(total)[0], total)
    with tempfile.TemporaryDirectory(prefix="bench-web-") as folder:
        copy = Path(folder) / "web.db"
        progress(f"web, SQLite: copying {source.name} ({_mb(source.stat().st_size)}) ...")
        shutil.copyfile(source, copy)
        bench_web(f"sqlite:///{copy}", "SQLite", requests, soak_seconds, Path(folder))


def bench_postgres(args, imported: list[tuple[LogKind, Path, Path, float]]) -> None:
    """The import and the web figures on a throw-away PostgreSQL server, if one is installed."""
    from bench import postgres

    bin_dir = postgres.binaries()
    if bin_dir is None:
        progress("PostgreSQL: skipped (not installed)")
        record("PostgreSQL", "skipped (not installed: no /usr/lib/postgresql/*/bin)", "")
        return
    with postgres.Server(bin_dir) as pg, tempfile.TemporaryDirectory(prefix="bench-pg-") as tmp:
        label = f"PostgreSQL {pg.version}"
        progress(f"{label} on 127.0.0.1:{pg.port} (stock settings) ...")
        for kind, log, register, bare_s in imported:
            section = f"import {args.rows:,} rows, {kind.label}, {label}"

            def steps(log=log, register=register, bare_s=bare_s, section=section, key=kind.key):
                def new_database(name: str) -> str:
                    return pg.create_database(f"{key}_{name}")

                bench_import(
                    log, register, args.rows, bare_s, new_database, section, TARGET_PG_SECONDS
                )

            run_step(section, steps)
        if not args.skip_web:

            def web_steps() -> None:
                source = rollup_database(rollup_cases(args.comments)[0], args.comments)
                url = pg.create_database("bench_web")
                progress(f"{label}: copying {source.name} into it ...")
                started = time.perf_counter()
                postgres.copy_from_sqlite(source, url, make_app, progress)
                progress(f"{label}: database ready in {time.perf_counter() - started:.1f}s")
                bench_web(url, label, args.requests, args.soak_seconds, Path(tmp))

            run_step(f"web, {label}", web_steps)


def bench_web(url: str, label: str, requests: int, soak_seconds: float, folder: Path) -> None:
    """Page latency, then the soak, through waitress in a child process on 127.0.0.1."""
    from bench import web
    from reviewtracker.extensions import db
    from reviewtracker.services.comment_filter import CommentFilter
    from reviewtracker.services.comment_queries import count_comments
    from reviewtracker.services.scope import Scope

    app = make_app(url)
    with app.app_context():
        emails = web.make_users(SOAK_TRIAGERS)
        organisation = _busiest_organisation("1")
        pool = web.triage_pool(SOAK_POOL)
        before = web.snapshot(pool)
        staff = Scope.staff()  # the pages are requested by a triager
        narrow = CommentFilter(
            tranche="1", organisation_id=organisation, disposition="open", q=SEARCH_WORD
        ).for_scope(staff)
        hits = count_comments(narrow), count_comments(CommentFilter(q=SEARCH_WORD, scope=staff))
        db.session.remove()
        db.engine.dispose()
    pages = [
        ("tranche dashboard", "/tranches/1"),
        ("  its JSON", "/api/tranches/1"),
        ("  its progress charts (loaded after the page)", "/tranches/1/progress"),
        ("design dashboard", "/design-dashboard"),
        (
            f"comments: tranche, organisation, open + text ({hits[0]:,} match)",
            f"/comments/?tranche=1&organisation={organisation}&disposition=open&q={SEARCH_WORD}",
        ),
        (f"comments: text only ({hits[1]:,} match)", f"/comments/?q={SEARCH_WORD}"),
        ("comments: no filter, first page", "/comments/"),
        ("comments: sorted by disposition", "/comments/?sort=disposition"),
        ("a comment's page (with similar comments)", f"/comments/{pool[0]}"),
        ("  the same, from the text search", f"/comments/{pool[0]}?q={SEARCH_WORD}"),
    ]
    section = f"web, {label}"
    log = folder / f"server-{label.split()[0].lower()}.log"
    with web.serve_in_subprocess(url, log, threads=SERVER_THREADS) as port:
        browser = web.Browser(port)
        browser.sign_in(emails[0])
        for name, path in pages:
            measured = web.latency(browser, path, requests)
            progress(f"{section}: GET {path}: p95 {millis(measured.p95)}")
            record(
                section,
                f"{name}: median / p95 of {requests}",
                f"{millis(measured.median)} / {millis(measured.p95)}",
                f"p95 < {TARGET_PAGE_MS:.0f} ms",
                measured.p95 * 1000 < TARGET_PAGE_MS,
            )
        browser.close()
        progress(f"{section}: {SOAK_TRIAGERS} triagers for {soak_seconds:.0f}s ...")
        result = web.soak(port, emails, pool, soak_seconds)
    with app.app_context():
        verdict = web.verify(result, before)
        db.session.remove()
        db.engine.dispose()
    _record_soak(f"soak, {label}", SOAK_TRIAGERS, result, verdict)


def bench_demo_soak(soak_seconds: float) -> None:
    """DEMO_SOAK_TRIAGERS triagers on DEMO_SOAK_POOL comments of the demo data set (what
    `reviewtracker demo` loads) in a fresh SQLite database, through waitress in a child
    process: few comments for many people, so two often pick the same one and the stale-save
    refusals (409) are many. The same checks as the big soak."""
    from bench import web
    from reviewtracker.demo import load_demo
    from reviewtracker.extensions import db
    from reviewtracker.services.reference import init_db
    from reviewtracker.unit_of_work import unit_of_work

    with tempfile.TemporaryDirectory(prefix="bench-demo-") as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        app = make_app(url)
        progress("soak, demo data: loading the demo data set ...")
        with app.app_context():
            with unit_of_work():
                init_db()
            load_demo(actor="bench")
            emails = web.make_users(DEMO_SOAK_TRIAGERS)
            pool = web.triage_pool(DEMO_SOAK_POOL)
            before = web.snapshot(pool)
            db.session.remove()
            db.engine.dispose()
        log = Path(folder) / "server-demo.log"
        with web.serve_in_subprocess(url, log, threads=DEMO_SOAK_TRIAGERS) as port:
            progress(
                f"soak, demo data: {DEMO_SOAK_TRIAGERS} triagers on {len(pool)} comments "
                f"for {soak_seconds:.0f}s ..."
            )
            result = web.soak(port, emails, pool, soak_seconds)
        with app.app_context():
            verdict = web.verify(result, before)
            db.session.remove()
            db.engine.dispose()
    _record_soak("soak, demo data (SQLite)", DEMO_SOAK_TRIAGERS, result, verdict)


def _busiest_organisation(tranche: str) -> int:
    """The organisation with the most comments in the tranche (the slowest list to filter)."""
    from sqlalchemy import func, select

    from reviewtracker.extensions import db
    from reviewtracker.models import Comment, ReviewRound, Tranche

    rounds = select(ReviewRound.id).join(Tranche).where(Tranche.code == tranche)
    return db.session.scalar(
        select(Comment.organisation_id)
        .where(Comment.review_round_id.in_(rounds))
        .group_by(Comment.organisation_id)
        .order_by(func.count().desc())
        .limit(1)
    )


def _record_soak(section: str, triagers: int, result, verdict) -> None:
    posts = len(result.post_times)
    progress(
        f"{section}: {len(result.saves)} saves in {result.seconds:.0f}s, statuses "
        f"{dict(result.statuses)}, pages {dict(result.page_statuses)}, errors {result.errors[:3]}"
    )
    for problem in (verdict.lost_updates + verdict.missing_audit)[:10]:
        progress(f"  {problem}")
    record(
        section,
        f"{triagers} triagers, {result.seconds:.0f} s: saves/s",
        f"{result.per_second:.1f}",
    )
    record(section, "  saved (302)", f"{len(result.saves):,} of {posts:,} posts")
    record(section, "  refused as stale (409)", f"{result.stale:,}")
    ordered = sorted(result.post_times) or [0.0]
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    record(
        section,
        "  save (POST): median / p95",
        f"{millis(statistics.median(ordered))} / {millis(p95)}",
    )
    others = sum(n for status, n in result.statuses.items() if status not in (302, 409))
    others += sum(n for status, n in result.page_statuses.items() if status != 200)
    errors = verdict.server_errors
    record(section, "server errors (5xx)", f"{errors}", "0", not errors)
    clean = not others and not result.errors
    record(
        section, "other answers / client errors", f"{others} / {len(result.errors)}", "0 / 0", clean
    )
    record(section, "lost updates", f"{len(verdict.lost_updates)}", "0", not verdict.lost_updates)
    record(
        section,
        "saves without their audit events",
        f"{len(verdict.missing_audit)}",
        "0",
        not verdict.missing_audit,
    )


# --- main ----------------------------------------------------------------------------------------


def run_step(name: str, step: Callable[[], object]) -> object:
    try:
        return step()
    except Exception:
        FAILED.append(name)
        progress(f"{name} FAILED:")
        traceback.print_exc()
        record(name, "crashed (see the traceback above)", "ERROR")
        return None


def run_all(args) -> None:
    imported: list[tuple[LogKind, Path, Path, float]] = []
    if not args.skip_import:
        for kind in LOG_KINDS:

            def import_steps(kind: LogKind = kind) -> tuple[LogKind, Path, Path, float]:
                log = comment_log_file(args.rows, kind)
                register = register_file()
                bare_s, _ours = bench_parse(
                    log, args.rows, f"parse {args.rows:,} rows, {kind.label}"
                )
                with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
                    database = bench_import(
                        log,
                        register,
                        args.rows,
                        bare_s,
                        lambda name: f"sqlite:///{Path(folder) / name}.db",
                        f"import {args.rows:,} rows, {kind.label}, SQLite",
                    )
                    if kind is LOG_KINDS[0] and not args.skip_exports:
                        run_step(
                            "exports", lambda: exports.bench_exports(THIS, database, args.rows)
                        )
                return kind, log, register, bare_s

            done = run_step(f"import {args.rows:,} rows, {kind.key}", import_steps)
            if done is not None:
                imported.append(done)  # type: ignore[arg-type]
        if not args.skip_preview:
            run_step("import preview", lambda: exports.bench_preview(THIS))
    if not args.skip_rollups:
        run_step("rollups", lambda: bench_rollups(args.comments, args.runs, args.budget))
    if not args.skip_web:
        run_step("soak, demo data", lambda: bench_demo_soak(args.demo_soak_seconds))
        run_step(
            "web, SQLite",
            lambda: bench_web_sqlite(args.comments, args.requests, args.soak_seconds),
        )
    if not args.skip_postgres and (imported or not args.skip_web):
        run_step("PostgreSQL", lambda: bench_postgres(args, imported))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=LOG_ROWS, help="comment log rows")
    parser.add_argument("--comments", type=int, default=ROLLUP_COMMENTS, help="rollup comments")
    parser.add_argument("--runs", type=int, default=ROLLUP_RUNS, help="timed rollup runs")
    parser.add_argument(
        "--budget",
        type=float,
        default=ROLLUP_BUDGET_SECONDS,
        help="seconds per rollup measurement before it stops early (after 3 runs)",
    )
    parser.add_argument("--requests", type=int, default=WEB_REQUESTS, help="timed GETs per page")
    parser.add_argument(
        "--soak-seconds",
        type=float,
        default=SOAK_SECONDS,
        help="how long the triagers save at once",
    )
    parser.add_argument(
        "--demo-soak-seconds",
        type=float,
        default=DEMO_SOAK_SECONDS,
        help="how long the triagers save at once on the demo data",
    )
    parser.add_argument("--skip-import", action="store_true", help="no import figures")
    parser.add_argument("--skip-rollups", action="store_true", help="no rollup figures")
    parser.add_argument("--skip-web", action="store_true", help="no page latency, no soak")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--skip-exports", action="store_true", help="no comment register figures")
    parser.add_argument("--skip-preview", action="store_true", help="no import preview figures")
    parser.add_argument(
        "--child-import", nargs=3, metavar=("LOG", "REGISTER", "URL"), help=argparse.SUPPRESS
    )
    parser.add_argument("--child-export", nargs=2, metavar=("KIND", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_import:
        log, register, url = args.child_import
        child_import(Path(log), Path(register), url)
        return 0
    if args.child_export:
        exports.child_export(THIS, *args.child_export)
        return 0

    OUT.mkdir(parents=True, exist_ok=True)
    load = " ".join(f"{n:.2f}" for n in os.getloadavg())
    progress(
        f"python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs, load average {load} (other work on the machine skews timings)"
    )
    run_all(args)
    print_results()
    load = " ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"load average at the end: {load}")
    if not args.skip_rollups:
        for case in rollup_cases(args.comments):
            print(f"{case.key}: {case.label}")
        print(
            "ANALYZEd: sqlite_stat1 present, as after ANALYZE / PRAGMA optimize in a deployment;"
            " no ANALYZE: the database as the app leaves it today"
        )
    missed = [f"{r.section}: {r.measure}" for r in RESULTS if r.status == "MISS"]
    print(f"targets: {sum(r.status == 'PASS' for r in RESULTS)} PASS, {len(missed)} MISS")
    if FAILED:
        print(f"steps that crashed: {', '.join(FAILED)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
