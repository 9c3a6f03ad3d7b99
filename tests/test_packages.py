"""The bureau-ready package (issue #26, items 4 and 5): each province's names, order, formats and limits,
the cover sheet with embedded fonts and checksums, refusal on a failing checklist, and who may have it."""

import hashlib
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader, PdfWriter

from filings.exceptions import ChecksFailed, TransitionNotPermitted, TransitionNotPossible
from filings.models import BureauPackage, Filing, Material
from filings.rules.packaging import bureaus, cover, fit
from filings.services import packages, transitions
from tests import factories
from tests.scan_samples import encode, pdf_bytes, render_scan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# What each material of the test filings is scanned as: (dpi, format), a PDF for None.
SCANS = {
    "business_licence": (400, "JPEG"),
    "id_front": (600, "JPEG"),
    "id_back": (300, "PNG"),
    "pledge": None,
    "construction_plan": (300, "PNG"),
}


def scan(kind: str, dpi: int, fmt: str) -> bytes:
    return encode(render_scan(dpi=dpi, kind=kind), fmt=fmt, dpi=dpi)


def scanned_pdf(kind: str, dpi: int, pages: int = 1) -> bytes:
    """Return a PDF as a scanner writes it: each page one image, the page as large as the paper scanned."""
    page = render_scan(dpi=dpi, kind=kind)
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=dpi, save_all=True, append_images=[page.convert("L")] * (pages - 1))
    return buffer.getvalue()


def text_pdf() -> bytes:
    """Return a PDF page with no image on it (a document typed, not scanned)."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def use_real_scans(filing: Filing, scans: dict | None = None) -> None:
    """Give every current material of the filing a real file: a scan at the dpi and format listed
    (a tiny PDF for None, a scanned PDF of N pages for ("PDF", dpi, N), a page of no image for "TEXT")."""
    for material in Material.objects.filter(filing=filing):
        how = (scans or SCANS).get(material.kind, (300, "JPEG"))
        size, dpi = (None, None), None
        if how is None or how == "TEXT" or how[0] == "PDF":
            data = (
                pdf_bytes()
                if how is None
                else text_pdf()
                if how == "TEXT"
                else scanned_pdf(material.kind, *how[1:])
            )
            content_type = "application/pdf"
        else:
            data = scan(material.kind, *how)
            content_type, dpi = f"image/{how[1].lower()}", how[0]
            size = Image.open(io.BytesIO(data)).size
        material.file.save("upload", ContentFile(data), save=False)
        material.content_type, material.dpi, material.size = content_type, dpi, len(data)
        material.width, material.height = size
        material.sha256 = hashlib.sha256(data).hexdigest()
        material.save()


def in_review(province_code: str, *, reviewer, scans: dict | None = None) -> Filing:
    """Return a filing of the province submitted for pre-review, its materials real scans."""
    principal = factories.principal_user()
    filing = factories.ready_filing(assignee=principal, province_code=province_code)
    use_real_scans(filing, scans)
    return transitions.submit_filing(filing, by=principal)


def build(filing: Filing, *, by) -> BureauPackage:
    package = packages.request_package(filing, by=by)
    return packages.run_package(package.pk)


def open_zip(package: BureauPackage) -> zipfile.ZipFile:
    with package.file.open("rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


def people_names(filing: Filing) -> tuple[str, str]:
    website = filing.websites.get()
    return filing.subject_principal.name, website.principal.name


def check_images(
    archive: zipfile.ZipFile, filing: Filing, *, max_long_side: int, max_bytes: int, fmt: str, **bytes_by_kind
):
    """Every image in the zip: the bureau's format, within its limits, 300 dpi or more, aspect kept."""
    originals = {m.pk: m for m in Material.objects.filter(filing=filing)}
    package = filing.bureau_packages.get()
    for item in package.items:
        data = archive.read(item["name"])
        assert hashlib.sha256(data).hexdigest() == item["sha256"]
        if item["name"].endswith(".pdf"):
            continue
        image = Image.open(io.BytesIO(data))
        assert image.format in fmt.split("|"), item["name"]
        assert max(image.size) <= max_long_side, item["name"]
        assert len(data) <= bytes_by_kind.get(item["kind"], max_bytes), item["name"]
        assert round(image.info["dpi"][0]) >= 300 and (image.width, image.height) == (
            item["width"],
            item["height"],
        )
        original = originals[item["material_id"]]
        # Resized as a whole, never cropped: the aspect ratio stays within a pixel's rounding.
        assert abs(image.width / image.height - original.width / original.height) < 0.002
        assert image.width <= original.width


def assert_four_corners_kept(image: Image.Image) -> None:
    """The scanned paper keeps a margin of the scanner's background on all four sides: nothing was cut."""
    grey = image.convert("L")
    paper = grey.point(lambda v: 255 if v > 200 else 0).getbbox()
    assert paper is not None
    left, top, right, bottom = paper
    margins = (left, top, image.width - right, image.height - bottom)
    # scan_samples puts 5 % of the long side around the paper.
    expected = max(image.size) * 0.05 / 1.1
    assert all(abs(m - expected) <= expected * 0.1 + 2 for m in margins), (margins, expected)
    for corner in ((0, 0), (image.width - 1, 0), (0, image.height - 1), (image.width - 1, image.height - 1)):
        assert grey.getpixel(corner) < 100


def cover_text(archive: zipfile.ZipFile) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(archive.read("00-封面.pdf")))
    return "".join(page.extract_text() for page in reader.pages), reader


def embedded_fonts(reader: PdfReader) -> list[str]:
    """Return the base font names on the first page whose font program is embedded in the file."""
    embedded = []
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = (
            font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        )
        descriptor = descriptor.get_object()
        if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            embedded.append(str(font["/BaseFont"]))
    return embedded


def test_guangdong_package_names_orders_and_fits_every_material(reviewer):
    filing = in_review("44", reviewer=reviewer)
    package = build(filing, by=reviewer)
    assert package.status == BureauPackage.Status.DONE, package.problems
    subject_principal, website_principal = people_names(filing)
    archive = open_zip(package)
    same = subject_principal == website_principal
    expected = [
        "00-封面.pdf",
        "01-主体证件.jpg",
        "02-互联网信息服务备案承诺书.pdf",
        "03-网站建设方案书.jpg",
        f"04-{subject_principal}-身份证正面.jpg",
    ]
    assert archive.namelist()[: len(expected)] == expected
    assert archive.namelist()[-1] == "SHA256SUMS.txt"
    if not same:
        assert f"05-{website_principal}-身份证正面.jpg" in archive.namelist()
    assert [i["position"] for i in package.items] == list(range(1, len(package.items) + 1))
    assert [i["name"] for i in package.items] == archive.namelist()[1:-1]
    check_images(
        archive,
        filing,
        max_long_side=4200,
        max_bytes=1024 * 1024,
        fmt="JPEG",
        construction_plan=5 * 1024 * 1024,
    )
    id_fronts = [i for i in package.items if i["kind"] == "id_front"]
    assert id_fronts and all(max(i["width"], i["height"]) <= 2000 for i in id_fronts)
    # The 400 dpi licence (5145 px) came down to the 4200 px limit, its density written to match.
    licence = package.items[0]
    assert (max(licence["width"], licence["height"]), licence["dpi"]) == (4200, 327)
    # The PDF pledge goes in byte for byte; the PNG plan became a JPEG (Guangdong takes no PNG).
    pledge = Material.objects.get(filing=filing, kind="pledge")
    assert archive.read("02-互联网信息服务备案承诺书.pdf") == pledge.file.open("rb").read()
    text, reader = cover_text(archive)
    for fact in (filing.subject.name, filing.subject.certificate_number, "广东省通信管理局", str(filing.pk)):
        assert fact in text
    for item in package.items:
        assert item["name"] in text and item["sha256"] in text
    assert embedded_fonts(reader) and all("WenQuanYi" in name for name in embedded_fonts(reader))
    sums = archive.read("SHA256SUMS.txt").decode()
    assert sums.splitlines()[0] == f"{licence['sha256']}  01-主体证件.jpg"
    assert hashlib.sha256(package.file.open("rb").read()).hexdigest() == package.sha256


def test_beijing_package_puts_people_first_and_keeps_png(reviewer):
    filing = in_review("11", reviewer=reviewer, scans={**SCANS, "business_licence": (300, "PNG")})
    package = build(filing, by=reviewer)
    assert package.status == BureauPackage.Status.DONE, package.problems
    subject_principal, _website_principal = people_names(filing)
    names = [i["name"] for i in package.items]
    assert names[0] == f"京_1_身份证人像面_{subject_principal}.jpg"
    assert names[1].startswith("京_2_身份证") and names[-1].startswith(f"京_{len(names)}_营业执照")
    # Beijing takes PNG: the PNG licence stays PNG, the PNG ID back too.
    assert names[-1].endswith(".png") and any(
        n.endswith("身份证国徽面_" + subject_principal + ".png") for n in names
    )
    archive = open_zip(package)
    check_images(archive, filing, max_long_side=4096, max_bytes=2 * 1024 * 1024, fmt="JPEG|PNG")
    text, reader = cover_text(archive)
    assert "北京市通信管理局" in text and filing.subject.name in text and embedded_fonts(reader)


def test_shanghai_package_lowers_jpeg_quality_to_fit_800_kb(reviewer):
    filing = in_review("31", reviewer=reviewer, scans={**SCANS, "business_licence": (300, "JPEG")})
    package = build(filing, by=reviewer)
    assert package.status == BureauPackage.Status.DONE, package.problems
    names = [i["name"] for i in package.items]
    assert names[0] == "SH001-主体证件.jpg" and names[1].startswith("SH002-负责人证件正面-")
    archive = open_zip(package)
    check_images(archive, filing, max_long_side=4000, max_bytes=800 * 1024, fmt="JPEG")
    licence = Material.objects.get(filing=filing, kind="business_licence")
    # 1 MB at the upload's quality: fitted by quality alone, its pixels (and 300 dpi) unchanged.
    assert licence.size > 800 * 1024
    assert (package.items[0]["width"], package.items[0]["dpi"]) == (licence.width, 300)
    text, _reader = cover_text(archive)
    assert "上海市通信管理局" in text and package.items[0]["sha256"] in text


def test_shanghai_takes_each_page_of_a_scanned_pdf_as_an_image(reviewer):
    filing = in_review("31", reviewer=reviewer, scans={**SCANS, "id_back": ("PDF", 400, 2)})
    package = build(filing, by=reviewer)
    assert package.status == BureauPackage.Status.DONE, package.problems
    names = [i["name"] for i in package.items]
    backs = [n for n in names if "负责人证件反面" in n]
    assert len(backs) == 2 and backs[0].endswith("-1.jpg") and backs[1].endswith("-2.jpg")
    assert [i["position"] for i in package.items] == list(range(1, len(names) + 1))
    archive = open_zip(package)
    for name in backs:
        image = Image.open(io.BytesIO(archive.read(name)))
        # The 400 dpi scan of an ID card (85.6 mm plus the scanner's margin) needs no resizing.
        assert image.format == "JPEG" and round(image.info["dpi"][0]) == 400
        assert abs(max(image.size) - 85.6 / 25.4 * 400 * 1.1) <= 2
        assert_four_corners_kept(image)


def test_shanghai_refuses_a_pdf_that_is_no_scan_saying_it_wants_images(reviewer):
    filing = in_review(
        "31", reviewer=reviewer, scans={**SCANS, "id_back": "TEXT", "id_front": ("PDF", 200, 1)}
    )
    package = build(filing, by=reviewer)
    assert package.status == BureauPackage.Status.FAILED and not package.file
    assert any("身份证国徽面" in p and "第 1 页不是扫描图片,请上传扫描图片" in p for p in package.problems)
    assert any("身份证人像面" in p and "只有 200 dpi" in p for p in package.problems), package.problems


def test_a_scan_below_300_dpi_is_named_not_upscaled(reviewer):
    filing = in_review("44", reviewer=reviewer, scans={**SCANS, "id_front": (200, "JPEG")})
    package = build(filing, by=reviewer)
    assert package.status == BureauPackage.Status.FAILED
    assert any("身份证人像面" in p and "200 dpi" in p for p in package.problems), package.problems


def test_a_failing_checklist_refuses_the_package_and_says_what_is_missing(reviewer):
    filing = in_review("44", reviewer=reviewer)
    Material.objects.filter(filing=filing, kind="pledge").delete()
    with pytest.raises(ChecksFailed) as refused:
        packages.request_package(filing, by=reviewer)
    assert "互联网信息服务备案承诺书" in str(refused.value.message)
    assert not BureauPackage.objects.exists()


def test_the_worker_judges_the_checklist_again(reviewer):
    filing = in_review("44", reviewer=reviewer)
    package = packages.request_package(filing, by=reviewer)
    Material.objects.filter(filing=filing, kind="construction_plan").delete()
    package = packages.run_package(package.pk)
    assert package.status == BureauPackage.Status.FAILED
    assert any("网站建设方案书" in p for p in package.problems) and not package.file


def test_a_filing_returned_before_the_worker_starts_is_not_packaged(reviewer):
    filing = in_review("44", reviewer=reviewer)
    package = packages.request_package(filing, by=reviewer)
    transitions.return_filing(
        filing,
        by=reviewer,
        reasons=[{"field": "subject.name", "reason": "名称有误", "suggested_fix": "改正"}],
    )
    package = packages.run_package(package.pk)
    assert package.status == BureauPackage.Status.FAILED and not package.file
    assert package.problems == ["备案处于“信息填报”阶段;提交初审后才能生成管局材料包。"]


def test_only_a_reviewer_asks_and_only_after_submission(reviewer, manager):
    filing = in_review("44", reviewer=reviewer)
    for user in (manager, filing.assignee):
        with pytest.raises(TransitionNotPermitted):
            packages.request_package(filing, by=user)
    draft = factories.ready_filing()
    with pytest.raises(TransitionNotPossible):
        packages.request_package(draft, by=reviewer)


def test_a_document_too_large_for_the_pixel_limit_at_300_dpi_is_refused_not_cropped():
    rule = bureaus.ItemRule("x", (bureaus.JPG,), 3000, 5 * 1024 * 1024)
    data = scan("business_licence", 300, "JPEG")
    with pytest.raises(fit.DoesNotFit) as refused:
        fit.fit(data, content_type="image/jpeg", dpi=300, rule=rule, label="营业执照")
    assert "按 300 dpi 需要 3858 像素,超过管局上限 3000 像素" in refused.value.message


def test_pixels_shrink_after_quality_but_never_below_300_dpi():
    data = scan("business_licence", 600, "JPEG")
    rule = bureaus.ItemRule("x", (bureaus.JPG,), 9000, 900 * 1024)
    (fitted,) = fit.fit(data, content_type="image/jpeg", dpi=600, rule=rule, label="营业执照")
    image = Image.open(io.BytesIO(fitted.data))
    assert len(fitted.data) <= 900 * 1024 and 300 <= fitted.dpi < 600
    assert round(image.info["dpi"][0]) == fitted.dpi and image.size == (fitted.width, fitted.height)
    assert_four_corners_kept(image)
    too_small = bureaus.ItemRule("x", (bureaus.JPG,), 9000, 100 * 1024)
    with pytest.raises(fit.DoesNotFit) as refused:
        fit.fit(data, content_type="image/jpeg", dpi=600, rule=too_small, label="营业执照")
    assert "在保持 300 dpi 时无法压缩到管局上限 100 KB 以内" in refused.value.message


def test_a_scanned_pdf_page_over_70_megapixels_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(fit, "MAX_PIXELS", 1_000_000)
    rule = bureaus.ItemRule("x", (bureaus.JPG,), 9000, 5 * 1024 * 1024)
    with pytest.raises(fit.DoesNotFit) as refused:
        fit.fit(
            scanned_pdf("id_front", 800), content_type="application/pdf", dpi=None, rule=rule, label="身份证"
        )
    assert "第 1 页图片过大" in refused.value.message
    (fitted,) = fit.fit(
        scanned_pdf("id_front", 300), content_type="application/pdf", dpi=None, rule=rule, label="身份证"
    )
    assert fitted.ext == "jpg" and fitted.dpi == 300


def test_a_character_the_font_lacks_is_written_as_its_code_point():
    assert cover.printable("星河𠀀科技") == "星河U+20000科技"


def test_every_bureau_names_a_rule_for_every_material_kind():
    for rules in (bureaus.DEFAULT, *bureaus.BUREAUS.values()):
        assert sorted(rules.order) == sorted(Material.Kind.values) == sorted(rules.items)
        assert all(rule.min_dpi >= 300 and rule.max_long_side >= 2000 for rule in rules.items.values())


def test_a_finished_package_is_not_built_twice(reviewer):
    filing = in_review("44", reviewer=reviewer)
    package = build(filing, by=reviewer)
    name = package.file.name
    again = packages.run_package(package.pk)
    assert again.file.name == name and again.finished_at == package.finished_at


def test_old_packages_are_purged_with_their_zips(reviewer):
    filing = in_review("44", reviewer=reviewer)
    old = build(filing, by=reviewer)
    recent = build(filing, by=reviewer)
    BureauPackage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    storage, name = old.file.storage, old.file.name
    assert storage.exists(name)
    assert packages.purge_packages() == 1
    assert not storage.exists(name) and list(BureauPackage.objects.all()) == [recent]
