"""Keyset pagination: "older" and "newer" instead of page numbers, for lists that grow
without bound (a pool's ledger, the audit trail, a movement's members).

An OFFSET makes the database walk past every row before the page, so page 8,000 of a
ledger costs 8,000 pages; a keyset page starts where the last one ended (``WHERE (a, b) <
(last a, last b) ORDER BY a DESC, b DESC LIMIT 26``), served by an index on the same
columns, and costs the same on every page. The cursor in the URL is the boundary row's
values; a cursor that does not parse is the first page.
"""

import base64
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q

PAGE_SIZE = 25


@dataclass
class KeysetPage:
    object_list: list
    older: str | None  # cursor for the next page in the list's order, None on the last
    newer: str | None  # cursor for the page before, None on the first

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_other_pages(self):
        return bool(self.older or self.newer)


def _field_value(row, name):
    value = row
    for part in name.split("__"):
        value = getattr(value, part)
    return value


def _encode(row, fields, model):
    values = []
    for name in fields:
        value = _field_value(row, name)
        values.append(value.isoformat() if hasattr(value, "isoformat") else value)
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _model_field(model, name):
    field = None
    for part in name.split("__"):
        field = model._meta.get_field(part)
        model = field.related_model or model
    return field


def _decode(cursor, fields, model):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(values, list) or len(values) != len(fields):
            return None
        return [
            _model_field(model, name).to_python(value)
            for name, value in zip(fields, values, strict=True)
        ]
    except (ValueError, TypeError, ValidationError):  # base64, JSON and field errors alike
        return None


def _beyond(fields, values, *, descending):
    """Rows strictly after ``values`` in the order ``fields`` (all one direction)."""
    strictly = "lt" if descending else "gt"
    condition = Q()
    for index, name in enumerate(fields):
        equal = {fields[i]: values[i] for i in range(index)}
        condition |= Q(**equal, **{f"{name}__{strictly}": values[index]})
    # The same bound on the first column alone lets the index serve the range.
    loose = "lte" if descending else "gte"
    return Q(**{f"{fields[0]}__{loose}": values[0]}) & condition


def keyset_page(queryset, *, ordering, older=None, newer=None, size=PAGE_SIZE):
    """One page of ``queryset`` in ``ordering`` (field names, all descending like
    ``("-created_at", "-id")`` or all ascending), starting after the ``older`` cursor or
    ending before the ``newer`` one."""
    descending = ordering[0].startswith("-")
    if any(name.startswith("-") != descending for name in ordering):
        raise ValueError("Keyset ordering runs in one direction.")
    fields = [name.lstrip("-") for name in ordering]
    model = queryset.model
    reversed_ordering = [name[1:] if descending else f"-{name}" for name in ordering]

    after = _decode(older, fields, model) if older else None
    before = _decode(newer, fields, model) if newer and after is None else None
    if before is not None:
        rows = list(
            queryset.filter(_beyond(fields, before, descending=not descending)).order_by(
                *reversed_ordering
            )[: size + 1]
        )
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        has_newer, has_older = more_newer, True
    else:
        if after is not None:
            queryset = queryset.filter(_beyond(fields, after, descending=descending))
        rows = list(queryset.order_by(*ordering)[: size + 1])
        has_older = len(rows) > size
        rows = rows[:size]
        has_newer = after is not None
    if not rows:
        return KeysetPage([], older=None, newer=None)
    return KeysetPage(
        rows,
        older=_encode(rows[-1], fields, model) if has_older else None,
        newer=_encode(rows[0], fields, model) if has_newer else None,
    )


def querystring_without_page(request):
    """The request's query string without ``page``, for pagination links that keep filters."""
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return querystring.urlencode()
