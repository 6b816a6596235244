"""Comments that say nearly the same thing: candidates for "duplicate of" and "copy response".

Reviewers from different organisations often raise the same point on the same artefact, in
their own words, and one organisation's log often repeats a comment with a sentence added.
Only comments on the same artefact are compared: the same words about another document are
a different comment.

The score (0-100) is the mean of two rapidfuzz scores over the case- and punctuation-folded
texts:
- `token_set_ratio` forgives word order and extra words: a comment repeated with a sentence
  added scores 100. On its own it also scores 100 for "Typo in section 2.1." against any
  longer comment that happens to contain those four words.
- `token_sort_ratio` compares all the words, so it keeps a short comment that shares only
  its few words with a long one low (about 20-40), but it punishes additions.
Their mean keeps the strengths of both.

SIMILARITY_THRESHOLD = 75 sits in the gap between the two groups we measured (see
tests/reviewtracker/test_similar.py, which pins these numbers):
- near-duplicates (rephrased, reordered, misspelt, the same comment with one sentence or a
  whole paragraph added) score 78.8-96;
- unrelated comments on the same artefact, written with the same domain vocabulary
  ("Registration Service", "interface", "please clarify"), score 42-65, and short comments
  whose every word appears in a longer one ("Agree with the approach.") at most 70.2;
- over the demo data set's generated comments, pairs written from the same concern score at
  least 82 and pairs from different concerns at most 69.
`fuzz.WRatio` was tried and rejected: it scores different concerns up to 85 and the short
comments 85-90, above most real near-duplicates.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process, utils
from sqlalchemy import select

from ..extensions import db
from ..models import Comment
from . import ServiceError
from .scope import Scope, require

# Tuned on measured pairs (module docstring): near-duplicates scored 78.8 and up, unrelated
# comments at most 70.2; 75 leaves a margin on both sides.
SIMILARITY_THRESHOLD = 75.0


def similarity(a: str, b: str) -> float:
    """How nearly two comment texts say the same thing, 0-100 (see the module docstring)."""
    a, b = utils.default_process(a or ""), utils.default_process(b or "")
    return _score(a, b, fuzz.token_set_ratio(a, b))


def _score(a: str, b: str, set_score: float) -> float:
    if not a or not b:
        return 0.0
    return round((set_score + fuzz.token_sort_ratio(a, b)) / 2, 1)


def similar_comments(
    comment_id: int, scope: Scope, limit: int = 5, threshold: float = SIMILARITY_THRESHOLD
) -> list[tuple[Comment, float]]:
    """Up to `limit` comments on the same artefact that `scope` may see whose text scores at
    least `threshold` against this one's, best first (ties: lower id first)."""
    scope = require(scope)
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise ServiceError(f"no comment {comment_id}")
    query = utils.default_process(comment.text or "")
    if not query or limit <= 0:
        return []
    choices = {
        other_id: utils.default_process(text or "")
        for other_id, text in db.session.execute(
            select(Comment.id, Comment.text).where(
                Comment.artefact_id == comment.artefact_id,
                Comment.id != comment_id,
                *scope.comments(),
            )
        )
    }
    # The mean reaches the threshold only if token_set_ratio reaches 2 * threshold - 100
    # (token_sort_ratio is at most 100): one pass in C keeps only those candidates.
    candidates = process.extract(
        query,
        choices,
        scorer=fuzz.token_set_ratio,
        processor=None,
        score_cutoff=max(0.0, 2 * threshold - 100),
        limit=None,
    )
    scored = [
        (other_id, score)
        for text, set_score, other_id in candidates
        if (score := _score(query, text, set_score)) >= threshold
    ]
    scored.sort(key=lambda item: (-item[1], item[0]))
    scored = scored[:limit]
    found = {
        c.id: c
        for c in db.session.scalars(
            select(Comment).where(Comment.id.in_([other_id for other_id, _ in scored]))
        )
    }
    return [(found[other_id], score) for other_id, score in scored]
