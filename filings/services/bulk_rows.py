"""Many rows at once: inserted by one statement (with conflicts left to the unique constraints, or
as bulk_create would), many rows' fields saved by one statement, or rows written with COPY (Table:
a rebuild, a bulk seed).

Each column travels as one array parameter, in binary: INSERT … SELECT … FROM unnest(%b::type[], …)
[ON CONFLICT DO NOTHING] RETURNING …; a column with one value for every row travels as that value.
Django's bulk_create prepares every field of every object in Python (about a tenth of a millisecond
a row, most of a backlog scan's time), sends the arrays as text escaped element by element and, when
conflicts are ignored, returns no keys; these return the rows that were inserted."""

import functools
import json
from collections.abc import Sequence
from decimal import Decimal

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
    """Insert the rows whose values `columns` hold (a list per field, as the objects hold them).

    A column whose rows all hold one value travels once, as a parameter of its own, instead of as
    an array of copies: a batch's history rows share their transition, stages, time, comment and
    reasons, its alerts their threshold and times (an SMS expiry sends less than half the elements)."""
    quote = connection.ops.quote_name
    shared = [_one_value(values) for values in columns]
    if all(shared):
        shared[0] = False  # unnest gives the rows: it needs one array
    selected, scalars, arrays, array_values, names = [], [], [], [], []
    for n, (field, values, one) in enumerate(zip(fields, columns, shared, strict=True)):
        element = _array_type(field)
        if one:
            selected.append(f"%b::{element}")
            scalars.append(_prepared(field, values[:1])[0])
        else:
            selected.append(f"v.c{n}")
            arrays.append(f"%b::{element}[]")
            array_values.append(_prepared(field, values))
            names.append(f"c{n}")
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {', '.join(selected)} FROM unnest({', '.join(arrays)}) AS v({', '.join(names)}) "
        f"{'ON CONFLICT DO NOTHING ' if skip_conflicts else ''}"
        f"RETURNING {', '.join(quote(field.column) for field in returning)}"
    )
    with _binary_cursor() as cursor:
        cursor.execute(sql, [*scalars, *array_values])
        return cursor.fetchall()


def _one_value(values: list) -> bool:
    """Return whether every value would be stored as the first one is."""
    first = values[0]
    return all(value is first or _stored_alike(value, first) for value in values)


def _stored_alike(a, b) -> bool:
    """Return whether a and b are stored alike: equal, and of the same types all through (1, 1.0 and
    True are equal in Python, not in a JSON column; Decimal 1.0 and 1.00 are not one numeric)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_stored_alike(value, b[key]) for key, value in a.items())
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_stored_alike(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | Decimal):
        return repr(a) == repr(b)
    return a == b


def _prepared(field: models.Field, values: list) -> list:
    """Return the values as the driver is to send them: JSON wrapped, the rest as they are."""
    if isinstance(field, models.JSONField):
        return [field.get_db_prep_save(value, connection) for value in values]
    return values


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
    columns = [[getattr(obj, field.attname) for obj in objects] for field in fields]
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
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    # The key varies; another field whose objects all hold one value is set to it (a batch's
    # transitions share their stage and time).
    assignments, scalars = [], []
    arrays, array_values, names = (
        [f"%b::{_array_type(pk)}[]"],
        [[obj.pk for obj in objects]],
        [quote(pk.column)],
    )
    for field in (model._meta.get_field(name) for name in fields):
        column = quote(field.column)
        values = [getattr(obj, field.attname) for obj in objects]
        if _one_value(values):
            assignments.append(f"{column} = %b::{_array_type(field)}")
            scalars.append(field.get_db_prep_save(values[0], connection))
        else:
            assignments.append(f"{column} = v.{column}")
            arrays.append(f"%b::{_array_type(field)}[]")
            array_values.append([field.get_db_prep_save(value, connection) for value in values])
            names.append(column)
    sql = (
        f"UPDATE {table} SET {', '.join(assignments)} "
        f"FROM unnest({', '.join(arrays)}) AS v({', '.join(names)}) "
        f"WHERE {table}.{quote(pk.column)} = v.{quote(pk.column)}"
    )
    with _binary_cursor() as cursor:
        cursor.execute(sql, [*scalars, *array_values])
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
