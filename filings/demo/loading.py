"""Writing many generated rows at once: COPY on PostgreSQL, with the tables' secondary indexes and
foreign keys set aside during a large load and built once after it; plain inserts elsewhere."""

import json
import time
from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.db import connection, models


class Table:
    """A model's table as a bulk load fills it: `columns` (attnames) come with each row, the other
    fields are the same for the whole load (given in `fixed`, else the field's default)."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], fixed: dict | None = None) -> None:
        fixed = fixed or {}
        by_name = {field.attname: field for field in model._meta.concrete_fields}
        self.model = model
        self.name = model._meta.db_table
        self.fields = [by_name[name] for name in columns]
        self.rest = [
            field
            for field in model._meta.concrete_fields
            if field.attname not in columns and not field.primary_key
        ]
        for field in self.rest:
            if field.unique and field.attname not in fixed:
                raise ValueError(f"{self.name}.{field.attname} is unique: give it with each row")
        self.rest_values = tuple(
            fixed[field.attname] if field.attname in fixed else field.get_default() for field in self.rest
        )
        self.json_positions = [
            i for i, field in enumerate(self.fields) if isinstance(field, models.JSONField)
        ]

    def write(self, rows: Sequence[tuple]) -> None:
        """Write the rows (tuples in the order of `columns`)."""
        if not rows:
            return
        if connection.vendor == "postgresql":
            self._copy(rows)
        else:
            self._insert(rows)

    def _column_list(self) -> str:
        return ", ".join(connection.ops.quote_name(field.column) for field in self.fields + self.rest)

    def _copy(self, rows: Sequence[tuple]) -> None:
        rest = tuple(
            json.dumps(value) if isinstance(field, models.JSONField) else value
            for field, value in zip(self.rest, self.rest_values, strict=True)
        )
        positions = self.json_positions
        sql = f"COPY {connection.ops.quote_name(self.name)} ({self._column_list()}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            write_row = copy.write_row
            if not positions:
                for row in rows:
                    write_row(row + rest)
                return
            for row in rows:
                values = list(row)
                for i in positions:
                    values[i] = json.dumps(values[i])
                write_row((*values, *rest))

    def _insert(self, rows: Sequence[tuple]) -> None:
        fields = self.fields + self.rest
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {connection.ops.quote_name(self.name)} ({self._column_list()}) VALUES ({placeholders})"
        prepared = [
            [
                field.get_db_prep_save(value, connection)
                for field, value in zip(fields, row + self.rest_values, strict=True)
            ]
            for row in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)


def new_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` primary keys of the model's table (call again only after writing them)."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")
        start = cursor.fetchone()[0]
    return list(range(start + 1, start + count + 1))


@contextmanager
def triggers_off(models_: Iterable[type[models.Model]]):
    """Turn the tables' own triggers (the search documents', migration 0020) off while the body
    writes rows that bring what those triggers would compute."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = [connection.ops.quote_name(model._meta.db_table) for model in models_]
    with connection.cursor() as cursor:
        # A table with foreign-key checks pending (they run at commit) cannot be altered: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# Secondary indexes of the tables (primary keys stay), and unique keys no foreign key refers to.
_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
ORDER BY 1
"""
_CONSTRAINTS = """
SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
FROM pg_constraint c
WHERE c.conrelid = ANY(%s::regclass[])
  AND (c.contype = 'f' OR (c.contype = 'u' AND NOT EXISTS (
    SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)))
ORDER BY c.contype, 1, 2
"""


@contextmanager
def indexes_set_aside(models_: Iterable[type[models.Model]], *, log=print):
    """On PostgreSQL, drop the tables' secondary indexes, unique keys and foreign keys, and build
    them once after the body: building an index over a million rows at once is several times
    faster than keeping it up to date row by row, and a foreign key is checked by one join instead
    of one lookup per row. Run inside a transaction: if the body fails, the rollback restores them."""
    if connection.vendor != "postgresql":
        yield
        return
    quote = connection.ops.quote_name
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        cursor.execute(_INDEXES, [tables])
        indexes = cursor.fetchall()
        cursor.execute(_CONSTRAINTS, [tables])
        constraints = cursor.fetchall()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _definition, _kind in constraints:  # foreign keys first
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    yield
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        # Unique keys before the foreign keys, whose checks read the keys they refer to.
        for table, name, definition, _kind in reversed(constraints):
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
    log(
        f"  {len(indexes)} indexes and {len(constraints)} keys built after the load"
        f" ({time.monotonic() - started:.1f}s)"
    )
