"""Uploaded materials: how they are served, PDFs with active content, and the request size cap."""

import io
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from filings.models import Material
from filings.rules import pdf_actions, scans
from tests import pdf_samples, scan_samples

ROOT = Path(__file__).resolve().parent.parent


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", pdf_samples.HOSTILE)
def test_pdfs_with_actions_scripts_forms_or_embedded_files_are_refused(name):
    with pytest.raises(scans.UploadRejected) as caught:
        scans.inspect_upload(io.BytesIO(pdf_samples.HOSTILE[name]), material_kind="business_licence")
    assert caught.value.code == "pdf_active"
    assert "脚本" in caught.value.message


def test_a_pdf_that_cannot_be_parsed_is_refused_not_waved_through():
    unparseable = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\nstream\n%%EOF\n"
    with pytest.raises(scans.UploadRejected) as caught:
        scans.inspect_upload(io.BytesIO(unparseable), material_kind="business_licence")
    assert caught.value.code == "pdf_unreadable"
    assert "无法完整解析" in caught.value.message


@pytest.mark.parametrize(
    "make", [pdf_samples.scanned_pdf, pdf_samples.packed_clean_pdf, scan_samples.pdf_bytes]
)
def test_ordinary_pdfs_are_accepted(make):
    data = make()
    assert pdf_actions.active_content(io.BytesIO(data)) == []
    result = scans.inspect_upload(io.BytesIO(data), material_kind="business_licence")
    assert result.content_type == "application/pdf"


def _stored_files(store=None) -> list:
    local = [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]
    return local + (store.keys() if store else [])


@pytest.mark.parametrize("name", ["xfa-script", "flate-chain", "page-aa-submit-form"])
def test_the_upload_page_refuses_an_active_pdf_and_keeps_nothing(filing, name, file_storage):
    client = _client(filing.assignee)
    before = Material.objects.count()
    files = _stored_files(file_storage)
    data = {
        "kind": "business_licence",
        "file": SimpleUploadedFile("licence.pdf", pdf_samples.HOSTILE[name], "application/pdf"),
    }
    response = client.post(reverse("filings:materials", args=[filing.pk]), data)
    assert response.status_code == 400
    assert "脚本" in response.content.decode()
    assert Material.objects.count() == before
    assert _stored_files(file_storage) == files


@pytest.mark.usefixtures("file_storage")
def test_a_clean_scanned_pdf_is_stored_byte_for_byte(filing):
    scanned = pdf_samples.scanned_pdf()
    data = {"kind": "business_licence", "file": SimpleUploadedFile("licence.pdf", scanned, "application/pdf")}
    response = _client(filing.assignee).post(reverse("filings:materials", args=[filing.pk]), data)
    assert response.status_code == 302
    material = Material.objects.filter(filing=filing, kind="business_licence").order_by("-version").first()
    assert material.content_type == "application/pdf"
    with material.file.open("rb") as stored:
        assert stored.read() == scanned


@pytest.mark.usefixtures("file_storage")
def test_a_principal_always_downloads_materials_as_attachments(filing):
    material = filing.materials.first()
    response = _client(filing.assignee).get(
        reverse("filings:material-download", args=[filing.pk, material.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("role", ["reviewer", "manager"])
@pytest.mark.usefixtures("file_storage")
def test_staff_see_images_and_pdfs_inline_but_sandboxed(request, filing, role):
    material = filing.materials.first()
    assert material.content_type == "image/jpeg"
    response = _client(request.getfixturevalue(role)).get(
        reverse("filings:material-download", args=[filing.pk, material.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


class _Unreadable(io.RawIOBase):
    def readable(self):
        return True

    def readinto(self, buffer):
        raise AssertionError("the body was read")


def test_an_oversized_request_is_refused_before_its_body_is_read(filing):
    client = _client(filing.assignee)
    url = reverse("filings:materials", args=[filing.pk])
    size = settings.BEIAN_MAX_REQUEST_BYTES + 1
    response = client.generic(
        "POST",
        url,
        content_type="multipart/form-data; boundary=x",
        **{"CONTENT_LENGTH": str(size), "wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413
    assert "单个文件不能超过" in response.content.decode()
    api = client.generic(
        "POST",
        "/api/v1/filings/",
        content_type="application/json",
        **{"CONTENT_LENGTH": str(40 * 1024 * 1024), "wsgi.input": _Unreadable()},
    )
    assert api.status_code == 413 and api.json()["code"] == "too_large"


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("zh-hans", ["文件太大", "单个文件不能超过 10 MB", "返回上一页"]),
        ("en", ["File too large", "A single file may be at most 10 MB", "Back"]),
    ],
)
def test_an_oversized_upload_from_a_page_gets_a_page_with_the_file_limit_and_a_way_back(
    filing, language, says
):
    client = _client(filing.assignee)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("filings:materials", args=[filing.pk])
    response = client.generic(
        "POST",
        url,
        content_type="multipart/form-data; boundary=x",
        **{"CONTENT_LENGTH": str(settings.BEIAN_MAX_REQUEST_BYTES + 1), "wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    for words in says:
        assert words in page, words
    assert f'href="{url}"' in page


def test_a_body_the_proxy_refused_gets_the_apps_answer_without_the_body(filing):
    # deploy/nginx.conf passes only the headers of a body it refused, saying so in X-Beian-Body-Refused.
    client = _client(filing.assignee)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("filings:materials", args=[filing.pk])
    refused = {"HTTP_X_BEIAN_BODY_REFUSED": "1", "wsgi.input": _Unreadable()}
    response = client.generic("POST", url, content_type="multipart/form-data; boundary=x", **refused)
    assert response.status_code == 413 and not response.has_header("Connection")
    page = response.content.decode()
    assert "File too large" in page and f'href="{url}"' in page
    api = client.generic("POST", "/api/v1/filings/", content_type="application/json", **refused)
    assert api.status_code == 413 and api.json()["code"] == "too_large"


def test_the_production_proxy_caps_bodies_at_the_same_size():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert f"client_max_body_size {settings.BEIAN_MAX_REQUEST_BYTES // (1024 * 1024)}m;" in conf
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    proxy = compose["services"]["proxy"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert proxy["ports"] == ["8000:80"]
    # Only the proxy is published: nothing reaches gunicorn around the cap.
    for name, service in compose["services"].items():
        assert name == "proxy" or "ports" not in service, name


@pytest.mark.usefixtures("file_storage")
def test_the_reviewers_page_may_embed_a_pdf_from_this_site(reviewer, filing):
    material = filing.materials.first()
    response = _client(reviewer).get(reverse("filings:material-download", args=[filing.pk, material.pk]))
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    page = _client(reviewer).get(reverse("filings:review-filing", args=[filing.pk]))
    assert "object-src 'self'" in page["Content-Security-Policy"]
