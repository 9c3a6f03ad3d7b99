"""Resolution judged from pixels has a measurement tolerance (issue #22): a document's edges are found
within a few pixels, a cut corner is the corner check's to report, and a page scanned edge to edge
is a warning for the reviewer."""

import io

import pytest
from PIL import Image

from filings.rules.scans import inspect_upload
from tests.scan_samples import encode, licence_scan, render_scan


def _checks(data: bytes, kind: str = "business_licence"):
    result = inspect_upload(io.BytesIO(data), material_kind=kind)
    return result, {check.code: check for check in result.checks}


def _rescaled(scale: float) -> bytes:
    """Return a 300-dpi licence whose pixels are scale times as many along each side, with no dpi tag."""
    scan = render_scan(dpi=300)
    size = (round(scan.width * scale), round(scan.height * scale))
    return encode(scan.resize(size, Image.Resampling.LANCZOS), dpi=None)


@pytest.mark.parametrize(("scale", "measured"), [(0.99, 297), (0.985, 296), (1.012, 304)])
def test_a_300_dpi_scan_measured_a_little_off_passes_as_300(scale, measured):
    result, checks = _checks(_rescaled(scale))
    assert abs(checks["dpi"].params["measured"] - measured) <= 1
    assert (checks["dpi"].status, result.dpi) == ("pass", 300), checks["dpi"].message
    assert "在测量误差内" in checks["dpi"].message
    assert result.status == "pass"


@pytest.mark.parametrize(("scale", "shown"), [(0.96, 288), (0.9, 270), (0.5, 150)])
def test_a_scan_clearly_under_300_dpi_still_fails(scale, shown):
    result, checks = _checks(_rescaled(scale))
    assert checks["dpi"].status == "fail"
    assert abs(result.dpi - shown) <= 2
    assert "低于要求的 300 dpi" in checks["dpi"].message


def test_a_licence_with_a_cut_corner_fails_for_the_corner_not_for_resolution():
    result, checks = _checks(licence_scan(dpi=300, cropped=True))
    assert checks["corners"].status == "fail"
    assert checks["dpi"].status == "pass", checks["dpi"].message
    assert result.dpi == 300
    assert "证件超出图片边界" in checks["dpi"].message


def test_a_cut_corner_without_a_dpi_tag_leaves_resolution_to_the_reviewer():
    _, checks = _checks(licence_scan(dpi=300, cropped=True, write_dpi=False))
    assert checks["corners"].status == "fail"
    assert checks["dpi"].status == "warning"
    assert "无法从像素测定分辨率" in checks["dpi"].message


def test_a_licence_cut_on_one_side_is_measured_by_its_whole_side():
    scan = render_scan(dpi=300)
    cut = scan.crop((0, 0, round(scan.width * 0.85), scan.height))
    result, checks = _checks(encode(cut, dpi=None))
    assert checks["corners"].status == "fail"
    assert (checks["dpi"].status, result.dpi) == ("pass", 300), checks["dpi"].message


def test_a_150_dpi_licence_cut_on_one_side_still_fails_resolution():
    scan = render_scan(dpi=150)
    cut = scan.crop((0, 0, round(scan.width * 0.85), scan.height))
    result, checks = _checks(encode(cut, dpi=None))
    assert checks["dpi"].status == "fail"
    assert abs(result.dpi - 150) <= 2


def _edge_to_edge(dpi: int) -> Image.Image:
    scan = render_scan(dpi=dpi)
    return scan.crop((scan.width // 10, scan.height // 10, scan.width * 9 // 10, scan.height * 9 // 10))


@pytest.mark.parametrize("write_dpi", [False, True])
def test_a_page_scanned_edge_to_edge_is_a_warning_not_a_refusal(write_dpi):
    result, checks = _checks(encode(_edge_to_edge(300), dpi=300 if write_dpi else None))
    assert checks["corners"].status == "warning"
    assert "未能识别证件边缘" in checks["corners"].message
    assert checks["dpi"].status == ("pass" if write_dpi else "warning"), checks["dpi"].message
    assert checks["sharpness"].status == "pass"
    assert result.status == "warning"


def test_an_edge_to_edge_scan_tagged_150_dpi_fails_for_resolution():
    _, checks = _checks(encode(_edge_to_edge(150), dpi=150))
    assert checks["dpi"].status == "fail"
    assert checks["corners"].status == "warning"
