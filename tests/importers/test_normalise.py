"""The normalisers: every written form we have met -> its canonical value."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from importers import (
    COMMENT_FIELDS,
    CONSTITUENCIES,
    DISPOSITION_SYNONYMS,
    DISPOSITIONS,
    document_type,
    fold_name,
    header_field,
    match_constituency,
    normalise_artefact_ref,
    normalise_comment_type,
    normalise_disposition,
    normalise_header,
    normalise_review_round,
    normalise_tranche,
    split_artefact_ref,
    tidy_name,
)
from importers.normalise import REGISTER_FIELDS, synonym_lookup
from importers.records import Problem
from importers.table import CellProblem, cell_date, cell_text


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("BP004", "BP004"),
        ("MHHSP-BP004", "BP004"),
        ("BP-004", "BP004"),
        ("BP004- Data Collection", "BP004"),
        ("MHHSP-IF-05", "IF005"),
        ("bp004 Data Collection", "BP004"),
        ("IF-031", "IF031"),
        ("MHHSP-IF-31", "IF031"),
        ("BP003B", "BP003B"),
        ("METH005", "METH005"),
        ("BPD013", "BPD013"),
        ("BRS007", "BRS007"),
        ("DES138", "DES138"),
        ("MHHSP_BRS_007", "BRS007"),
        ("  if5 ", "IF005"),
        ("Comment log: BP004- Data Collection", "BP004"),
        ("Data Collection (BP004)", "BP004"),
        ("XYZ12", "XYZ012"),  # an unknown prefix is still a reference when written tight
    ],
)
def test_artefact_references(written: str, canonical: str) -> None:
    assert normalise_artefact_ref(written) == canonical


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "Comments",
        "Sheet1",
        "Page 12",
        "Round 2",
        "Tranche 1",
        "SSE 2024",
        "Acme Energy 2",
        "Please complete all mandatory fields",
        "MHHS Programme – Design Artefact Comment Log",
        "DAG8",
        4,
        True,
    ],
)
def test_words_are_not_references(text: object) -> None:
    assert normalise_artefact_ref(text) is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("BP004- Data Collection", ("BP004", "Data Collection")),
        ("MHHSP-BP004 – Data Collection", ("BP004", "Data Collection")),
        ("Comment log: IF-05: Market Messages", ("IF005", "Market Messages")),
        ("BP004", ("BP004", None)),
        ("no reference", (None, None)),
    ],
)
def test_split_artefact_ref(written: str, expected: tuple[str | None, str | None]) -> None:
    assert split_artefact_ref(written) == expected


@pytest.mark.parametrize(
    ("reference", "kind"),
    [
        ("BP004", "Business Process Diagram"),
        ("BPD013", "Business Process Description"),
        ("BRS007", "Business Requirements"),
        ("IF005", "Interface Specification"),
        ("METH005", "Method Statement"),
        ("XYZ001", "Other"),
        ("", "Other"),
    ],
)
def test_document_type(reference: str, kind: str) -> None:
    assert document_type(reference) == kind


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Accepted", "accepted"),
        ("ACCEPTED", "accepted"),
        ("Accept", "accepted"),
        ("Agreed", "accepted"),
        ("REVISED", "accepted"),
        ("accepted in principle", "accepted"),
        ("Action", "action"),
        ("Action required", "action"),
        ("Action Required.", "action"),
        ("Reject", "rejected"),
        ("Rejected", "rejected"),
        ("Not accepted", "rejected"),
        ("Not Accepted", "rejected"),
        ("Clarification required", "clarification"),
        ("Further clarification required", "clarification"),
        ("Requires further clarification", "clarification"),
        ("Requires Further Clarification", "clarification"),
        ("Open", "open"),
        ("New", "open"),
        ("", "open"),
        ("   ", "open"),
        (None, "open"),
    ],
)
def test_dispositions(written: str | None, canonical: str) -> None:
    assert normalise_disposition(written) == canonical


@pytest.mark.parametrize("written", ["Maybe", "Actioned", "Closed", "Noted", "Yes"])
def test_unknown_dispositions_are_not_guessed(written: str) -> None:
    assert normalise_disposition(written) is None


def test_disposition_table_is_explicit_and_canonical() -> None:
    assert set(DISPOSITION_SYNONYMS.values()) == set(DISPOSITIONS.keys)
    assert all(key == normalise_header(key) for key in DISPOSITION_SYNONYMS)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Supplier- Large", "Supplier- Large"),
        ("Supplier - Large", "Supplier- Large"),
        ("supplier-large", "Supplier- Large"),
        ("SUPPLIER – LARGE", "Supplier- Large"),
        ("Supplier — Small", "Supplier- Small"),
        ("supplier - I & C", "Supplier- I&C"),
        ("Supplier Agent", "Supplier Agent"),
        ("supplier agent - independent", "Supplier Agent- Independent"),
        ("national grid eso", "National Grid ESO"),
        ("Central Systems Provider – Smart DCC", "Central Systems Provider- Smart DCC"),
    ],
)
def test_constituencies(written: str, canonical: str) -> None:
    assert match_constituency(written) == canonical


@pytest.mark.parametrize("written", ["Supplier", "Large", "Acme", "", None])
def test_unknown_constituencies(written: str | None) -> None:
    assert match_constituency(written) is None


def test_constituency_against_another_list() -> None:
    assert match_constituency("big - one", known=("Big- One", "Small- One")) == "Big- One"
    assert len({match_constituency(name) for name in CONSTITUENCIES}) == len(CONSTITUENCIES)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        (1, "1"),
        (1.0, "1"),
        ("1", "1"),
        ("1.0", "1"),
        ("Tranche 1", "1"),
        ("tranche 2", "2"),
        ("T1", "1"),
        ("T 3", "3"),
        ("Tranche-4", "4"),
        ("tbc", "TBC"),
        ("TBC", "TBC"),
        ("To be confirmed", "TBC"),
    ],
)
def test_tranches(written: object, canonical: str) -> None:
    assert normalise_tranche(written) == canonical


@pytest.mark.parametrize("written", [5, 0, 1.5, "Tranche 5", "one", "", None, True])
def test_unknown_tranches(written: object) -> None:
    assert normalise_tranche(written) is None


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("2", 2),
        (2, 2),
        (2.0, 2),
        ("2nd review", 2),
        ("Round 2", 2),
        ("second", 2),
        ("Second review", 2),
        ("R3", 3),
        ("1st", 1),
        ("first", 1),
    ],
)
def test_review_rounds(written: object, number: int) -> None:
    assert normalise_review_round(written) == number


@pytest.mark.parametrize("written", ["latest", "", None, 0, 2.5])
def test_unknown_review_rounds(written: object) -> None:
    assert normalise_review_round(written) is None


@pytest.mark.parametrize(
    ("written", "canonical", "known"),
    [
        ("Editorial", "editorial", True),
        ("E", "editorial", True),
        ("TECHNICAL", "technical", True),
        ("t", "technical", True),
        ("General", "general", True),
        ("Critical", "critical", True),
        ("major", "major", True),
        ("Minor", "minor", True),
        ("  Cosmetic ", "Cosmetic", False),
    ],
)
def test_comment_types(written: str, canonical: str, known: bool) -> None:
    assert normalise_comment_type(written) == (canonical, known)


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Comment No.", "comment no"),
        ("Section/Clause", "section clause"),
        ("  Reviewer\nComment* ", "reviewer comment"),
        ("#", "#"),
        (None, ""),
    ],
)
def test_normalise_header(written: str | None, folded: str) -> None:
    assert normalise_header(written) == folded


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Comment", "comment"),
        ("Comments", "comment"),
        ("Reviewer comment", "comment"),
        ("Comment description", "comment"),
        ("Comment (mandatory)", "comment"),
        ("Proposed change", "proposed_change"),
        ("Suggested Amendment", "proposed_change"),
        ("Programme response", "response"),
        ("Design team response", "response"),
        ("Outcome", "disposition"),
        ("Comment status", "disposition"),
        ("Artifact", "artefact"),
        ("Document reference", "artefact"),
        ("Section/Clause", "section"),
        ("Section / Page", "section"),
        ("Page no", "page"),
        ("Line No.", "line"),
        ("Comment No.", "log_comment_id"),
        ("#", "log_comment_id"),
        ("Severity", "comment_type"),
        ("Organization", "organisation"),
        ("Company", "organisation"),
        ("Raised by", "reviewer"),
        ("Date raised", "raised_on"),
        ("Review cycle", "review_round"),
        ("Tranche", "tranche"),
        ("Constituency", "constituency"),
        ("Notes", None),
        ("", None),
    ],
)
def test_header_synonyms(header: str, field: str | None) -> None:
    assert header_field(header) == field


def test_synonym_tables_have_no_clashes() -> None:
    synonym_lookup(COMMENT_FIELDS)
    synonym_lookup(REGISTER_FIELDS)
    with pytest.raises(ValueError, match="two fields"):
        synonym_lookup({"a": ("Status",), "b": ("status",)})


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12.0, "12"),
        (12, "12"),
        (3.25, "3.25"),
        ("  a\r\nb ", "a\nb"),
        ("   ", None),
        ("", None),
        (None, None),
        (date(2024, 3, 1), "2024-03-01"),
        (datetime(2024, 3, 1), "2024-03-01"),
    ],
)
def test_cell_text(value: object, text: str | None) -> None:
    assert cell_text(value) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (45352, date(2024, 3, 1)),
        (45352.75, date(2024, 3, 1)),
        (datetime(2024, 3, 1, 12, 30), date(2024, 3, 1)),
        (date(2024, 3, 1), date(2024, 3, 1)),
        ("01/03/2024", date(2024, 3, 1)),
        ("2024-03-01", date(2024, 3, 1)),
        ("1 March 2024", date(2024, 3, 1)),
        ("01-Mar-24", date(2024, 3, 1)),
        ("45352", date(2024, 3, 1)),
        ("", None),
    ],
)
def test_cell_date(value: object, expected: date | None) -> None:
    assert cell_date(value) == expected


@pytest.mark.parametrize("value", ["next week", -3, 10_000_000])
def test_cell_date_refuses_non_dates(value: object) -> None:
    with pytest.raises(CellProblem):
        cell_date(value)


def test_problem_reads_well() -> None:
    problem = Problem("log.xlsx", "unknown disposition", "BP004", 12, "Status", 4, "Maybe", "error")
    assert (
        str(problem)
        == "log.xlsx, sheet 'BP004', row 12, column 'Status' (E): unknown disposition 'Maybe'"
    )
    warning = Problem(
        "log.csv", "unknown comment type {value}, kept as written", None, 3, None, 0, "X", "warning"
    )
    assert (
        str(warning)
        == "log.csv, row 3, column (A): unknown comment type 'X', kept as written [warning]"
    )
    assert str(Problem("log.csv", "the file is empty")) == "log.csv: the file is empty"


@pytest.mark.parametrize(
    ("written", "tidy"),
    [
        ("Acme Energy", "Acme Energy"),
        ("ACME  Energy", "ACME Energy"),
        (" acme energy ", "acme energy"),
        ("Acme\nEnergy", "Acme Energy"),
        ("Acme\u00a0ENERGY", "Acme ENERGY"),
    ],
)
def test_names_fold_case_and_spaces(written: str, tidy: str) -> None:
    assert tidy_name(written) == tidy
    assert fold_name(written) == "acme energy"


def test_names_that_differ_in_more_than_case_and_spaces_stay_apart() -> None:
    assert fold_name("Acme Energy Ltd") != fold_name("Acme Energy")
    assert fold_name("Acme-Energy") != fold_name("Acme Energy")
