"""Images are cheap to check (issue #23): too large ones are refused from their header, the rest are
judged on a reduced copy; bench/scans.py measures the memory and time this keeps."""

import io

import pytest
from PIL import Image, ImageFile

from filings.rules.scans import MAX_DECODED_BYTES, MAX_PIXELS, UploadRejected, inspect_upload
from tests.scan_samples import bomb_png, encode, render_scan

# The working copy's long side (filings.rules.scans.upload.WORKING_LONG_SIDE), with room for rounding.
REDUCED_LONG_SIDE = 1000


@pytest.fixture
def decoding_forbidden(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


@pytest.mark.parametrize(
    ("width", "height", "mode", "decoded_mb"),
    [
        (7000, 7000, "RGBA", 234),
        # A colour page at 600 dpi: more than any material needs in colour.
        (7718, 5663, "RGB", 167),
        (8000, 8000, "I;16", 122),
    ],
)
def test_an_image_too_large_to_decode_is_refused_from_its_header(
    decoding_forbidden, width, height, mode, decoded_mb
):
    assert width * height <= MAX_PIXELS
    with pytest.raises(UploadRejected) as caught:
        inspect_upload(io.BytesIO(bomb_png(width, height, mode)), material_kind="business_licence")
    assert caught.value.code == "bomb"
    assert (
        f"图片解码后约 {decoded_mb} MB,超过 {MAX_DECODED_BYTES // (1024 * 1024)} MB" in caught.value.message
    )
    assert "另存为 JPG" in caught.value.message


def _claiming(data: bytes, marker: bytes, width: int, height: int) -> bytes:
    """Return a JPEG whose frame header (marker) claims width x height pixels."""
    at = data.index(marker) + 5  # marker (2), length (2), precision (1), then height and width
    return data[:at] + height.to_bytes(2, "big") + width.to_bytes(2, "big") + data[at + 4 :]


def test_a_large_progressive_jpeg_is_refused_from_its_header(decoding_forbidden):
    # A progressive JPEG keeps all its coefficients while decoding, at any output scale.
    small = io.BytesIO()
    render_scan(kind="id_front", dpi=100).save(small, "JPEG", progressive=True)
    data = _claiming(small.getvalue(), b"\xff\xc2", 7000, 7000)
    with pytest.raises(UploadRejected) as caught:
        inspect_upload(io.BytesIO(data), material_kind="other")
    assert caught.value.code == "bomb"
    assert "图片解码后约 140 MB" in caught.value.message


def test_a_large_baseline_jpeg_is_decoded_reduced_not_refused():
    baseline = io.BytesIO()
    render_scan(kind="id_front", dpi=100).save(baseline, "JPEG")
    data = _claiming(baseline.getvalue(), b"\xff\xc0", 7000, 7000)
    result = inspect_upload(io.BytesIO(data), material_kind="other")
    assert (result.width, result.height) == (7000, 7000)


def test_the_pixel_bound_is_an_a3_page_at_600_dpi():
    a3_at_600_dpi = round(420 / 25.4 * 600) * round(297 / 25.4 * 600)
    assert a3_at_600_dpi <= MAX_PIXELS < a3_at_600_dpi * 1.05


@pytest.fixture
def full_size_copies(monkeypatch):
    """Record every copy made of an image larger than the working copy: (how, from mode, to mode)."""
    made: list[tuple[str, str, str]] = []
    for name in ("convert", "point", "copy"):
        original = getattr(Image.Image, name)

        def spy(self, *args, _original=original, _name=name, **kwargs):
            copied = _original(self, *args, **kwargs)
            if max(self.size) > REDUCED_LONG_SIDE + 1:
                made.append((_name, self.mode, copied.mode))
            return copied

        monkeypatch.setattr(Image.Image, name, spy)
    return made


@pytest.mark.parametrize(
    ("mode", "full_size"),
    [
        ("I;16", []),
        ("RGB", []),
        # Transparency is averaged only through a premultiplied copy as large as the image, so the
        # image is made grey first: one byte a pixel.
        ("RGBA", [("convert", "RGBA", "L")]),
    ],
)
def test_a_png_is_judged_on_a_reduced_copy_without_a_full_size_conversion(full_size_copies, mode, full_size):
    scan = render_scan(dpi=300)
    if mode == "I;16":
        image = scan.convert("L").convert("I").point(lambda value: value * 257).convert("I;16")
    else:
        image = scan.convert(mode)
    data = encode(image, fmt="PNG", dpi=300)
    full_size_copies.clear()
    result = inspect_upload(io.BytesIO(data), material_kind="business_licence")
    assert full_size_copies == full_size
    assert result.status == "pass", result.as_json()
    assert (result.width, result.height) == scan.size


def test_a_jpeg_is_decoded_reduced(full_size_copies):
    data = encode(render_scan(dpi=300), fmt="JPEG", dpi=300)
    full_size_copies.clear()
    result = inspect_upload(io.BytesIO(data), material_kind="business_licence")
    assert full_size_copies == []
    assert result.status == "pass"
