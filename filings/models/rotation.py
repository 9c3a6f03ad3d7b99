"""Each website's fixed phase in the site-check rotation, derived from its id, in SQL and in Python."""

from django.db import models

# The golden ratio's fraction: frac(id * φ) spreads consecutive ids evenly over the interval (each
# new site lands in one of the largest gaps left), so no step has to give a site its place.
SPREAD = 0.6180339887498949


def phase_of(website_id: int) -> float:
    """Return the website's phase in the interval (0 ≤ phase < 1): the very float the SQL computes."""
    return website_id * SPREAD % 1.0


class RotationPhase(models.Func):
    """frac(id * φ) of a website id column.

    PostgreSQL: float8 arithmetic only, which is IMMUTABLE, so an expression index can hold it; the
    constant is written into the SQL rather than passed as a parameter, so that a query's expression
    is the index's. SQLite computes the same without the index's help."""

    arity = 1
    output_field = models.FloatField()
    template = (
        f"(%(expressions)s * CAST({SPREAD!r} AS double precision)"
        f" - floor(%(expressions)s * CAST({SPREAD!r} AS double precision)))"
    )

    def as_sqlite(self, compiler, connection, **extra_context):
        # CAST(… AS INTEGER) truncates, which is floor() for ids, all positive.
        template = f"(%(expressions)s * {SPREAD!r} - CAST(%(expressions)s * {SPREAD!r} AS INTEGER))"
        return self.as_sql(compiler, connection, template=template, **extra_context)
