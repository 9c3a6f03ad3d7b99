"""Materials and exports in an S3-compatible bucket (issue #24): nothing of a user's on local disk,
private objects, a store out of reach told to the user with nothing half-saved, a file gone a 404,
and an export cut short by a lost worker made again on the next delivery."""

import io
import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from accounts.roles import Role
from filings.models import BureauImport, ExportJob, FilingEvent, Material
from filings.reads import exports
from filings.services import exports as export_service
from tests import factories, scan_samples
from tests.s3 import closed_port_store

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def bucket(object_store, settings):
    settings.STORAGES = object_store.storages()
    return object_store


@pytest.fixture
def unreachable(settings):
    store = closed_port_store()
    settings.STORAGES = store.storages()
    return store


def _files(*roots: Path) -> list[Path]:
    return [path for root in roots if root.exists() for path in root.rglob("*") if path.is_file()]


def _noisy_jpeg(size=(2400, 1700)) -> bytes:
    """A JPEG over FILE_UPLOAD_MAX_MEMORY_SIZE, so Django spools it to a temporary file."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95, dpi=(300, 300))
    return out.getvalue()


def _upload(client, filing, content, **extra):
    data = {
        "kind": "business_licence",
        "file": SimpleUploadedFile("licence.jpg", content, "image/jpeg"),
        **extra,
    }
    return client.post(reverse("filings:materials", args=[filing.pk]), data)


def test_an_upload_on_the_s3_path_leaves_nothing_on_local_disk(
    bucket, client_for, filing, settings, tmp_path
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    content = _noisy_jpeg()
    assert len(content) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    client = client_for(filing.assignee)

    response = _upload(client, filing, content)

    assert response.status_code == 302
    material = Material.objects.filter(filing=filing, kind="business_licence").latest("version")
    assert _files(Path(settings.MEDIA_ROOT), tmp_path / "uploads") == []
    stored = bucket.client().get_object(Bucket=bucket.bucket, Key=material.file.name)
    assert stored["Body"].read() == content
    # The object carries the type the checks found and is saved, never shown, if fetched directly.
    assert (stored["ContentType"], stored["ContentDisposition"]) == ("image/jpeg", "attachment")
    download = client.get(reverse("filings:material-download", args=[filing.pk, material.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == content
    assert _files(Path(settings.MEDIA_ROOT), tmp_path / "uploads") == []


def test_objects_are_private(bucket, filing):
    material = factories.passing_material(filing, "business_licence")
    key = material.file.name
    grants = bucket.client().get_object_acl(Bucket=bucket.bucket, Key=key)["Grants"]
    assert [g["Grantee"].get("URI") for g in grants if g["Grantee"].get("URI")] == []
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{bucket.endpoint}/{bucket.bucket}/{key}", timeout=10)
    assert refused.value.code == 403


def test_the_admin_links_a_material_through_the_checked_view_not_the_bucket(bucket, client, filing):
    admin = factories.UserFactory(username="admin-s3", role=Role.ADMIN, is_superuser=True)
    material = factories.passing_material(filing, "business_licence")
    client.force_login(admin)
    page = client.get(reverse("admin:filings_material_change", args=[material.pk])).content.decode()
    assert reverse("filings:material-download", args=[filing.pk, material.pk]) in page
    assert bucket.endpoint not in page and "X-Amz-Signature" not in page


def test_an_unreachable_store_refuses_the_upload_and_records_nothing(client_for, filing, unreachable):
    client = client_for(filing.assignee)
    materials, events = Material.objects.count(), FilingEvent.objects.count()

    response = _upload(client, filing, scan_samples.licence_scan(dpi=300))

    assert response.status_code == 503
    assert "存储服务暂时不可用" in response.content.decode() and "请稍后重试" in response.content.decode()
    assert (Material.objects.count(), FilingEvent.objects.count()) == (materials, events)


def test_an_unreachable_store_is_a_503_from_the_api(api, filing, unreachable):
    data = {
        "kind": "business_licence",
        "file": SimpleUploadedFile("l.jpg", scan_samples.licence_scan(dpi=300)),
    }
    before = Material.objects.count()
    response = api(filing.assignee).post(f"/api/v1/filings/{filing.pk}/materials/", data, format="multipart")
    assert response.status_code == 503
    assert response.json()["code"] == "storage_unavailable" and "请稍后重试" in response.json()["detail"]
    data["file"].seek(0)
    english = api(filing.assignee).post(
        f"/api/v1/filings/{filing.pk}/materials/", data, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 503 and "storage is unavailable" in english.json()["detail"]
    assert Material.objects.count() == before


def test_a_refused_row_takes_its_object_with_it(bucket, client_for, filing):
    other = factories.ready_filing(assignee=filing.assignee)
    keys = bucket.keys(f"materials/{filing.pk}/")

    response = _upload(
        client_for(filing.assignee),
        filing,
        scan_samples.licence_scan(dpi=300),
        person_id=other.subject_principal_id,
    )

    assert response.status_code == 400 and "负责人不属于该备案" in response.content.decode()
    assert bucket.keys(f"materials/{filing.pk}/") == keys


@pytest.mark.usefixtures("file_storage")
def test_a_material_whose_file_has_gone_is_a_404_page(client_for, api, filing):
    material = factories.passing_material(filing, "business_licence")
    material.file.storage.delete(material.file.name)

    page = client_for(filing.assignee).get(
        reverse("filings:material-download", args=[filing.pk, material.pk])
    )
    assert page.status_code == 404 and "找不到该页面" in page.content.decode()
    answer = api(filing.assignee).get(f"/api/v1/filings/{filing.pk}/materials/{material.pk}/file/")
    assert answer.status_code == 404


def test_a_download_while_the_store_is_out_of_reach_is_a_503_page(bucket, client_for, api, filing, settings):
    material = factories.passing_material(filing, "business_licence")
    settings.STORAGES = closed_port_store().storages()

    page = client_for(filing.assignee).get(
        reverse("filings:material-download", args=[filing.pk, material.pk])
    )

    assert page.status_code == 503 and "存储服务暂时不可用" in page.content.decode()
    answer = api(filing.assignee).get(f"/api/v1/filings/{filing.pk}/materials/{material.pk}/file/")
    assert answer.status_code == 503 and answer.json()["code"] == "storage_unavailable"


@pytest.mark.usefixtures("file_storage")
def test_an_export_whose_file_has_gone_is_a_404_page(client, manager):
    job = export_service.run_export(
        ExportJob.objects.create(user=manager, source="open_filings", filters={}, row_cap=10).pk
    )
    job.file.storage.delete(job.file.name)
    client.force_login(manager)
    response = client.get(reverse("filings:export-download", args=[job.pk]))
    assert response.status_code == 404 and "找不到该页面" in response.content.decode()


class WorkerLost(BaseException):
    """What the worker's process dying looks like from inside: nothing after it runs."""


@pytest.mark.usefixtures("file_storage")
def test_an_export_cut_short_by_a_lost_worker_is_made_again_on_redelivery(manager, monkeypatch):
    factories.ready_filing(assignee=factories.principal_user(username="export-p"))
    job = ExportJob.objects.create(user=manager, source="open_filings", filters={}, row_cap=10)
    write = exports.write_xlsx

    def dies(*args, **kwargs):
        raise WorkerLost

    monkeypatch.setattr(exports, "write_xlsx", dies)
    with pytest.raises(WorkerLost):
        export_service.run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING and not job.file

    # The task is acked late and rejected on a lost worker: Celery delivers it again.
    monkeypatch.setattr(exports, "write_xlsx", write)
    job = export_service.run_export(job.pk)
    assert job.status == ExportJob.Status.DONE and job.rows_written == job.rows_expected
    assert len(list(load_workbook(job.file.open("rb")).active.values)) == job.rows_written + 1


def test_an_export_when_the_store_is_out_of_reach_fails_saying_so(unreachable, manager):
    job = export_service.run_export(
        ExportJob.objects.create(user=manager, source="open_filings", filters={}, row_cap=10).pk
    )
    assert job.status == ExportJob.Status.FAILED and not job.file
    assert "存储服务暂时不可用" in job.error


def test_a_purge_that_cannot_reach_the_store_keeps_the_job_for_the_next_one(bucket, manager, settings):
    job = export_service.run_export(
        ExportJob.objects.create(user=manager, source="open_filings", filters={}, row_cap=10).pk
    )
    ExportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - timedelta(days=30))
    settings.STORAGES = closed_port_store().storages()
    assert export_service.purge_exports() == 0 and ExportJob.objects.filter(pk=job.pk).exists()

    settings.STORAGES = bucket.storages()
    assert export_service.purge_exports() == 1 and not ExportJob.objects.exists()
    assert bucket.keys(job.file.name) == []


def test_a_result_file_is_refused_when_the_store_is_out_of_reach(unreachable, client_for, reviewer):
    data = "备案编号,审核结果,备案号,原因,审核日期\nX-1,通过,粤ICP备12345678号,,2026-11-02\n".encode()
    response = client_for(reviewer).post(
        reverse("filings:bureau-imports"), {"file": SimpleUploadedFile("results.csv", data, "text/csv")}
    )
    assert response.status_code == 503 and "存储服务暂时不可用" in response.content.decode()
    assert not BureauImport.objects.exists()


def test_the_environment_selects_the_bucket(object_store):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        **object_store.environment(),
    }
    code = (
        "import django; django.setup();"
        "from django.core.files.storage import storages; s = storages['default'];"
        "print(type(s).__name__, s.bucket_name, s.endpoint_url,"
        " s.default_acl, s.querystring_expire, s.file_overwrite, s.client_config.s3['addressing_style'])"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert shown.stdout.split() == [
        "S3Storage",
        object_store.bucket,
        object_store.endpoint,
        "None",
        "300",
        "False",
        "path",
    ]
