"""Bureau result imports through the reviewer's pages and the API: upload, preview, apply by a
worker's task with progress, and who may do what."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from filings.kinds.states import State
from filings.models import BureauImport, Filing, FilingEvent
from filings.services import bureau_apply, bureau_import
from filings.tasks import apply_bureau_import_task
from tests import factories
from tests.test_bureau_import import approve_line, csv_bytes, in_bureau, reject_line

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
LIST = reverse("filings:bureau-imports")


@pytest.fixture
def queued(monkeypatch):
    """The worker's queue: the ids of the imports sent to it."""
    sent = []
    monkeypatch.setattr(bureau_import, "queue_apply", sent.append)
    return sent


def _file(data: bytes, name: str = "结果.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_reviewer_uploads_previews_and_applies_through_the_worker(
    client_for, principal, reviewer, queued, django_capture_on_commit_callbacks
):
    approved, rejected = in_bureau(principal, reviewer), in_bureau(principal, reviewer)
    draft = factories.ready_filing(assignee=principal)
    client = client_for(reviewer)
    assert "管局结果导入" in client.get(reverse("filings:review-index"), follow=True).content.decode()
    page = client.get(LIST).content.decode()
    assert 'enctype="multipart/form-data"' in page and "<code>审核结果</code>" in page
    data = csv_bytes(
        approve_line(approved, "粤ICP备2026000001号"),
        reject_line(rejected),
        approve_line(draft, "粤ICP备2026000002号"),
    )
    response = client.post(LIST, {"file": _file(data)})
    upload = BureauImport.objects.get()
    detail = reverse("filings:bureau-import", args=[upload.pk])
    assert response.status_code == 302 and response["Location"] == detail

    preview = client.get(detail).content.decode()
    assert 'id="count-ready">2<' in preview and 'id="count-invalid">1<' in preview
    assert "不在管局审核中" in preview and 'id="apply-import"' in preview
    assert Filing.objects.get(pk=approved.pk).state == State.BUREAU_REVIEW

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("filings:bureau-import-apply", args=[upload.pk]))
    assert response.status_code == 302 and queued == [upload.pk]
    waiting = client.get(detail).content.decode()
    assert 'http-equiv="refresh"' in waiting and 'data-status="queued"' in waiting

    assert apply_bureau_import_task(upload.pk) == BureauImport.Status.APPLIED
    done = client.get(detail).content.decode()
    assert 'id="count-applied">2<' in done and 'http-equiv="refresh"' not in done
    assert Filing.objects.get(pk=approved.pk).state == State.PUBLISHED
    assert Filing.objects.get(pk=rejected.pk).state == State.ENTRY
    upload.refresh_from_db()
    assert (upload.applied_by, upload.rows_done, upload.percent) == (reviewer, 3, 100)


def test_a_bad_file_is_refused_on_the_page_with_its_reason(client_for, reviewer):
    client = client_for(reviewer)
    response = client.post(LIST, {"file": _file("名称,颜色\n甲,红\n".encode())})
    page = response.content.decode()
    assert response.status_code == 400 and "缺少列" in page and "无法识别的列:名称、颜色" in page
    response = client.post(LIST, {"file": _file("审核结果".encode("utf-16"))})
    assert response.status_code == 400 and "无法识别文件编码" in response.content.decode()
    assert not BureauImport.objects.exists()


def test_only_reviewers_upload_and_apply_managers_read(client_for, principal, reviewer, manager, queued):
    filing = in_bureau(principal, reviewer)
    upload = bureau_import.upload_results(by=reviewer, name="r.csv", data=csv_bytes(reject_line(filing)))
    detail = reverse("filings:bureau-import", args=[upload.pk])
    apply_url = reverse("filings:bureau-import-apply", args=[upload.pk])
    assert client_for(principal).get(LIST).status_code == 403
    assert client_for(principal).get(detail).status_code == 403
    managers = client_for(manager)
    assert managers.get(detail).status_code == 200
    assert 'id="apply-import"' not in managers.get(detail).content.decode()
    assert managers.post(LIST, {"file": _file(csv_bytes(reject_line(filing)))}).status_code == 403
    assert managers.post(apply_url).status_code == 403
    assert client_for(reviewer).get(apply_url).status_code == 405
    assert BureauImport.objects.count() == 1 and queued == []
    assert Filing.objects.get(pk=filing.pk).state == State.BUREAU_REVIEW


def test_the_api_uploads_reads_and_applies(api, principal, reviewer, manager, queued):
    approved = in_bureau(principal, reviewer)
    client = api(reviewer)
    response = client.post(
        "/api/v1/bureau-imports/",
        {"file": _file(csv_bytes(approve_line(approved, "粤ICP备2026000001号")))},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "preview" and body["counts"]["ready"] == 1
    assert body["rows"][0]["filing"] == approved.pk and body["rows"][0]["action"] == "approved"
    url = f"/api/v1/bureau-imports/{body['id']}/"
    assert api(manager).get(url).status_code == 200
    assert api(principal).get(url).status_code == 403
    assert api(manager).post(url + "apply/").status_code == 403
    response = client.post(url + "apply/")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    bureau_apply.run_apply(body["id"])
    assert client.get(url).json()["counts"]["applied"] == 1
    assert FilingEvent.objects.filter(filing=approved, transition="approve").count() == 1


def test_the_api_refuses_a_bad_file_naming_the_file(api, reviewer):
    response = api(reviewer).post(
        "/api/v1/bureau-imports/", {"file": _file("审核结果\n通过\n".encode())}, format="multipart"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"file"} and "缺少列" in response.json()["detail"]


def test_row_messages_are_said_in_the_readers_language(client_for, principal, reviewer):
    draft = factories.ready_filing(assignee=principal)
    data = csv_bytes(
        "00000000-0000-0000-0000-000000000000,,,通过,粤ICP备2026000002号,,2026-03-05",
        approve_line(draft, "粤ICP备2026000003号"),
        f"{draft.reference},,,通过,粤ICP备2026000003号,=1+1,2026-03-05",
    )
    upload = bureau_import.upload_results(by=reviewer, name="r.csv", data=data)
    client = client_for(reviewer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(reverse("filings:bureau-import", args=[upload.pk])).content.decode()
    assert "No filing matches" in page and "not under bureau review" in page
    assert "looks like a formula" in page and "找不到对应的备案" not in page


def test_an_import_with_no_importable_rows_is_refused_and_not_queued(
    client_for, api, principal, reviewer, queued
):
    draft = factories.ready_filing(assignee=principal)
    upload = bureau_import.upload_results(
        by=reviewer, name="结果.csv", data=csv_bytes(approve_line(draft, "粤ICP备2026000002号"))
    )
    apply_url = reverse("filings:bureau-import-apply", args=[upload.pk])
    response = client_for(reviewer).post(apply_url)
    assert response.status_code == 409 and "该导入没有可导入的行。" in response.content.decode()
    english = client_for(reviewer).post(apply_url, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 409 and "This import has no rows to import." in english.content.decode()
    answer = api(reviewer).post(f"/api/v1/bureau-imports/{upload.pk}/apply/")
    assert answer.status_code == 409 and answer.json()["detail"] == "该导入没有可导入的行。"
    upload.refresh_from_db()
    assert queued == [] and upload.status == BureauImport.Status.PREVIEW and upload.applied_by is None
