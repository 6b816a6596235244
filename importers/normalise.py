"""Normalisers: the written forms found in real logs -> the canonical values the app stores.

Every mapping here is an explicit table. A value that no table knows is reported by the
reader as a problem, never guessed. The hot normalisers are cached: logs repeat the same
few artefact references and dispositions on every row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from .reference import CONSTITUENCIES, DOCUMENT_TYPES
from .vocabulary import ARTEFACT_STATES, OPEN

# --- headers -------------------------------------------------------------------------------

# Field name -> header texts as logs write them. Matching folds case, spaces and punctuation
# (see normalise_header), so "Comment No." and "comment no" are the same synonym.
COMMENT_FIELDS: dict[str, tuple[str, ...]] = {
    "log_comment_id": (
        "ID",
        "Ref",
        "Comment ID",
        "Comment Ref",
        "Comment No.",
        "Comment Number",
        "No.",
        "Number",
        "#",
        "Comment #",
        "CID",
        "Item",
        "Item No.",
    ),
    "artefact": (
        "Artefact",
        "Artifact",
        "Design Artefact",
        "Design Artifact",
        "Document",
        "Artefact Ref",
        "Artefact Reference",
        "Artifact Ref",
        "Reference",
        "Document Reference",
        "Document Ref",
        "Artefact Name",
        "Document Name",
        "Artefact ID",
    ),
    "section": (
        "Section",
        "Clause",
        "Section / Page",
        "Section/Clause",
        "Section / Clause",
        "Section No.",
        "Section Number",
        "Paragraph",
        "Location",
        "Section / Paragraph",
    ),
    "page": ("Page", "Page No.", "Page Number", "Page Ref"),
    "line": ("Line", "Line No.", "Line Number", "Line Ref", "Row Ref"),
    "comment": (
        "Comment",
        "Comments",
        "Reviewer Comment",
        "Reviewer Comments",
        "Comment Description",
        "Description of Comment",
        "Comment Text",
        "Comment Details",
        "Observation",
        "Participant Comment",
        "Industry Comment",
    ),
    "proposed_change": (
        "Proposed Change",
        "Proposed Changes",
        "Suggested Change",
        "Suggested Changes",
        "Proposed Amendment",
        "Suggested Amendment",
        "Proposed Solution",
        "Proposed Wording",
        "Suggested Wording",
        "Recommended Change",
    ),
    "comment_type": (
        "Type",
        "Comment Type",
        "Category",
        "Comment Category",
        "Severity",
        "Type of Comment",
    ),
    "response": (
        "Response",
        "Programme Response",
        "MHHS Response",
        "MHHSP Response",
        "Design Team Response",
        "Resolution",
        "Programme Comment",
        "Response to Comment",
    ),
    "disposition": (
        "Status",
        "Disposition",
        "Comment Status",
        "Outcome",
        "Resolution Status",
        "Resn Status",
        "Decision",
        "Response Status",
    ),
    "organisation": (
        "Organisation",
        "Organization",
        "Company",
        "Participant",
        "Organisation Name",
        "Organization Name",
        "Company Name",
        "Participant Name",
    ),
    "constituency": ("Constituency", "Participant Constituency", "Constituency Group"),
    "reviewer": (
        "Reviewer",
        "Name",
        "Raised By",
        "Reviewer Name",
        "Commenter",
        "Author",
        "Submitted By",
    ),
    "raised_on": ("Date", "Date Raised", "Raised On", "Date Submitted", "Comment Date"),
    "tranche": ("Tranche",),
    "review_round": ("Round", "Review Round", "Review Cycle", "Review No.", "Iteration"),
}

# The artefact register's own columns (the "Design Artefact Tracker").
REGISTER_FIELDS: dict[str, tuple[str, ...]] = {
    "tranche": ("Tranche",),
    "service": ("MHHS Service", "Service", "Design Service"),
    "document_type": ("Document Type", "Doc Type", "Artefact Type", "Type"),
    "reference": (
        "Reference",
        "Ref",
        "Artefact Reference",
        "Artefact Ref",
        "Document Reference",
        "Artefact",
        "Artifact",
        "Artefact ID",
    ),
    "title": (
        "Name / Description",
        "Name",
        "Description",
        "Title",
        "Artefact Name",
        "Artefact Title",
        "Document Name",
        "Document Title",
    ),
    "status": ("Status", "Review Status", "Artefact Status", "State"),
    "action_with": ("Action With", "Action Owner", "With"),
    "version": ("Version", "Version No.", "Ver", "Current Version"),
    "expected_dag_month": (
        "Expected DAG Month",
        "Expected DAG Approval",
        "Expected DAG Approval Month",
        "Expected DAG Approval Submission Date",
        "DAG Approval Month",
        "DAG Month",
    ),
    "responsible": ("Responsible", "Responsible Person", "Author", "Document Owner"),
}

_FOLD = re.compile(r"[^0-9a-z#]+")


def normalise_header(text: object) -> str:
    """Fold case, spaces and punctuation: 'Comment No.' -> 'comment no', 'Section/Clause' ->
    'section clause'. '#' survives because some logs head the id column with it alone."""
    if text is None:
        return ""
    return _FOLD.sub(" ", str(text).casefold()).strip()


def synonym_lookup(fields: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Normalised synonym -> field name. A synonym listed under two fields is a bug here."""
    lookup: dict[str, str] = {}
    for name, synonyms in fields.items():
        for synonym in synonyms:
            key = normalise_header(synonym)
            if lookup.setdefault(key, name) != name:
                raise ValueError(f"header synonym {synonym!r} listed for two fields")
    return lookup


COMMENT_HEADER_LOOKUP = synonym_lookup(COMMENT_FIELDS)
REGISTER_HEADER_LOOKUP = synonym_lookup(REGISTER_FIELDS)

_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_MANDATORY = re.compile(r"\b(mandatory|optional|required|if applicable|free text)\b")


def header_field(text: object, lookup: dict[str, str] = COMMENT_HEADER_LOOKUP) -> str | None:
    """The field a header cell names, or None. Notes like '(mandatory)' or '*' are ignored."""
    if not isinstance(text, str) or not text:
        return None
    key = normalise_header(text)
    found = lookup.get(key)
    if found is None and len(key) < 60:
        bare = _MANDATORY.sub(" ", normalise_header(_PARENTHESES.sub(" ", text)))
        found = lookup.get(" ".join(bare.split()))
    return found


# --- artefact references -------------------------------------------------------------------

# Letters, optional '-'/'_'/space, 1-4 digits, optional one-letter suffix; optionally preceded
# by the programme prefix MHHSP-. Matched against upper-cased text.
_REF = re.compile(r"(?<![A-Z0-9])(MHHSP?[ _-]*)?([A-Z]{2,5})([ _-]?)(\d{1,4})([A-Z]?)(?![A-Z0-9])")
# Words that look like a reference in titles and sheet names ("Sheet1", "Page 12", "Round 2")
# but are not one. A known document-type prefix or the MHHSP- prefix always counts; any other
# prefix must be joined to at most 3 digits without a space ("SSE 2024" is no reference).
# fmt: off
_NOT_PREFIXES = frozenset({
    "SHEET", "PAGE", "PAGES", "ROUND", "LINE", "LINES", "ROW", "ROWS", "TABLE", "TAB", "REV",
    "VER", "ISSUE", "PART", "STEP", "LOG", "NO", "NOS", "ITEM", "COL", "CELL", "ID", "REF",
    "CID", "DRAFT", "PHASE", "STAGE", "WEEK", "DAY", "MONTH", "YEAR", "DATE", "TIME", "NOTE",
    "NOTES", "TEAM", "GROUP", "LEVEL", "CYCLE", "COPY", "FINAL", "DAG", "PAB", "FIG", "TYPE",
})
# fmt: on
_TITLE_STRIP = " \t\n-–—:|()[],."


def _find_ref(text: str) -> re.Match[str] | None:
    for match in _REF.finditer(text.upper()):
        prefix = match.group(2)
        if prefix in DOCUMENT_TYPES or match.group(1):
            return match
        plain = match.group(3) != " " and len(match.group(4)) <= 3
        if plain and prefix not in _NOT_PREFIXES:
            return match
    return None


def _canonical(match: re.Match[str]) -> str:
    return f"{match.group(2)}{int(match.group(4)):03d}{match.group(5)}"


@lru_cache(maxsize=4096)
def _split_ref(text: str) -> tuple[str | None, str | None]:
    match = _find_ref(text)
    if match is None:
        return None, None
    before, after = text[: match.start()], text[match.end() :]
    title = after.strip(_TITLE_STRIP) or before.strip(_TITLE_STRIP)
    return _canonical(match), title or None


def split_artefact_ref(text: object) -> tuple[str | None, str | None]:
    """'BP004- Data Collection' -> ('BP004', 'Data Collection'); no reference -> (None, None)."""
    if not isinstance(text, str):
        return (None, None) if text is None or isinstance(text, bool) else _split_ref(str(text))
    return _split_ref(text)


def normalise_artefact_ref(text: object) -> str | None:
    """Canonical reference: 'MHHSP-IF-05' -> 'IF005', 'bp003b' -> 'BP003B'; None if absent."""
    return split_artefact_ref(text)[0]


_PREFIX = re.compile(r"[A-Z]+")


def document_type(reference: str) -> str:
    """Document type from a canonical reference's letter prefix; 'Other' if the prefix is new."""
    match = _PREFIX.match(reference.upper()) if reference else None
    return DOCUMENT_TYPES.get(match.group(0), "Other") if match else "Other"


# --- dispositions --------------------------------------------------------------------------

# Written forms of each disposition, keyed by vocabulary.DISPOSITIONS' keys.
_DISPOSITION_FORMS: dict[str, tuple[str, ...]] = {
    "accepted": (
        "accepted",
        "accept",
        "agreed",
        "agree",
        "approved",
        "revised",
        "accepted in principle",
        "partially accepted",
        "accepted in part",
        "accepted with changes",
        "accepted with amendment",
        "accepted with amendments",
    ),
    "action": (
        "action",
        "actions",
        "action required",
        "action needed",
        "further action required",
        "further action",
        "for action",
        "further discussion required",
        "discussion required",
        "sub group action",
        "subgroup action",
        "for discussion",
    ),
    "rejected": (
        "rejected",
        "reject",
        "not accepted",
        "declined",
        "not agreed",
    ),
    "clarification": (
        "clarification",
        "clarification required",
        "clarification needed",
        "clarification requested",
        "further clarification",
        "further clarification required",
        "further clarification needed",
        "requires clarification",
        "requires further clarification",
        "more information required",
        "further information required",
        "information required",
    ),
    "open": (
        "open",
        "new",
        "pending",
        "not started",
        "not reviewed",
        "under review",
        "in review",
        "awaiting response",
        "to be reviewed",
        "tbc",
    ),
}

# Normalised written form -> disposition key.
DISPOSITION_SYNONYMS: dict[str, str] = {
    form: canonical for canonical, forms in _DISPOSITION_FORMS.items() for form in forms
}


@lru_cache(maxsize=1024)
def _disposition(text: str) -> str | None:
    key = normalise_header(text)
    return DISPOSITION_SYNONYMS.get(key, OPEN if not key else None)


def normalise_disposition(text: object) -> str | None:
    """Canonical disposition; blank -> 'open'; a form the table doesn't know -> None."""
    if text is None:
        return OPEN
    return _disposition(text if isinstance(text, str) else str(text))


# --- artefact lifecycle states --------------------------------------------------------------

# How registers write each lifecycle state (vocabulary.ARTEFACT_STATES), folded like headers.
# The term's own label and key are always accepted too.
_STATE_FORMS: dict[str, tuple[str, ...]] = {
    "drafting": ("draft", "in draft", "drafting", "in progress", "not started", "in development"),
    "under_review": (
        "under review",
        "in review",
        "review",
        "issued for review",
        "out for review",
        "industry review",
        "published for review",
    ),
    "resolving": (
        "comments being resolved",
        "comment resolution",
        "resolving comments",
        "review closed",
        "comments received",
        "updating",
    ),
    "ready_for_dag": (
        "ready for dag",
        "ready for approval",
        "submitted to dag",
        "awaiting dag approval",
        "for dag approval",
    ),
    "approved": ("approved", "dag approved", "signed off"),
    "baselined": ("baselined", "baseline", "baselined v1", "published"),
    "change_control": ("under change control", "change control", "in change control"),
    "withdrawn": ("withdrawn", "removed", "removed from tranche", "deferred", "cancelled"),
}
STATE_SYNONYMS: dict[str, str] = {
    normalise_header(form): key
    for key, forms in _STATE_FORMS.items()
    for form in (*forms, key.replace("_", " "), ARTEFACT_STATES[key].label)
}


def normalise_state(text: object) -> str | None:
    """A register's written state as a lifecycle state key; None if blank or unknown."""
    if text is None:
        return None
    return STATE_SYNONYMS.get(normalise_header(text))


_MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-\d{1,2})?(?:[ t].*)?$")
_NUMERIC_MONTH = re.compile(r"^(\d{1,2})[/.-](\d{4})$")
_NAMED_MONTH = re.compile(r"^([a-z]+)[\s/.-]*'?(\d{2}|\d{4})$")


def normalise_month(value: object) -> str | None:
    """A month as 'YYYY-MM' from a date cell, '2022-06', '06/2022', 'Jun-22', 'June 2022';
    None if blank or not a month (a 'TBC' included)."""
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}"
    if value is None:
        return None
    text = str(value).strip().casefold()
    year = month = None
    if found := _ISO_MONTH.match(text):
        year, month = int(found.group(1)), int(found.group(2))
    elif found := _NUMERIC_MONTH.match(text):
        month, year = int(found.group(1)), int(found.group(2))
    elif (found := _NAMED_MONTH.match(text)) and found.group(1) in _MONTH_NAMES:
        month, year = _MONTH_NAMES[found.group(1)], int(found.group(2))
        year += 2000 if year < 100 else 0
    if year is None or month is None or not 1 <= month <= 12 or not 1900 < year < 2200:
        return None
    return f"{year:04d}-{month:02d}"


# --- comment types -------------------------------------------------------------------------

COMMENT_TYPE_SYNONYMS: dict[str, str] = {
    "general": "general",
    "g": "general",
    "gen": "general",
    "technical": "technical",
    "t": "technical",
    "tech": "technical",
    "editorial": "editorial",
    "e": "editorial",
    "ed": "editorial",
    "typo": "editorial",
    "critical": "critical",
    "major": "major",
    "minor": "minor",
}


@lru_cache(maxsize=256)
def normalise_comment_type(text: str) -> tuple[str, bool]:
    """(value, known): the canonical type, or the text as given (trimmed) and False."""
    known = COMMENT_TYPE_SYNONYMS.get(normalise_header(text))
    return (known, True) if known else (text.strip(), False)


# --- names of organisations and services ---------------------------------------------------


def tidy_name(name: str) -> str:
    """A name as stored and shown: each run of spaces or line breaks one space, ends trimmed."""
    return " ".join(name.split())


@lru_cache(maxsize=4096)
def fold_name(name: str) -> str:
    """A name as matched: "Acme  Energy" and "ACME energy" are one organisation (or service).
    The one folding of names: the importers, the import and every lookup by name use it."""
    return tidy_name(name).casefold()


# --- constituencies ------------------------------------------------------------------------

_ALNUM = re.compile(r"[^0-9a-z]+")


def _constituency_key(text: str) -> str:
    # Spacing, case and dash style all vary: 'SUPPLIER – LARGE' is 'Supplier- Large'.
    return _ALNUM.sub("", text.casefold())


@lru_cache(maxsize=16)
def _constituency_index(known: tuple[str, ...]) -> dict[str, str]:
    return {_constituency_key(name): name for name in known}


def match_constituency(text: object, known: Iterable[str] = CONSTITUENCIES) -> str | None:
    """Canonical constituency name from the reference list, or None if it isn't one."""
    if text is None:
        return None
    index = _constituency_index(tuple(known))
    return index.get(_constituency_key(str(text))) or None


# --- tranches and review rounds ------------------------------------------------------------

_TRANCHE = re.compile(r"^(?:tranche|tr|t)?\s*[-_:]?\s*([1-4])(?:\.0+)?$")
_TBC = frozenset({"tbc", "tbd", "to be confirmed", "to be decided", "tranche tbc"})


def normalise_tranche(value: object) -> str | None:
    """'1'..'4' or 'TBC' from 1, 1.0, '1', 'Tranche 1', 'T1', 'tbc'; None if unknown or blank."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(int(value)) if value in (1, 2, 3, 4) else None
    text = " ".join(str(value).casefold().split())
    if text in _TBC:
        return "TBC"
    match = _TRANCHE.match(text)
    return match.group(1) if match else None


_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "initial": 1,
}
_ROUND_NUMBER = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\b|(?<=r)(\d{1,2})\b")


def normalise_review_round(value: object) -> int | None:
    """2, 2.0, '2', '2nd review', 'Round 2', 'R2', 'second' -> 2; None if unknown or blank."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value) if value == int(value) and value > 0 else None
    text = str(value).casefold()
    match = _ROUND_NUMBER.search(text)
    if match:
        number = int(match.group(1) or match.group(2))
        return number or None
    for word in normalise_header(text).split():
        if _ORDINALS.get(word):
            return _ORDINALS[word]
    return None
