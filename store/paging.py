"""Offset paging as the primedocs API defines it: pages numbered from 1."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    page: int
    page_size: int
    total_items: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total_items / self.page_size)


def fetch_page(
    session: Session,
    query: Select[Any],
    *,
    page: int,
    page_size: int,
    to_record: Callable[[Any], R],
) -> Page[R]:
    """Run `query` (already ordered) for one page, and count all its rows."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.limit(page_size).offset((page - 1) * page_size)).all()
    return Page(
        items=[to_record(row) for row in rows],
        page=page,
        page_size=page_size,
        total_items=total or 0,
    )
