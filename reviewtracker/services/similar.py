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

SIMILARITY_THRESHOLD = 77.5 was chosen on two measured sets of pairs, both in
tests/reviewtracker/test_similar.py, which pins these numbers:
- set A (7 near-duplicates, 7 other points), the set 75 was first tuned on: near-duplicates
  (rephrased, reordered, misspelt, the same comment with one sentence or a whole paragraph
  added) score 78.8-96; other points on the same artefact, written with the same domain
  vocabulary ("Registration Service", "interface", "please clarify"), score 42.3-64.9, and short
  comments whose every word appears in a longer one ("Agree with the approach.") at most 70.2;
- set B (10 rewordings, 10 different points), written as a held-out set before it was
  measured: rewordings score 80.5-97.4, different points 49.8-76.1. Two of them, 76.1 and
  75.6, share a step, an actor and an event with the comment they are compared with; they
  were on the wrong side of the first threshold, 75, which is why it was raised.
Over A and B together the lowest same-point score is 78.8 (set A) and the highest
different-point score 76.1 (set B): the only gap between the groups is 76.1-78.8, 2.7 wide,
and the threshold is its midpoint, 77.45, at the scores' resolution (they are rounded to one
decimal, so 77.45 and 77.5 draw the same line). The margin is thin, about 1.3 on each side:
pairs that share a step, an actor and an event but make another point come close.
Set C (13 rewordings, 14 different points) was then written as a held-out check and committed
before it was measured. At 77.5 it does not separate: rewordings score 67.9-89.3, different
points 57.5-88.4, and 8 of its 27 pairs are on the wrong side (4 rewordings below, 4
different points above; strict xfails in the tests). Rewordings that restructure the
sentence (a statement turned into a question, a terse "BP012 BPMN: ..." heading) and very
short comments score low; a different point that repeats the first comment's subject and
asks for something else scores high. No threshold separates set C: 77.5 and 75 both get 8
of it wrong, and the fewest possible, 7, is at 70.8-71.5, which would put set B's 76.1 and
75.6 back on the wrong side. The threshold was not moved on set C's account, which would
make it tuning data. Treat the suggestions as candidates for a triager to check, not as
duplicates.
Over the demo data set's generated comments, pairs written from the same concern score at
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
from .published_view import as_seen_by
from .scope import Scope, require

# The midpoint of the gap between sets A and B's groups (module docstring): same-point pairs
# scored 78.8 and up, different points at most 76.1. Held-out set C overlaps it (8 of 27
# pairs on the wrong side).
SIMILARITY_THRESHOLD = 77.5


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
    seen = dict(zip(found, as_seen_by(list(found.values()), scope), strict=True))
    return [(seen[other_id], score) for other_id, score in scored]
