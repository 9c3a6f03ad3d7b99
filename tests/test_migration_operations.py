"""The index migrations that run against a live database build and drop their indexes
concurrently on PostgreSQL (writes go on meanwhile), and plainly on SQLite; the indexes pass the
checks against either database without a warning."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

# (migration, the index it builds, the index it drops)
INDEX_MIGRATIONS = [
    ("0042", "deadline_open_province_due", "deadline_open_province_due"),
    ("0043", "filing_province_state_entered", "filings_fil_provinc_b3f13e_idx"),
]


def migration_sql(migration: str, *, backwards: bool) -> str:
    out = io.StringIO()
    call_command("sqlmigrate", "filings", migration, backwards=backwards, stdout=out)
    return out.getvalue()


# Outside a test transaction: SQLite's schema editor (which sqlmigrate uses) refuses to work in one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_index_migrations_build_and_drop_concurrently_on_postgresql():
    concurrently = " CONCURRENTLY" if connection.vendor == "postgresql" else ""
    for migration, built, dropped in INDEX_MIGRATIONS:
        for backwards in (False, True):
            sql = migration_sql(migration, backwards=backwards)
            if backwards:
                built, dropped = dropped, built
            assert f'CREATE INDEX{concurrently} "{built}"' in sql, (migration, backwards, sql)
            assert f'DROP INDEX{concurrently} IF EXISTS "{dropped}"' in sql or (
                f'DROP INDEX{concurrently} "{dropped}"' in sql
            ), (migration, backwards, sql)
            # Not in a transaction: PostgreSQL builds an index concurrently only outside one.
            assert "BEGIN;" not in sql


@pytest.mark.django_db
def test_the_indexes_pass_the_database_checks_without_a_warning():
    # On SQLite a covering index's INCLUDE columns are left out, which Django would report (W040) at
    # every command of make run.
    out, err = io.StringIO(), io.StringIO()
    call_command("check", databases=["default"], stdout=out, stderr=err)
    assert "W040" not in out.getvalue() + err.getvalue()
    assert "no issues" in out.getvalue()


REDUNDANT_INDEXES = """
SELECT a.indexrelid::regclass::text, b.indexrelid::regclass::text
  FROM pg_index a
  JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
  JOIN pg_class t ON t.oid = a.indrelid
  JOIN pg_am am_a ON am_a.oid = (SELECT relam FROM pg_class WHERE oid = a.indexrelid)
  JOIN pg_am am_b ON am_b.oid = (SELECT relam FROM pg_class WHERE oid = b.indexrelid)
 WHERE t.relname LIKE 'filings\\_%%' AND NOT a.indisunique
   AND am_a.amname = 'btree' AND am_b.amname = 'btree'
   AND a.indpred IS NULL AND b.indpred IS NULL AND a.indexprs IS NULL AND b.indexprs IS NULL
   AND a.indnkeyatts < b.indnkeyatts
   AND (b.indkey::int2[])[0:a.indnkeyatts - 1] = (a.indkey::int2[])[0:a.indnkeyatts - 1]
   AND (b.indclass::oid[])[0:a.indnkeyatts - 1] = (a.indclass::oid[])[0:a.indnkeyatts - 1]
"""


@pytest.mark.django_db
@pytest.mark.postgres  # reads PostgreSQL's catalogue
def test_no_index_of_the_filings_tables_is_the_start_of_another():
    # Such an index serves no read the longer one does not, and every write maintains it.
    with connection.cursor() as cursor:
        cursor.execute(REDUNDANT_INDEXES)
        assert cursor.fetchall() == []
