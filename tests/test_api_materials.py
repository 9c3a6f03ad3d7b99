"""Materials through the API: upload with the page's checks, list versions with their check results,
and permission-checked download."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from filings.models import FilingEvent, Material
from tests import scan_samples
from tests.scan_samples import encode, render_scan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("file_storage")]


def _url(filing) -> str:
    return f"/api/v1/filings/{filing.pk}/materials/"


def api_upload(client, filing, kind, content, name="scan.jpg", **extra):
    data = {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="image/jpeg"), **extra}
    return client.post(_url(filing), data, format="multipart")


def page_upload(client, filing, kind, content, name="scan.jpg", **extra):
    data = {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="image/jpeg"), **extra}
    return client.post(reverse("filings:materials", args=[filing.pk]), data)


def _latest(filing, kind) -> Material:
    return Material.objects.filter(filing=filing, kind=kind).order_by("-version").first()


def test_upload_list_and_download(api, filing):
    client = api(filing.assignee)
    before = Material.objects.filter(filing=filing, kind="business_licence").count()
    content = scan_samples.licence_scan(dpi=300)
    response = api_upload(client, filing, "business_licence", content)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["version"] == before + 1
    assert body["check_status"] == "pass"
    assert [c["code"] for c in body["check_results"]] == ["type", "dpi", "sharpness", "corners"]
    assert body["dpi"] == 300
    assert FilingEvent.objects.filter(filing=filing, transition="upload").exists()

    listing = client.get(_url(filing)).json()
    [slot] = [s for s in listing if s["kind"] == "business_licence"]
    assert [v["version"] for v in slot["versions"]] == list(range(before + 1, 0, -1))
    assert slot["latest_status"] == "pass"
    assert all("check_results" in v and "check_status" in v for v in slot["versions"])
    assert slot["versions"][0]["check_results"] == body["check_results"]

    download = client.get(body["file_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == "image/jpeg"
    assert download["Cache-Control"] == "private, no-store"


def test_api_judges_a_scan_exactly_as_the_page_does(api, client, filing):
    # 150 dpi pixels claiming 300 dpi in the file.
    content = encode(render_scan(dpi=150), dpi=300)
    response = api_upload(api(filing.assignee), filing, "business_licence", content)
    assert response.status_code == 201
    by_api = _latest(filing, "business_licence")
    client.force_login(filing.assignee)
    assert page_upload(client, filing, "business_licence", content).status_code in (200, 302)
    by_page = _latest(filing, "business_licence")
    assert by_page.version == by_api.version + 1
    assert (by_api.check_status, by_api.dpi, by_api.check_results) == (
        by_page.check_status,
        by_page.dpi,
        by_page.check_results,
    )
    assert by_api.check_status == "fail" and by_api.dpi == 150


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just some text, not a scan", "只接受 JPG、PNG 或 PDF"),
        (b"", "空"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "损坏"),
    ],
)
def test_api_refuses_what_the_page_refuses(api, client, filing, content, message):
    count = Material.objects.filter(filing=filing).count()
    response = api_upload(api(filing.assignee), filing, "business_licence", content)
    assert response.status_code == 400
    assert message in str(response.json())
    client.force_login(filing.assignee)
    page = page_upload(client, filing, "business_licence", content)
    assert page.status_code == 400
    assert Material.objects.filter(filing=filing).count() == count


def test_api_refuses_an_oversized_file(api, filing, settings):
    settings.MATERIAL_MAX_BYTES = 1000
    response = api_upload(
        api(filing.assignee), filing, "business_licence", scan_samples.licence_scan(dpi=300)
    )
    assert response.status_code == 400
    assert "大小上限" in response.json()["detail"]


def test_api_refuses_a_person_of_another_filing_and_a_bad_kind(api, filing, other_principal):
    from tests import factories

    other = factories.ready_filing(assignee=other_principal)
    client = api(filing.assignee)
    content = scan_samples.licence_scan(dpi=300, kind="id_front")
    response = api_upload(client, filing, "id_front", content, person_id=other.subject_principal_id)
    assert response.status_code == 400
    response = api_upload(client, filing, "selfie", content)
    assert response.status_code == 400


def test_permissions(api, filing, other_principal, reviewer):
    content = scan_samples.licence_scan(dpi=300)
    assert api_upload(api(), filing, "business_licence", content).status_code == 401
    assert api().get(_url(filing)).status_code == 401
    # Someone else's filing does not exist for them.
    assert api_upload(api(other_principal), filing, "business_licence", content).status_code == 404
    assert api(other_principal).get(_url(filing)).status_code == 404
    material = filing.materials.first()
    file_url = f"{_url(filing)}{material.pk}/file/"
    assert api(other_principal).get(file_url).status_code == 404
    # A reviewer sees and downloads, but does not upload.
    assert api(reviewer).get(_url(filing)).status_code == 200
    assert api(reviewer).get(file_url).status_code == 200
    assert api_upload(api(reviewer), filing, "business_licence", content).status_code == 403
    # A material of another filing is not reachable through this one.
    assert api(filing.assignee).get(f"{_url(filing)}999999/file/").status_code == 404


def test_png_upload_keeps_its_type(api, filing):
    image = Image.new("RGB", (10, 10), "white")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    response = api_upload(api(filing.assignee), filing, "other", buffer.getvalue(), name="x.png")
    assert response.status_code == 201
    assert response.json()["content_type"] == "image/png"
