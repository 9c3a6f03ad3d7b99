"""Synthetic scans, PDFs and hostile images for tests of the upload checks; plain functions, no pytest."""

import io
import random
import struct
import zlib
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFilter

# Physical (width, height) in millimetres, kept apart from filings.rules.scans so the tests do not just
# echo the code under test.
PAPER_MM = {
    "business_licence": (297.0, 210.0),
    "id_front": (85.6, 54.0),
    "id_back": (85.6, 54.0),
}
A4_PORTRAIT_MM = (210.0, 297.0)
BACKGROUND = (60, 60, 60)
PAPER = (255, 255, 255)
INK = (15, 15, 15)
SEAL = (200, 30, 30)
MARGIN_RATIO = 0.05
# How much of the paper stays in frame when cropped=True.
CROPPED_FRACTION = 0.85
SEED = 20240601


def licence_scan(
    *,
    dpi: int = 300,
    blur: float = 0,
    cropped: bool = False,
    fmt: str = "JPEG",
    write_dpi: bool = True,
    kind: str = "business_licence",
) -> bytes:
    """Return an encoded scan: white paper with dense text-like detail on a dark grey background.

    The paper has the physical size of `kind` at `dpi` and a margin of about 5% on every side; with
    cropped=True it runs off the right and bottom edges instead.
    """
    return _licence_scan(dpi, float(blur), cropped, fmt.upper(), write_dpi, kind)


@lru_cache(maxsize=32)
def _licence_scan(dpi: int, blur: float, cropped: bool, fmt: str, write_dpi: bool, kind: str) -> bytes:
    image = render_scan(dpi=dpi, kind=kind)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    if cropped:
        margin = _margin_px(dpi, kind)
        paper_w, paper_h = _paper_px(dpi, kind)
        image = image.crop(
            (0, 0, margin + round(paper_w * CROPPED_FRACTION), margin + round(paper_h * CROPPED_FRACTION))
        )
    return encode(image, fmt=fmt, dpi=dpi if write_dpi else None)


def _paper_px(dpi: int, kind: str) -> tuple[int, int]:
    width_mm, height_mm = PAPER_MM.get(kind, A4_PORTRAIT_MM)
    return round(width_mm / 25.4 * dpi), round(height_mm / 25.4 * dpi)


def _margin_px(dpi: int, kind: str) -> int:
    return round(max(_paper_px(dpi, kind)) * MARGIN_RATIO)


def render_scan(*, dpi: int = 300, kind: str = "business_licence") -> Image.Image:
    """Return the unencoded, sharp, uncropped scan as an RGB image."""
    paper_w, paper_h = _paper_px(dpi, kind)
    margin = _margin_px(dpi, kind)
    image = Image.new("RGB", (paper_w + 2 * margin, paper_h + 2 * margin), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((margin, margin, margin + paper_w - 1, margin + paper_h - 1), fill=PAPER)
    rng = random.Random(SEED)
    mm = dpi / 25.4
    stroke = max(1, round(0.25 * mm))
    glyph = 3.5 * mm
    line_pitch = 6.0 * mm
    # Text-like glyphs: a few horizontal, vertical and diagonal strokes per character cell.
    y = margin + 12 * mm
    while y + glyph < margin + paper_h - 10 * mm:
        x = margin + 10 * mm
        line_end = margin + paper_w - 10 * mm - rng.random() * paper_w * 0.3
        while x + glyph < line_end:
            if rng.random() < 0.12:
                x += glyph
                continue
            for _ in range(rng.randint(3, 6)):
                x0 = x + rng.random() * glyph
                y0 = y + rng.random() * glyph
                shape = rng.randrange(3)
                if shape == 0:
                    end = (x + rng.random() * glyph, y0)
                elif shape == 1:
                    end = (x0, y + rng.random() * glyph)
                else:
                    end = (x + rng.random() * glyph, y + rng.random() * glyph)
                draw.line(((x0, y0), end), fill=INK, width=stroke)
            x += glyph * 1.15
        y += line_pitch
    # A red seal ring near the lower right, as on a real licence.
    radius = min(paper_w, paper_h) * 0.12
    cx, cy = margin + paper_w * 0.78, margin + paper_h * 0.75
    draw.ellipse(
        (cx - radius, cy - radius, cx + radius, cy + radius), outline=SEAL, width=max(2, round(0.8 * mm))
    )
    return image


def encode(image: Image.Image, *, fmt: str = "JPEG", dpi: float | None = None) -> bytes:
    """Encode an image as a scanner would, with the given dpi metadata (none when dpi is None)."""
    buffer = io.BytesIO()
    options: dict = {"quality": 90} if fmt.upper() == "JPEG" else {"compress_level": 1}
    if dpi is not None:
        options["dpi"] = (dpi, dpi)
    image.save(buffer, fmt.upper(), **options)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    """Return a small valid one-page PDF."""
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), PAPER).save(buffer, "PDF", resolution=72)
    return buffer.getvalue()


def bomb_png(width: int = 20000, height: int = 20000, mode: str = "1") -> bytes:
    """Return a tiny PNG of the given mode whose header claims width x height pixels (its data is for 1 x 1)."""
    buffer = io.BytesIO()
    Image.new(mode, (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    # IHDR is the first chunk: 8-byte signature, length, b"IHDR", then width and height.
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)
