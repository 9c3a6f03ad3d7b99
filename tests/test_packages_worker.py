"""A bureau package end to end through a real Celery worker on Redis: asked for on the review page,
built by the worker into the same storage as materials, downloaded by a reviewer."""

import io
import zipfile

import pytest
from django.urls import reverse

from filings.models import BureauPackage
from tests.test_alerts_worker import start_worker, wait_for  # noqa: F401 - the worker fixture
from tests.test_packages import in_review

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_worker_builds_the_package_a_reviewer_downloads(
    client_for,
    reviewer,
    settings,
    tmp_path,
    start_worker,  # noqa: F811
):
    # The worker (BEIAN_VAR_DIR=tmp_path/var) and this process must store and read the same files.
    settings.MEDIA_ROOT = tmp_path / "var" / "test-media"
    filing = in_review("44", reviewer=reviewer)
    worker = start_worker()
    client = client_for(reviewer)
    response = client.post(reverse("filings:packages", args=[filing.pk]))
    assert response.status_code == 302
    package = BureauPackage.objects.get(filing=filing)
    wait_for(
        lambda: BureauPackage.objects.filter(pk=package.pk, status=BureauPackage.Status.DONE).exists(),
        worker=worker,
        timeout=120,
    )
    package.refresh_from_db()
    assert (
        package.file.name.startswith(f"packages/{filing.pk}/") and package.started_at <= package.finished_at
    )
    response = client.get(reverse("filings:package-download", args=[package.pk]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist()[0] == "00-封面.pdf" and archive.namelist()[1] == "01-主体证件.jpg"
    assert len(archive.namelist()) == len(package.items) + 2
