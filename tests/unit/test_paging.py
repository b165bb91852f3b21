"""Pages are counted up: a partial last page is a page, no items is no pages."""

from __future__ import annotations

import pytest

from store.paging import Page


@pytest.mark.parametrize(
    ("total_items", "total_pages"),
    [(0, 0), (1, 1), (49, 1), (50, 1), (100, 2), (101, 3)],
)
def test_total_pages(total_items: int, total_pages: int) -> None:
    page: Page[str] = Page(items=[], page=1, page_size=50, total_items=total_items)
    assert page.total_pages == total_pages
