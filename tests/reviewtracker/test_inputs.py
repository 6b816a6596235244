"""The request value parsers, on every text Hypothesis can think of: they never raise, and what
they let through is what their callers rely on."""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewtracker.inputs import MAX_ID, clean_text, is_control, local_path, positive_int

PROPERTY = settings(max_examples=500, deadline=None, derandomize=True, database=None)
# Text with the characters that broke things: digits of every script, controls, slashes.
TRICKY = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from("0123456789²١１/\\:?#@.%\r\n\t\x00 "),
    ),
    max_size=40,
)


@PROPERTY
@given(TRICKY)
def test_positive_int_is_a_storable_id_or_none(text):
    number = positive_int(text)
    assert number is None or (1 <= number <= MAX_ID and text.strip().isascii())


@PROPERTY
@given(st.integers(min_value=1, max_value=MAX_ID))
def test_positive_int_reads_every_storable_id(number):
    assert positive_int(str(number)) == number
    assert positive_int(f" {number} ") == number


def test_positive_int_refuses_what_int_would_misread():
    for text in ("²", "١", "１２", "-1", "+1", "0", "1_000", "1.0", str(2**63), "9" * 5000):
        assert positive_int(text) is None, text


@PROPERTY
@given(TRICKY)
def test_local_path_is_a_path_on_this_site_or_none(text):
    target = local_path(text)
    if target is None:
        return
    assert target == text and target.startswith("/") and not target.startswith("//")
    assert "\\" not in target and not any(c.isspace() or is_control(c) for c in target)
    parts = urlsplit(target)
    assert not parts.scheme and not parts.netloc


@PROPERTY
@given(st.one_of(TRICKY, st.text(max_size=400)))
def test_clean_text_is_one_short_line_without_control_characters(text):
    cleaned = clean_text(text, 200)
    if cleaned is None:
        return
    assert 0 < len(cleaned) <= 200 and cleaned == cleaned.strip()
    assert not any(is_control(c) for c in cleaned) and "  " not in cleaned
