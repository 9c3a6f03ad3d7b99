from django.db import migrations, models

# A filing's search document (lower case), kept by the database: the filing's own row computes it on every
# insert and update, and a change to its subject, websites, domains, apps or app platforms touches
# the filing's row again. Searches then read one column of one table (filings/reads/search.py).
DOCUMENT_FUNCTION = r"""
CREATE OR REPLACE FUNCTION beian_filing_document(p_filing bigint, p_subject bigint, p_icp_number text)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT lower(concat_ws(E'\n',
    (SELECT s.name || E'\n' || s.certificate_number FROM filings_subject s WHERE s.id = p_subject),
    NULLIF(p_icp_number, ''),
    (SELECT string_agg(concat_ws(E'\n', w.name, NULLIF(w.icp_number, '')), E'\n' ORDER BY w.id)
       FROM filings_website w WHERE w.filing_id = p_filing),
    (SELECT string_agg(d.name, E'\n' ORDER BY d.id) FROM filings_domain d
       JOIN filings_website w ON w.id = d.website_id WHERE w.filing_id = p_filing),
    (SELECT string_agg(concat_ws(E'\n', a.name, NULLIF(a.icp_number, '')), E'\n' ORDER BY a.id)
       FROM filings_app a WHERE a.filing_id = p_filing),
    (SELECT string_agg(p.package_name, E'\n' ORDER BY p.id) FROM filings_appplatform p
       JOIN filings_app a ON a.id = p.app_id WHERE a.filing_id = p_filing)))
$$;

CREATE OR REPLACE FUNCTION beian_filing_document_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_document := beian_filing_document(NEW.id, NEW.subject_id, NEW.icp_number);
  RETURN NEW;
END $$;

-- Any update of the filing row recomputes its document (see the trigger above).
CREATE OR REPLACE FUNCTION beian_touch_filing_document() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  filings bigint[];
BEGIN
  IF TG_TABLE_NAME = 'filings_subject' THEN
    UPDATE filings_filing SET search_document = '' WHERE subject_id = NEW.id;
    RETURN NULL;
  ELSIF TG_TABLE_NAME IN ('filings_website', 'filings_app') THEN
    filings := ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN OLD.filing_id END,
                     CASE WHEN TG_OP <> 'DELETE' THEN NEW.filing_id END];
  ELSIF TG_TABLE_NAME = 'filings_domain' THEN
    SELECT array_agg(w.filing_id) INTO filings FROM filings_website w
     WHERE w.id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.website_id END,
                    CASE WHEN TG_OP <> 'DELETE' THEN NEW.website_id END);
  ELSE  -- filings_appplatform
    SELECT array_agg(a.filing_id) INTO filings FROM filings_app a
     WHERE a.id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.app_id END,
                    CASE WHEN TG_OP <> 'DELETE' THEN NEW.app_id END);
  END IF;
  UPDATE filings_filing SET search_document = '' WHERE id = ANY (filings);
  RETURN NULL;
END $$;
"""
TRIGGERS = r"""
CREATE TRIGGER filing_search_document BEFORE INSERT OR UPDATE ON filings_filing
  FOR EACH ROW EXECUTE FUNCTION beian_filing_document_trigger();
CREATE TRIGGER subject_search_document AFTER UPDATE OF name, certificate_number ON filings_subject
  FOR EACH ROW EXECUTE FUNCTION beian_touch_filing_document();
CREATE TRIGGER website_search_document AFTER INSERT OR DELETE OR UPDATE OF name, icp_number, filing_id ON filings_website
  FOR EACH ROW EXECUTE FUNCTION beian_touch_filing_document();
CREATE TRIGGER domain_search_document AFTER INSERT OR DELETE OR UPDATE OF name, website_id ON filings_domain
  FOR EACH ROW EXECUTE FUNCTION beian_touch_filing_document();
CREATE TRIGGER app_search_document AFTER INSERT OR DELETE OR UPDATE OF name, icp_number, filing_id ON filings_app
  FOR EACH ROW EXECUTE FUNCTION beian_touch_filing_document();
CREATE TRIGGER app_platform_search_document AFTER INSERT OR DELETE OR UPDATE OF package_name, app_id
  ON filings_appplatform FOR EACH ROW EXECUTE FUNCTION beian_touch_filing_document();
"""
TRIGGER_NAMES = [
    ("filing_search_document", "filings_filing"),
    ("subject_search_document", "filings_subject"),
    ("website_search_document", "filings_website"),
    ("domain_search_document", "filings_domain"),
    ("app_search_document", "filings_app"),
    ("app_platform_search_document", "filings_appplatform"),
]


def keep_search_documents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DOCUMENT_FUNCTION)
    # Filled before the triggers and the index exist, so that a large table is written once.
    schema_editor.execute(
        "UPDATE filings_filing SET search_document = beian_filing_document(id, subject_id, icp_number)"
    )
    schema_editor.execute(TRIGGERS)
    schema_editor.execute(
        "CREATE INDEX filing_search_bigrams ON filings_filing USING gin (beian_bigrams(search_document))"
    )
    # The document's index serves what these served.
    schema_editor.execute("DROP INDEX IF EXISTS filing_icp_number_bigrams")
    schema_editor.execute("DROP INDEX IF EXISTS website_name_bigrams")
    # The document is stored lower-case and searched with LIKE on the column itself, so that the
    # planner estimates a text's matches from the column's histogram: a common text (科技) walks
    # the list's index until a page is full, a rare one reads the pair index.
    schema_editor.execute("ALTER TABLE filings_filing ALTER COLUMN search_document SET STATISTICS 1000")
    schema_editor.execute("ANALYZE filings_filing")


def stop_keeping_search_documents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS filing_search_bigrams")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS filing_icp_number_bigrams ON filings_filing USING gin (beian_bigrams(icp_number))"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS website_name_bigrams ON filings_website USING gin (beian_bigrams(name))"
    )
    for trigger, table in TRIGGER_NAMES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS beian_touch_filing_document()")
    schema_editor.execute("DROP FUNCTION IF EXISTS beian_filing_document_trigger()")
    schema_editor.execute("DROP FUNCTION IF EXISTS beian_filing_document(bigint, bigint, text)")


class Migration(migrations.Migration):
    # The backfill of a large table is one statement; it should not share a transaction with others.
    atomic = False

    dependencies = [("filings", "0019_system_texts_kept_as_sources")]

    operations = [
        migrations.AddField(
            model_name="filing",
            name="search_document",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(keep_search_documents, stop_keeping_search_documents),
    ]
