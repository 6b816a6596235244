"""The vocabularies: each term once, in the pack's order, and every one readable from a log."""

from __future__ import annotations

import pytest

from importers import (
    DISPOSITION_SYNONYMS,
    DISPOSITIONS,
    RAG_STATUSES,
    RAG_SYNONYMS,
    Term,
    Vocabulary,
    normalise_disposition,
    normalise_rag,
)


def test_dispositions_in_the_packs_order_with_their_keyboard_keys():
    assert [(t.key, t.label, t.shortcut) for t in DISPOSITIONS] == [
        ("accepted", "Accepted", "a"),
        ("action", "Action", "c"),
        ("rejected", "Rejected", "r"),
        ("clarification", "Requires Further Clarification", "f"),
        ("open", "Open", "o"),
    ]
    assert DISPOSITIONS["clarification"].short_label == "Clarification"
    assert DISPOSITIONS.rank("rejected") == 2
    assert DISPOSITIONS.keys_except("open") == ("accepted", "action", "rejected", "clarification")


def test_rag_statuses_in_the_legends_order():
    assert RAG_STATUSES.labels == {
        "on_track": "On track",
        "at_risk": "At risk",
        "not_on_track": "Not on track / high risk",
        "complete": "Complete",
        "tbd": "To be determined",
    }
    assert RAG_STATUSES.shortcuts == {}
    assert RAG_STATUSES["at_risk"].rgb == "F0A202"


def test_lookups_by_key():
    assert "accepted" in DISPOSITIONS and "Accepted" not in DISPOSITIONS
    assert DISPOSITIONS.get("nope") is None and DISPOSITIONS.get(None) is None
    with pytest.raises(KeyError):
        DISPOSITIONS["nope"]
    with pytest.raises(KeyError):
        DISPOSITIONS.keys_except("nope")


def test_every_key_has_synonyms_in_its_reader():
    assert set(DISPOSITION_SYNONYMS.values()) == set(DISPOSITIONS.keys)
    assert set(RAG_SYNONYMS) == set(RAG_STATUSES.keys)


@pytest.mark.parametrize("term", list(DISPOSITIONS), ids=lambda t: t.key)
def test_a_log_written_with_our_disposition_labels_reads_back(term: Term):
    # A register exported by the app and edited in Excel comes back in.
    assert normalise_disposition(term.label) == term.key


@pytest.mark.parametrize("term", list(RAG_STATUSES), ids=lambda t: t.key)
def test_a_dashboard_written_with_our_rag_labels_reads_back(term: Term):
    assert normalise_rag(term.label) == term.key


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ((Term("a", "A", "#000000", ""), Term("a", "B", "#ffffff", "")), "share a key"),
        (
            (Term("a", "A", "#000000", "", "x"), Term("b", "B", "#ffffff", "", "x")),
            "share a keyboard key",
        ),
    ],
)
def test_a_vocabulary_refuses_two_terms_with_one_key(terms, message):
    with pytest.raises(ValueError, match=message):
        Vocabulary("test", *terms)


@pytest.mark.parametrize(
    ("key", "colour"), [("Has Space", "#000000"), ("x'; DROP", "#000000"), ("ok", "red")]
)
def test_a_term_refuses_keys_and_colours_unsafe_in_sql_css_and_xlsx(key, colour):
    with pytest.raises(ValueError):
        Term(key, "Label", colour, "")
