"""Pages of a long list that cost the same on page 1 and on page 20,000.

Django's `Paginator` counts every matching row (`SELECT COUNT(*)`) and reaches page n with
`OFFSET (n - 1) × size`: at a million clients both read the whole table. Here instead:

- keyset ("seek") pages: the next page is the rows that sort after the last row shown,
  found through the index that serves the ordering, so a deep page reads a page of rows.
  The links carry that row's sort key (`?after=…`, `?before=…`), not a page number.
- a bounded count: rows are counted up to `COUNT_LIMIT`; past it the page says "more
  than 10,000".

Two queries a page (the count and the rows), whatever the page size and the data size.
The queryset's ordering must end with a unique column (`pk`), and its columns must not be
null, so that every row has one place in the order.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Q
from django.db.models.functions import Coalesce

COUNT_LIMIT = 10_000
PAGE_SIZES = (25, 50, 100)


def page_size(params, *, default: int = PAGE_SIZES[0]) -> int:
    """Rows a page as the link asks (`?size=100`), one of `PAGE_SIZES`."""
    try:
        size = int(params.get("size", default))
    except (TypeError, ValueError):
        return default
    return size if size in PAGE_SIZES else default


@dataclass
class KeysetPage:
    object_list: list
    count: int  # exact up to COUNT_LIMIT
    count_is_exact: bool
    next_cursor: str | None
    previous_cursor: str | None
    # The query string of the page, without the cursor, for the links to add theirs to.
    query: str = ""

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def keyset_page(
    queryset, params, *, size: int, count_limit: int | None = None, search: bool = False
) -> KeysetPage:
    """The page of `queryset` that `params` (the request's GET) asks for: the first, or the
    one after (`after`) or before (`before`) the row a cursor names.

    `search`: the queryset is filtered by a search whose index cannot give the rows in
    order (trigrams): when few rows match they are found first and then sorted."""
    query = params.copy()
    after, before = query.pop("after", [None])[-1], query.pop("before", [None])[-1]
    query.pop("page", None)
    if queryset.query.is_empty():  # `.none()`: a filter form with errors
        return KeysetPage([], 0, True, None, None, query.urlencode())
    ordering = _ordering(queryset)
    count_limit = count_limit or COUNT_LIMIT
    count = queryset.order_by().values("pk")[: count_limit + 1].count()
    page = KeysetPage(
        object_list=[],
        count=min(count, count_limit),
        count_is_exact=count <= count_limit,
        next_cursor=None,
        previous_cursor=None,
        query=query.urlencode(),
    )
    backwards = before is not None and after is None
    key = _decode(queryset, ordering, before if backwards else after)
    if key is None:
        backwards = False
    order = [_flip(name) for name in ordering] if backwards else ordering
    rows = queryset
    if key is not None:
        rows = rows.filter(_beyond(ordering, key, backwards=backwards))
    if search and page.count_is_exact:
        # Few rows match a search: find them through the search's own indexes and sort
        # them. Walking the ordering's index instead reads past every row that does not
        # match, and a name search's matches all sort together (a last name): the walk
        # would cross most of the table before it reached them. The page's rows are
        # picked in a subquery of their own table, so only they are joined to what the
        # list shows with them.
        picked = rows.order_by(*(_sorted_not_walked(name) for name in order)).values("pk")
        rows = queryset.filter(pk__in=picked[: size + 1])
    rows = list(rows.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    page.object_list = rows
    if rows:
        first, last = _encode(rows[0], ordering), _encode(rows[-1], ordering)
        if backwards:
            page.previous_cursor = first if more else None
            page.next_cursor = last
        else:
            page.previous_cursor = first if key is not None else None
            page.next_cursor = last if more else None
    return page


def cursor_after(queryset, row) -> str:
    """The cursor of the page that follows `row` in `queryset`'s ordering (what "Next"
    carries when `row` ends a page)."""
    return _encode(row, _ordering(queryset))


def _ordering(queryset) -> list[str]:
    ordering = list(queryset.query.order_by)
    if not ordering or ordering[-1].lstrip("-") not in ("pk", "id"):
        raise ValueError("A keyset page needs an ordering that ends with the primary key.")
    return ordering


def _sorted_not_walked(name: str):
    """`name`'s column, in an expression no index serves (`COALESCE(a, a)` is `a` for a
    column that is never null), so the database filters first and then sorts."""
    column = F(name.lstrip("-"))
    expression = Coalesce(column, column)
    return expression.desc() if name.startswith("-") else expression.asc()


def _flip(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"


def _beyond(ordering, key, *, backwards: bool) -> Q:
    """Rows after `key` in `ordering` (before it when `backwards`): for (a, b, pk),
    a > x OR (a = x AND b > y) OR (a = x AND b = y AND pk > z), and `a >= x` besides, the
    bound an index on (a, b, pk) starts its scan at."""
    condition = Q()
    equal = {}
    for name, value in zip(ordering, key, strict=True):
        descending = name.startswith("-") != backwards
        column = name.lstrip("-")
        condition |= Q(**equal, **{f"{column}__{'lt' if descending else 'gt'}": value})
        equal[column] = value
    first = ordering[0]
    descending = first.startswith("-") != backwards
    bound = Q(**{f"{first.lstrip('-')}__{'lte' if descending else 'gte'}": key[0]})
    return bound & condition


def _value(row, name: str):
    value = getattr(row, name.lstrip("-"))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _encode(row, ordering) -> str:
    raw = json.dumps([_value(row, name) for name in ordering], ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(queryset, ordering, cursor: str | None) -> list | None:
    """The sort key a cursor carries, each value as its column holds it; None for a
    missing or broken cursor (a hand-edited link shows the first page)."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw.decode())
        if not isinstance(values, list) or len(values) != len(ordering):
            return None
        key = [
            _field(queryset, name).to_python(value)
            for name, value in zip(ordering, values, strict=True)
        ]
        return None if None in key else key
    except (binascii.Error, ValueError, TypeError, ValidationError, UnicodeDecodeError):
        return None


def _field(queryset, name: str):
    name = name.lstrip("-")
    model = queryset.model
    if name == "pk":
        return model._meta.pk
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return queryset.query.annotations[name].output_field
