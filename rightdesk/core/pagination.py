"""Keyset pagination for every list the API returns.

A page is ``{"items": [...], "next_cursor": "..." | null}``. The cursor is the
sort key of the last row, opaque to clients (url-safe base64 of JSON). The next
page is fetched with ``WHERE (k1, k2, ...) > (v1, v2, ...)`` written as ORs, so
page 1,000 costs what page 1 costs; there is never an OFFSET.

Sort keys must be non-null fields and end with a unique one (usually ``id``).
A leading ``-`` sorts that key descending.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from ninja import Field, Schema

from rightdesk.core.errors import Invalid

#: Largest page any list endpoint serves.
MAX_LIMIT = 200
DEFAULT_LIMIT = 50

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Page(Generic[M]):
    """One page of rows and the cursor of the next one (None on the last page)."""

    items: list[M]
    next_cursor: str | None


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, int | str | float):
        return value
    raise TypeError(f"Cannot paginate on a value of type {type(value).__name__}.")


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        return datetime.fromisoformat(str(value["t"]))
    if isinstance(value, int | str | float):
        return value
    raise ValueError("bad cursor value")


def encode_cursor(row: Model, order: Sequence[str]) -> str:
    """The opaque cursor that resumes a listing right after ``row``."""
    values = [_encode_value(getattr(row, key.lstrip("-"))) for key in order]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def decode_cursor(cursor: str, order: Sequence[str]) -> list[Any]:
    """The sort-key values a cursor carries; a cursor that does not fit is a 422."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        if not isinstance(values, list) or len(values) != len(order):
            raise ValueError("wrong length")
        return [_decode_value(value) for value in values]
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise Invalid("The page cursor is not valid.", code="bad_cursor", field="cursor") from exc


def after(order: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after ``values`` in ``order``: (a > x) OR (a = x AND b > y) ..."""
    condition = Q()
    for i, key in enumerate(order):
        name = key.lstrip("-")
        op = "lt" if key.startswith("-") else "gt"
        step = Q(**{f"{name}__{op}": values[i]})
        for prev_key, prev_value in zip(order[:i], values[:i], strict=True):
            step &= Q(**{prev_key.lstrip("-"): prev_value})
        condition |= step
    return condition


def keyset_page(
    qs: QuerySet[M], *, order: Sequence[str], cursor: str | None, limit: int = DEFAULT_LIMIT
) -> Page[M]:
    """One page of ``qs`` sorted by ``order``, starting after ``cursor``."""
    limit = max(1, min(limit, MAX_LIMIT))
    qs = qs.order_by(*order)
    if cursor:
        qs = qs.filter(after(order, decode_cursor(cursor, order)))
    rows = list(qs[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1], order) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


class PageParams(Schema):
    """The ``limit`` and ``cursor`` query parameters every list endpoint takes."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page (max 200).")
    cursor: str | None = Field(None, description="``next_cursor`` of the previous page.")
