"""Two web nodes share no files (issue #24): two gunicorn servers with their own BEIAN_VAR_DIR and
temporary directory, on one database, one Redis and one bucket (moto's S3 server), and an exports
worker of its own on that bucket. A material uploaded through one node is listed with its checks'
results, and downloaded byte for byte, through the other; an Excel export the worker made is
downloaded through either; and no node keeps a file of the user's."""

import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from openpyxl import load_workbook

from filings.models import ExportJob, Material
from tests import factories, scan_samples
from tests.multinode import page_text, start_nodes  # noqa: F401 - the nodes fixture
from tests.test_alerts_worker import start_worker, wait_for  # noqa: F401 - the worker fixture

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _files(*roots: Path) -> list[Path]:
    return [path for root in roots if root.exists() for path in root.rglob("*") if path.is_file()]


def _versions(filing, kind: str) -> list[Material]:
    return list(Material.objects.filter(filing=filing, kind=kind).order_by("version"))


def test_materials_and_exports_uploaded_on_one_node_are_served_by_the_other(
    object_store,
    settings,
    tmp_path,
    start_nodes,  # noqa: F811
    start_worker,  # noqa: F811
):
    # This process, both nodes and the worker all keep files in one bucket, as production does.
    settings.STORAGES = object_store.storages()
    principal = factories.principal_user(username="bucket-principal")
    filing = factories.ready_filing(assignee=principal)
    manager = factories.manager_user(username="bucket-manager")
    device = TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)
    _row, token = AuthToken.objects.create(principal)
    bucket = object_store.environment()
    first, second = start_nodes(2, **bucket)
    # The worker writes an export to an unlinked temporary file before the bucket: in its own TMPDIR.
    worker_tmp = tmp_path / "worker-tmp"
    worker_tmp.mkdir()
    worker = start_worker(queues=("exports",), TMPDIR=str(worker_tmp), **bucket)

    # Through node 1: a sharp scan in the page's form (over the size Django keeps in memory, so it is
    # spooled to the node's temporary directory) and a 150 dpi one through the API.
    sharp = scan_samples.licence_scan(dpi=500)
    assert len(sharp) > django_settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    low = scan_samples.licence_scan(dpi=150)
    api = first.browser()
    api.headers["Authorization"] = f"Token {token}"
    answer = api.post(
        f"{first.url}/api/v1/filings/{filing.pk}/materials/",
        data={"kind": "business_licence"},
        files={"file": ("low.jpg", low, "image/jpeg")},
        timeout=60,
    )
    assert answer.status_code == 201, answer.text[:500]
    browser = first.browser()
    assert first.login(browser, principal.username).status_code == 302
    uploaded = first.post_form(
        browser,
        f"/filings/{filing.pk}/materials/",
        {"kind": "business_licence"},
        files={"file": ("licence.jpg", sharp, "image/jpeg")},
    )
    assert uploaded.status_code == 302, page_text(uploaded)[:500]
    *_older, failing, passing = _versions(filing, "business_licence")
    assert failing.pk == answer.json()["id"]
    assert (failing.check_status, passing.check_status) == ("fail", "pass")
    assert (failing.dpi, passing.dpi) == (150, 500)
    stored = object_store.client().get_object(Bucket=object_store.bucket, Key=passing.file.name)
    assert stored["Body"].read() == sharp

    # Through node 2: both versions listed, with what the checks found, and each downloaded intact.
    page = second.get(browser, f"/filings/{filing.pk}/materials/")
    assert page.status_code == 200
    text = page_text(page)
    for material in (failing, passing):
        link = f'href="/filings/{filing.pk}/materials/{material.pk}/"'
        assert link in page.text and f"第{material.version}版" in text
        assert f"{material.dpi} dpi · {material.width}×{material.height}" in text
    assert "未通过" in text and "低于要求的 300 dpi" in text
    listed = second.get(api, f"/api/v1/filings/{filing.pk}/materials/").json()
    slot = next(s for s in listed if s["kind"] == "business_licence")
    assert slot["latest_status"] == "pass"
    by_id = {v["id"]: v for v in slot["versions"]}
    assert by_id[failing.pk]["check_status"] == "fail"
    assert any(r["status"] == "fail" for r in by_id[failing.pk]["check_results"])
    assert by_id[passing.pk]["check_status"] == "pass"

    download = second.get(browser, f"/filings/{filing.pk}/materials/{passing.pk}/")
    assert download.status_code == 200 and download.content == sharp
    assert download.headers["Content-Type"] == "image/jpeg"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    by_api = second.get(api, f"/api/v1/filings/{filing.pk}/materials/{failing.pk}/file/")
    assert by_api.status_code == 200 and by_api.content == low

    # An Excel export asked for on node 2 by a manager whose second factor was given on node 1, made
    # by the worker, followed and downloaded on node 1, and downloaded on node 2 as well.
    office = first.browser()
    assert first.login(office, manager.username).status_code == 302
    verified = first.post_form(office, "/accounts/2fa/verify/", {"token": f"{totp(device.bin_key):06d}"})
    assert verified.status_code == 302, page_text(verified)[:500]
    asked = second.post_form(office, "/filings/exports/", {"source": "open_filings", "province": "44"})
    assert asked.status_code == 302, page_text(asked)[:500]
    job = ExportJob.objects.get(user=manager)
    assert asked.headers["Location"] == f"/filings/exports/{job.pk}/"
    wait_for(
        lambda: ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).exists(),
        worker=worker,
        timeout=30,
    )
    job.refresh_from_db()
    progress = first.get(office, f"/filings/exports/{job.pk}/")
    assert f'href="/filings/exports/{job.pk}/download/"' in progress.text
    files = [node.get(office, f"/filings/exports/{job.pk}/download/") for node in (first, second)]
    assert [f.status_code for f in files] == [200, 200]
    assert all(f.headers["Content-Type"] == XLSX for f in files)
    assert files[0].content == files[1].content
    in_bucket = object_store.client().get_object(Bucket=object_store.bucket, Key=job.file.name)
    assert in_bucket["Body"].read() == files[0].content
    rows = list(load_workbook(io.BytesIO(files[1].content)).active.values)
    assert [(r[0], r[1]) for r in rows[1:]] == [(filing.pk, filing.subject.name)]

    # Only the manager who asked downloads it.
    assert second.get(browser, f"/filings/exports/{job.pk}/download/").status_code == 404

    # Nothing of the user's was kept on either node: no material, export or spooled upload.
    for node in (first, second):
        assert _files(node.var_dir, node.tmp_dir) == [], node.name
    assert _files(worker.var_dir, worker_tmp) == [], "worker"
