"""Many rows inserted by one statement, conflicts left to the unique constraints (PostgreSQL).

Each column travels as one array parameter: INSERT … SELECT * FROM unnest(%s::type[], …) ON
CONFLICT DO NOTHING RETURNING …. Django's bulk_create prepares every field of every object in
Python (about a tenth of a millisecond a row, most of a backlog scan's time) and, when conflicts are
ignored, returns no keys; this returns the rows that were inserted."""

from collections.abc import Sequence

from django.db import connection, models


def insert_new(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence], *, returning: Sequence[str]
) -> list[tuple]:
    """Insert `rows` (values in the order of `columns`, model field names) and return `returning`
    of those inserted; a row that would break a unique constraint is left out."""
    if not rows:
        return []
    fields = [model._meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING "
        f"RETURNING {', '.join(quote(model._meta.get_field(name).column) for name in returning)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
        return cursor.fetchall()
