"""An Excel export end to end through a real Celery worker on Redis: offered with its row cap, asked
for, made by the worker with progress recorded, downloaded by the user who asked and no one else."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from filings.models import ExportJob
from tests import factories
from tests.test_alerts_worker import start_worker, wait_for  # noqa: F401 - the worker fixture
from tests.test_exports import OPEN_URL, _in_review

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("file_storage"),
]


def test_excel_export_is_made_by_the_worker_and_downloaded_only_by_its_owner(
    client,
    settings,
    tmp_path,
    file_storage,
    start_worker,  # noqa: F811
):
    # The worker (BEIAN_VAR_DIR=tmp_path/var) and this process must store and read the same files.
    settings.MEDIA_ROOT = tmp_path / "var" / "test-media"
    manager = factories.manager_user(username="export-manager")
    other = factories.manager_user(username="export-other")
    filings = _in_review(7)
    _in_review(2, province_code="11")
    # On the S3 path the worker is pointed at the bucket the way production is: by its environment.
    worker = start_worker(**(file_storage.environment() if file_storage else {}))
    client.force_login(manager)

    offer = client.get(OPEN_URL, {"format": "xlsx", "province": "44"}).content.decode()
    assert "最多包含前 100,000 行" in offer
    response = client.post(reverse("filings:exports"), {"source": "open_filings", "province": "44"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("filings:export", args=[job.pk])
    assert (job.user, job.filters) == (manager, {"state": "", "province": "44"})

    wait_for(
        lambda: ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).exists(), worker=worker
    )
    job.refresh_from_db()
    assert (job.rows_expected, job.rows_written, job.truncated) == (7, 7, False)
    assert job.started_at <= job.finished_at and job.file.name.startswith(f"exports/{manager.pk}/")

    page = client.get(reverse("filings:export", args=[job.pk])).content.decode()
    download = reverse("filings:export-download", args=[job.pk])
    assert f'href="{download}"' in page and 'http-equiv="refresh"' not in page
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="open-filings-')
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][:3] == ("备案ID", "主体", "省份")
    assert [r[0] for r in rows[1:]] == [f.pk for f in filings]
    assert {r[2] for r in rows[1:]} == {"广东"}
    if file_storage:
        # The worker wrote the file to the bucket, with its type, and nothing to its local disk.
        head = file_storage.client().head_object(Bucket=file_storage.bucket, Key=job.file.name)
        assert head["ContentType"] == response["Content-Type"]
        assert not [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]

    client.force_login(other)
    assert client.get(download).status_code == 404
    assert client.get(reverse("filings:export", args=[job.pk])).status_code == 404
    client.logout()
    assert client.get(download).status_code == 302  # to the login page
