"""Uploaded materials: how they are served, PDFs with active content, and the request size cap."""

import io
import zlib
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from filings import pdf_actions, scans
from filings.models import Material
from tests import scan_samples

ROOT = Path(__file__).resolve().parent.parent


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pdf(*objects: bytes) -> bytes:
    """Return a PDF with the given objects (1 0 obj is the catalogue), framed as a reader expects."""
    body = b"%PDF-1.7\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return body


PAGES = b"<< /Type /Pages /Kids [] /Count 0 >>"


def _object_stream(inner: bytes, filters: bytes = b"/FlateDecode") -> bytes:
    data = zlib.compress(b"3 0 " + inner) if filters == b"/FlateDecode" else inner.hex().encode() + b">"
    return (
        b"<< /Type /ObjStm /N 1 /First 4 /Filter %s /Length %d >>\nstream\n" % (filters, len(data))
        + data
        + b"\nendstream"
    )


HOSTILE_PDFS = {
    "open-action-js": _pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >>",
        PAGES,
        b"<< /S /JavaScript /JS (app.alert('x')) >>",
    ),
    "escaped-name": _pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (1) >> >>", PAGES
    ),
    "launch": _pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (cmd.exe) >> >>", PAGES),
    "names-tree": _pdf(b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 3 0 R >> >>", PAGES, b"<< >>"),
    "in-object-stream": _pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >>",
        PAGES,
        _object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>"),
    ),
    "hidden-object-stream": _pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>", PAGES, _object_stream(b"<< >>", b"/ASCIIHexDecode")
    ),
}


@pytest.mark.parametrize("name", HOSTILE_PDFS)
def test_pdfs_with_script_or_launch_actions_are_refused(name):
    with pytest.raises(scans.UploadRejected) as caught:
        scans.inspect_upload(io.BytesIO(HOSTILE_PDFS[name]), material_kind="business_licence")
    assert caught.value.code == "pdf_active"
    assert "脚本" in caught.value.message


def test_an_ordinary_pdf_is_still_accepted():
    data = scan_samples.pdf_bytes()
    assert pdf_actions.active_content(data) == []
    assert scans.inspect_upload(io.BytesIO(data), material_kind="business_licence").content_type == (
        "application/pdf"
    )
    compressed = _pdf(b"<< /Type /Catalog /Pages 2 0 R >>", PAGES, _object_stream(b"<< /Type /Font >>"))
    assert pdf_actions.active_content(compressed) == []


def test_the_upload_page_refuses_a_pdf_with_javascript_and_stores_nothing(filing):
    client = _client(filing.assignee)
    before = Material.objects.count()
    data = {
        "kind": "business_licence",
        "file": SimpleUploadedFile("licence.pdf", HOSTILE_PDFS["open-action-js"], "application/pdf"),
    }
    response = client.post(reverse("filings:materials", args=[filing.pk]), data)
    assert response.status_code == 400
    assert "脚本" in response.content.decode()
    assert Material.objects.count() == before


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
    assert "上限" in response.content.decode()
    api = client.generic(
        "POST",
        "/api/v1/filings/",
        content_type="application/json",
        **{"CONTENT_LENGTH": str(40 * 1024 * 1024), "wsgi.input": _Unreadable()},
    )
    assert api.status_code == 413 and api.json()["code"] == "too_large"


def test_the_production_proxy_caps_bodies_at_the_same_size():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert f"client_max_body_size {settings.BEIAN_MAX_REQUEST_BYTES // (1024 * 1024)}m;" in conf
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    proxy = compose["services"]["proxy"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert proxy["ports"] == ["8000:80"]
    # Only the proxy is published: nothing reaches gunicorn around the cap.
    assert "ports" not in compose["services"]["web"]


def test_the_reviewers_page_may_embed_a_pdf_from_this_site(reviewer, filing):
    material = filing.materials.first()
    response = _client(reviewer).get(reverse("filings:material-download", args=[filing.pk, material.pk]))
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    page = _client(reviewer).get(reverse("filings:review-filing", args=[filing.pk]))
    assert "object-src 'self'" in page["Content-Security-Policy"]
