"""Which database a read goes to: the read replica, when one is named, for reads that may lag."""

from django.conf import settings

PRIMARY = "default"
REPLICA = "replica"


def replica_alias() -> str:
    """Return the alias for reads that tolerate a replica's lag of a few seconds: the dashboard's
    statistics, exports, and the alert scan's unlocked look for candidates (each candidate is read
    again under its lock on the primary before anything is written)."""
    return REPLICA if settings.BEIAN_READ_REPLICA else PRIMARY


class PrimaryRouter:
    """Every write goes to the primary, even for a row that was read from the replica; only the
    primary is migrated. Reads go where their query says (`.using(replica_alias())`), else to the
    primary."""

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
