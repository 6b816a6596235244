"""The one paginator: which page of a list, and the numbers its links need."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any


def page_bounds(page: int, per_page: int, total: int) -> tuple[int, int]:
    """(the page clamped to the pages there are, the offset of its first row)."""
    per_page = max(1, per_page)
    last = max(1, math.ceil(total / per_page))
    page = min(max(1, page), last)
    return page, (page - 1) * per_page


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows and where it sits in the whole."""

    items: Sequence[Any]
    page: int
    per_page: int
    total: int
    # False when `total` is a lower bound (a search counted only up to a limit).
    exact: bool = True

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def first_item(self) -> int:
        """1-based position of the page's first row in the whole list (0 if empty)."""
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_item(self) -> int:
        """1-based position of the page's last row (0 if empty)."""
        return self.first_item + len(self.items) - 1 if self.items else 0

    def iter_pages(self, around: int = 2) -> Iterator[int | None]:
        """Page numbers to link: the first, the last and `around` either side of this one;
        None where numbers are skipped."""
        shown = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        previous = 0
        for number in sorted(n for n in shown if 1 <= n <= self.pages):
            if number - previous > 1:
                yield None
            yield number
            previous = number


__all__ = ["Page", "page_bounds"]
