from django.db import migrations, models

# Character pairs of a text, for GIN indexes that serve two-character CJK searches (filings/reads/search.py).
BIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION beian_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ARRAY(
    SELECT DISTINCT substr(lower(value), i, 2)
    FROM generate_series(1, GREATEST(char_length(value) - 1, 1)) AS i
  )
$$
"""
SEARCH_INDEXES = [
    ("filings_subject", "name", "subject_name_bigrams"),
    ("filings_website", "name", "website_name_bigrams"),
    ("filings_domain", "name", "domain_name_bigrams"),
    ("filings_filing", "icp_number", "filing_icp_number_bigrams"),
]


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BIGRAMS_FUNCTION)
    for table, column, name in SEARCH_INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (beian_bigrams({column}))")


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, _column, name in SEARCH_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS beian_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("filings", "0005_provisional_deadlines_in_list_order")]

    operations = [migrations.RunPython(create_search_indexes, drop_search_indexes)]
