"""A bureau result import applied by a real Celery worker on Redis, its progress read on the page."""

import pytest
from django.urls import reverse

from filings.kinds.states import State
from filings.models import BureauImport, Filing
from filings.services import bureau_import
from tests.test_alerts_worker import start_worker, wait_for  # noqa: F401 - the worker fixture
from tests.test_bureau_import import approve_line, csv_bytes, in_bureau, reject_line

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_worker_applies_an_import_and_the_page_shows_it_done(
    client_for,
    principal,
    reviewer,
    settings,
    tmp_path,
    start_worker,  # noqa: F811
):
    settings.MEDIA_ROOT = tmp_path / "var" / "test-media"
    approved, rejected = in_bureau(principal, reviewer), in_bureau(principal, reviewer)
    data = csv_bytes(approve_line(approved, "粤ICP备2026000001号"), reject_line(rejected))
    upload = bureau_import.upload_results(by=reviewer, name="结果.csv", data=data)
    worker = start_worker()
    client = client_for(reviewer)
    response = client.post(reverse("filings:bureau-import-apply", args=[upload.pk]))
    assert response.status_code == 302
    wait_for(
        lambda: BureauImport.objects.filter(pk=upload.pk, status=BureauImport.Status.APPLIED).exists(),
        worker=worker,
    )
    assert Filing.objects.get(pk=approved.pk).state == State.PUBLISHED
    assert Filing.objects.get(pk=rejected.pk).state == State.ENTRY
    page = client.get(reverse("filings:bureau-import", args=[upload.pk])).content.decode()
    assert 'id="count-applied">2<' in page and 'data-status="applied"' in page
