"""A large load of generated rows (bulk_rows.Table writes them): their primary keys reserved ahead,
the tables' triggers off, and on PostgreSQL their secondary indexes and foreign keys set aside during
the load and built once after it."""

import queue
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


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
# GIN indexes over a function's result (the search bigrams) stay too: a build computes the function
# for every row just as the load does, and during the load the server computes it while this
# process makes the next batch (a build after the load would leave the other core idle).
_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
  AND NOT (am.amname = 'gin' AND i.indexprs IS NOT NULL)
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
    timings = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        statements = [(name.strip('"'), definition) for name, definition in indexes]
        # Unique keys before the foreign keys, whose checks read the keys they refer to.
        statements += [
            (name, f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
            for table, name, definition, _kind in reversed(constraints)
        ]
        for name, statement in statements:
            began = time.monotonic()
            cursor.execute(statement)
            timings.append((time.monotonic() - began, name))
    slowest = ", ".join(f"{name} {seconds:.1f}s" for seconds, name in sorted(timings, reverse=True)[:4])
    log(
        f"  {len(indexes)} indexes and {len(constraints)} keys built after the load"
        f" ({time.monotonic() - started:.1f}s; slowest: {slowest})"
    )


class BackgroundWriter:
    """Writes batches of rows on this thread's connection from a thread of its own, so that the
    server stores one batch while this thread makes the next (at most `ahead` batches wait).

    Use as a context manager; `put([(table, rows), …])` queues a batch. Leaving the block waits for
    every queued batch; an error in the writer is raised here, at the next put or at the end."""

    def __init__(self, *, ahead: int = 2) -> None:
        self.batches: queue.Queue = queue.Queue(maxsize=ahead)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="bulk-writer", daemon=True)

    def __enter__(self):
        # This thread's connection itself, not the proxy `connection`, which in the writer thread
        # would open a connection (and a transaction) of its own.
        self.db = connections[DEFAULT_DB_ALIAS]
        # SQLite (make run's few filings) gains nothing from a thread: its batches are written here.
        self.inline = self.db.vendor != "postgresql"
        if not self.inline:
            # Django lets a thread use another's connection only when told it is shared.
            self.db.inc_thread_sharing()
            self.thread.start()
        return self

    def put(self, batch: list[tuple]) -> None:
        if self.inline:
            for table, rows in batch:
                table.write(rows)
            return
        self._raise_error()
        self.batches.put(batch)

    def __exit__(self, *exc_info) -> None:
        if self.inline:
            return
        self.batches.put(None)
        self.thread.join()
        self.db.dec_thread_sharing()
        if exc_info[0] is None:
            self._raise_error()

    def _raise_error(self) -> None:
        if self.error is not None:
            raise RuntimeError(f"bulk writer failed: {self.error}") from self.error

    def _run(self) -> None:
        while (batch := self.batches.get()) is not None:
            if self.error is not None:
                continue  # drain what is queued, so that put() never blocks forever
            try:
                for table, rows in batch:
                    table.write(rows, using=self.db)
            except BaseException as error:  # handed to the main thread
                self.error = error
