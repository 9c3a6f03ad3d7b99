"""Index operations for migrations that run against a live database: on PostgreSQL the index is
built and dropped CONCURRENTLY, so writes to the table go on meanwhile (a plain CREATE INDEX on the
filings of a production database blocks every write to them for as long as the build takes); on
SQLite (make run) they are the plain operations. A migration using them sets `atomic = False`,
since PostgreSQL builds an index concurrently only outside a transaction."""

from django.db.migrations.operations import AddIndex, RemoveIndex


class ConcurrentIndexEditor:
    """A schema editor whose index builds and drops are concurrent; everything else is the editor's."""

    def __init__(self, schema_editor):
        self.schema_editor = schema_editor

    def __getattr__(self, name):
        return getattr(self.schema_editor, name)

    def add_index(self, model, index):
        self.schema_editor.add_index(model, index, concurrently=True)

    def remove_index(self, model, index):
        self.schema_editor.remove_index(model, index, concurrently=True)


def concurrently(schema_editor) -> str:
    """Return what makes a CREATE INDEX or DROP INDEX statement concurrent where the database can."""
    return " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""


def online(schema_editor):
    """Return the editor to build or drop an index with, concurrently where the database can."""
    if schema_editor.connection.vendor == "postgresql":
        return ConcurrentIndexEditor(schema_editor)
    return schema_editor


class AddIndexOnline(AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        super().database_forwards(app_label, online(schema_editor), from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        super().database_backwards(app_label, online(schema_editor), from_state, to_state)


class RemoveIndexOnline(RemoveIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        super().database_forwards(app_label, online(schema_editor), from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        super().database_backwards(app_label, online(schema_editor), from_state, to_state)
