"""Many rows at once: inserted by one statement (with conflicts left to the unique constraints, or
as bulk_create would), many rows' fields saved by one statement, or rows written with COPY (Table:
a rebuild, a bulk seed).

Each column travels as one array parameter, in binary: INSERT … SELECT * FROM unnest(%b::type[], …)
[ON CONFLICT DO NOTHING] RETURNING …. Django's bulk_create prepares every field of every object in
Python (about a tenth of a millisecond a row, most of a backlog scan's time), sends the arrays as
text escaped element by element and, when conflicts are ignored, returns no keys; these return the
rows that were inserted."""

import functools
import json
from collections.abc import Sequence

import psycopg
from django.db import connection, models


def _binary_cursor():
    """Return a cursor of this (PostgreSQL) connection that binds parameters on the server, wrapped as
    Django wraps its own (execute wrappers, query log, errors), so that arrays travel in binary (%b).

    Django's cursors bind parameters on the client: every element of every array is written out as
    text and escaped in Python, 0.13 ms a history row of a batch against 0.025 ms in binary."""
    connection.ensure_connection()
    return connection._prepare_cursor(psycopg.Cursor(connection.connection))


@functools.cache
def _array_type(field: models.Field) -> str:
    """Return the field's column type as an array's element type, without a length (varchar, not
    varchar(32)), so that a value too long fails in the column as bulk_create's would, not cut.
    Kept per field: a column's type is fixed while the process runs, and asking the field again
    for every column of every batch was 3% of an SMS expiry's Python."""
    return field.db_type(connection).split("(")[0]


def _insert(
    model: type[models.Model],
    fields: Sequence[models.Field],
    columns: list[list],
    *,
    returning: Sequence[models.Field],
    skip_conflicts: bool,
) -> list[tuple]:
    quote = connection.ops.quote_name
    arrays = ", ".join(f"%b::{_array_type(field)}[]" for field in fields)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT * FROM unnest({arrays}) {'ON CONFLICT DO NOTHING ' if skip_conflicts else ''}"
        f"RETURNING {', '.join(quote(field.column) for field in returning)}"
    )
    with _binary_cursor() as cursor:
        cursor.execute(sql, columns)
        return cursor.fetchall()


def insert_new(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence], *, returning: Sequence[str]
) -> list[tuple]:
    """Insert `rows` (values in the order of `columns`, model field names) and return `returning`
    of those inserted; a row that would break a unique constraint is left out."""
    if not rows:
        return []
    return _insert(
        model,
        [model._meta.get_field(name) for name in columns],
        [list(column) for column in zip(*rows, strict=True)],
        returning=[model._meta.get_field(name) for name in returning],
        skip_conflicts=True,
    )


def insert(objects: Sequence[models.Model]) -> None:
    """Insert the (unsaved) objects of one model, every column but the key as the objects hold it,
    in one statement, and set their keys: what bulk_create does, without its Python per field and
    row. A row that breaks a constraint fails the statement, as in bulk_create. Fields are stored as
    they are (no pre_save: an auto_now field keeps the value the object holds)."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects)
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = []
    for field in fields:
        values = [getattr(obj, field.attname) for obj in objects]
        if isinstance(field, models.JSONField):
            values = [field.get_db_prep_save(value, connection) for value in values]
        columns.append(values)
    # PostgreSQL returns the rows of INSERT … SELECT FROM unnest in the order unnest gives them, which
    # Django's own bulk_create relies on as well.
    keys = _insert(model, fields, columns, returning=[model._meta.pk], skip_conflicts=False)
    for obj, (pk,) in zip(objects, keys, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias


def update_fields(objects: Sequence[models.Model], fields: Sequence[str]) -> int:
    """Save `fields` of each object by primary key in one statement: UPDATE … FROM unnest(%s::type[],
    …) on PostgreSQL, Django's bulk_update elsewhere. Return the number of rows updated.

    bulk_update writes a CASE WHEN per field and row, which Django builds as expressions: two thirds
    of a second for a hundred filings' eight fields here, more than the rest of their transitions."""
    if not objects:
        return 0
    model = type(objects[0])
    if connection.vendor != "postgresql":
        return model.objects.bulk_update(objects, fields)
    pk = model._meta.pk
    columns = [pk, *(model._meta.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    arrays = ", ".join(f"%b::{_array_type(field)}[]" for field in columns)
    names = ", ".join(quote(field.column) for field in columns)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns[1:])
    sql = (
        f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({names}) "
        f"WHERE {table}.{quote(pk.column)} = v.{quote(pk.column)}"
    )
    values = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objects]
        for field in columns
    ]
    with _binary_cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.rowcount


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

    def write(self, rows: Sequence[tuple], *, using=None) -> None:
        """Write the rows (tuples in the order of `columns`) through `using` (a connection shared
        with another thread; by default this thread's)."""
        if not rows:
            return
        db = using or connection
        if db.vendor == "postgresql":
            self._copy(rows, db)
        else:
            self._insert(rows, db)

    def _column_list(self, db) -> str:
        return ", ".join(db.ops.quote_name(field.column) for field in self.fields + self.rest)

    def _copy(self, rows: Sequence[tuple], db) -> None:
        rest = tuple(
            json.dumps(value) if isinstance(field, models.JSONField) else value
            for field, value in zip(self.rest, self.rest_values, strict=True)
        )
        positions = self.json_positions
        sql = f"COPY {db.ops.quote_name(self.name)} ({self._column_list(db)}) FROM STDIN"
        with db.cursor() as cursor, cursor.copy(sql) as copy:
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

    def _insert(self, rows: Sequence[tuple], db) -> None:
        fields = self.fields + self.rest
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {db.ops.quote_name(self.name)} ({self._column_list(db)}) VALUES ({placeholders})"
        prepared = [
            [
                field.get_db_prep_save(value, db)
                for field, value in zip(fields, row + self.rest_values, strict=True)
            ]
            for row in rows
        ]
        with db.cursor() as cursor:
            cursor.executemany(sql, prepared)
