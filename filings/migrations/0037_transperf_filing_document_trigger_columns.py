from django.db import migrations

# The filing's search document (0020) was recomputed on every update of its row, six subqueries and
# the bigram index each time, though it reads only the subject, the filing's ICP number and the rows
# whose own triggers touch it by setting search_document. Recomputed now when one of those columns is
# written: a full save() writes them all and still recomputes; a transition written by its columns
# alone (services.transition_batch: state, visit, version) no longer does, which was about a
# millisecond of each expired SMS window and each imported rejection.
ON_ITS_COLUMNS = """
DROP TRIGGER IF EXISTS filing_search_document ON filings_filing;
CREATE TRIGGER filing_search_document
  BEFORE INSERT OR UPDATE OF subject_id, icp_number, search_document ON filings_filing
  FOR EACH ROW EXECUTE FUNCTION beian_filing_document_trigger();
"""
ON_EVERY_UPDATE = """
DROP TRIGGER IF EXISTS filing_search_document ON filings_filing;
CREATE TRIGGER filing_search_document BEFORE INSERT OR UPDATE ON filings_filing
  FOR EACH ROW EXECUTE FUNCTION beian_filing_document_trigger();
"""


def on_its_columns(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ON_ITS_COLUMNS)


def on_every_update(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ON_EVERY_UPDATE)


class Migration(migrations.Migration):
    dependencies = [("filings", "0036_contacts_number_flags")]

    operations = [migrations.RunPython(on_its_columns, on_every_update)]
