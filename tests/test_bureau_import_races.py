"""Bureau result imports racing on PostgreSQL: two workers, or two uploads of one file, applied at the
same moment decide each filing once."""

import pytest

from filings.kinds.states import State
from filings.models import BureauImport, BureauImportRow, Filing, FilingEvent
from filings.services import bureau_apply, bureau_import
from tests.test_bureau_import import approve_line, csv_bytes, in_bureau, reject_line
from tests.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
Row = BureauImportRow


def _queued(reviewer, data: bytes, name: str) -> BureauImport:
    upload = bureau_import.upload_results(by=reviewer, name=name, data=data)
    BureauImport.objects.filter(pk=upload.pk).update(status=BureauImport.Status.QUEUED, applied_by=reviewer)
    return upload


def test_two_workers_on_one_import_apply_each_row_once(principal, reviewer):
    filings = [in_bureau(principal, reviewer) for _ in range(3)]
    data = csv_bytes(*(approve_line(f, f"粤ICP备202600000{i}号") for i, f in enumerate(filings, 1)))
    upload = _queued(reviewer, data, "r.csv")
    race(lambda: bureau_apply.run_apply(upload.pk), lambda: bureau_apply.run_apply(upload.pk))
    assert [Filing.objects.get(pk=f.pk).state for f in filings] == [State.PUBLISHED] * 3
    assert FilingEvent.objects.filter(filing__in=filings, transition="approve").count() == 3
    assert set(upload.rows.values_list("status", flat=True)) == {Row.Status.APPLIED}


def test_two_uploads_of_one_file_applied_at_once_decide_once(principal, reviewer):
    filing = in_bureau(principal, reviewer)
    data = csv_bytes(reject_line(filing))
    first, second = _queued(reviewer, data, "a.csv"), _queued(reviewer, data, "b.csv")
    race(lambda: bureau_apply.run_apply(first.pk), lambda: bureau_apply.run_apply(second.pk))
    assert FilingEvent.objects.filter(filing=filing, transition="reject").count() == 1
    statuses = sorted(Row.objects.filter(upload__in=[first, second]).values_list("status", flat=True))
    # The loser saw the filing change under it (a conflict, applied again later) or the decision recorded.
    assert statuses[0] == Row.Status.APPLIED and statuses[1] in (Row.Status.FAILED, Row.Status.RECORDED)
    # The loser's failed row is applied again; an upload with nothing left is not queued.
    for upload in (first, second):
        if upload.rows.filter(status=Row.Status.FAILED).exists():
            bureau_import.request_apply(upload, by=reviewer)
            bureau_apply.run_apply(upload.pk)
    statuses = sorted(Row.objects.filter(upload__in=[first, second]).values_list("status", flat=True))
    assert statuses == [Row.Status.APPLIED, Row.Status.RECORDED]
    assert FilingEvent.objects.filter(filing=filing, transition="reject").count() == 1
