"""Bulk writes for seeding: ids handed out up front, rows inserted in one pass.

On PostgreSQL rows go in through ``COPY`` on the same connection (so inside the caller's
transaction, with every constraint and trigger on); elsewhere through ``bulk_create`` in
batches. Either way the caller hands over plain tuples in the order of the columns it
names, and every other column gets its model default, so a column added later with a
default does not break the seed.
"""

import json
import time

from django.db import connection
from django.db.models import JSONField, Max


class Writer:
    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self._next_id = {}
        self.counts = {}

    def ids(self, model, count):
        """``count`` fresh primary keys for ``model``, ascending."""
        if count <= 0:
            return []
        if self.postgres:
            meta = model._meta
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, meta.pk.column, count],
                )
                return sorted(row[0] for row in cursor.fetchall())
        start = self._next_id.get(model)
        if start is None:
            start = (model._base_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        self._next_id[model] = start + count
        return list(range(start, start + count))

    def insert(self, model, columns, rows):
        """Insert ``rows`` (tuples in the order of ``columns``, attribute names such as
        ``pool_id``); returns how many went in."""
        meta = model._meta
        fields = [meta.get_field(name) for name in columns]
        named = {field.attname for field in fields}
        rest = [field for field in meta.concrete_fields if field.attname not in named]
        tail = tuple(field.get_default() for field in rest)
        if self.postgres:
            written = self._copy(model, fields + rest, rows, tail)
        else:
            written = self._bulk_create(model, fields, rest, rows, tail)
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + written
        return written

    def _copy(self, model, fields, rows, tail):
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        as_json = [i for i, field in enumerate(fields) if isinstance(field, JSONField)]
        sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        written = 0
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            write = copy.write_row
            if as_json:
                for row in rows:
                    row = list(row + tail)
                    for i in as_json:
                        row[i] = json.dumps(row[i])
                    write(row)
                    written += 1
            elif tail:
                for row in rows:
                    write(row + tail)
                    written += 1
            else:
                for row in rows:
                    write(row)
                    written += 1
        return written

    def _bulk_create(self, model, fields, rest, rows, tail, batch_size=2000):
        names = [field.attname for field in fields]
        defaults = dict(zip([field.attname for field in rest], tail, strict=True))
        batch, written = [], 0
        for row in rows:
            batch.append(model(**defaults, **dict(zip(names, row, strict=True))))
            if len(batch) >= batch_size:
                model.objects.bulk_create(batch)
                written += len(batch)
                batch = []
        if batch:
            model.objects.bulk_create(batch)
            written += len(batch)
        return written

    def analyze(self, models):
        """Fresh planner statistics after a bulk load (PostgreSQL only)."""
        if not self.postgres:
            return
        quote = connection.ops.quote_name
        tables = ", ".join(sorted({quote(model._meta.db_table) for model in models}))
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")


class Clock:
    """Times each part of the seed and prints it as it ends."""

    def __init__(self, write):
        self.write = write
        self.started = time.monotonic()
        self.parts = []

    def part(self, label):
        return _Part(self, label)

    def record(self, label, seconds):
        self.parts.append((label, seconds))
        self.write(f"  {label:<44} {seconds:6.1f} s")

    def total(self):
        return time.monotonic() - self.started


class _Part:
    def __init__(self, clock, label):
        self.clock, self.label = clock, label

    def __enter__(self):
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.clock.record(self.label, time.monotonic() - self.started)
        return False
