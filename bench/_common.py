"""What every page benchmark does first: point Django at the benchmark database, and refuse any but PostgreSQL."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    """Set Django up with the benchmark settings on DATABASE_URL (default postgres://…/beian_bench)."""
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/beian_bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench._settings"
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def on_postgres() -> bool:
    """Return whether the database is PostgreSQL, saying what to do when it is not."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('server_version'), current_setting('shared_buffers')")
            version, shared_buffers = cursor.fetchone()
        # The figures depend on how much of the indexes the server keeps in memory (docs/performance.md).
        print(f"PostgreSQL {version}, shared_buffers {shared_buffers}")
        return True
    print("This benchmark needs PostgreSQL: set DATABASE_URL.")
    return False
