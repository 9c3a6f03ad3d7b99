"""Fitting one material into a bureau's limits: format, pixel size and file size, at 300 dpi or more.

An image is only ever resized as a whole (never cropped, so all four corners stay) and its density
is rewritten to what the pixels now measure; a JPEG's quality is lowered step by step before its
pixels are.  A PDF goes in unchanged where the bureau takes PDFs.  Where it takes only images, a
scanned PDF (one image per page, as scanners write them) gives each page's scan at the resolution it
was scanned at; a PDF of text or drawings is not rendered but named, asking for a scan.
"""

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader

from filings.rules.packaging.bureaus import JPG, PDF, PNG, ItemRule
from filings.rules.scans import MAX_PIXELS

JPEG_QUALITIES = (92, 85, 78, 70, 62, 55, 48, 40)
# Each further step shrinks the long side by this factor, while the density stays at the minimum.
SHRINK_STEP = 0.9
# Pages of a scanned PDF turned into images; a longer document is not a filing's material.
MAX_PDF_PAGES = 20
CONTENT_TYPES = {JPG: "image/jpeg", PNG: "image/png", PDF: "application/pdf"}
FORMAT_OF = {"image/jpeg": JPG, "image/png": PNG, "application/pdf": PDF}


class DoesNotFit(Exception):
    """The material cannot meet the bureau's rule; the message says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Fitted:
    data: bytes
    ext: str
    width: int | None
    height: int | None
    dpi: int | None


def fit(data: bytes, *, content_type: str, dpi: float | None, rule: ItemRule, label: str) -> list[Fitted]:
    """Return the material converted and sized within the rule (one file per page of a scanned PDF
    the bureau wants as images), or raise DoesNotFit.

    `dpi` is the resolution the upload check measured (None: the file's own figure is used)."""
    source = FORMAT_OF.get(content_type)
    if source is None:
        raise DoesNotFit(_("%(label)s的文件类型无法打包。") % {"label": label})
    if source == PDF:
        if PDF in rule.formats:
            return [_keep_pdf(data, rule=rule, label=label)]
        return [
            fit_image(image, dpi=page_dpi, source=JPG, rule=rule, label=label)
            for image, page_dpi in scanned_pages(data, rule=rule, label=label)
        ]
    image = Image.open(io.BytesIO(data))
    image.load()
    return [fit_image(image, dpi=dpi or _file_dpi(image), source=source, rule=rule, label=label)]


def scanned_pages(data: bytes, *, rule: ItemRule, label: str) -> list[tuple[Image.Image, float]]:
    """Return each page's scanned image of a PDF with the resolution it shows on its page."""
    pages = PdfReader(io.BytesIO(data)).pages
    if len(pages) > MAX_PDF_PAGES:
        raise DoesNotFit(
            _("%(label)s的 PDF 有 %(n)s 页,转为图片最多 %(max)s 页,请只上传所需页面。")
            % {"label": label, "n": len(pages), "max": MAX_PDF_PAGES}
        )
    scans = []
    for number, page in enumerate(pages, start=1):
        images = list(page.images)
        if len(images) != 1:
            raise DoesNotFit(
                _("管局要求%(label)s为图片(%(formats)s),而该 PDF 第 %(page)s 页不是扫描图片,请上传扫描图片。")
                % {"label": label, "formats": "/".join(f.upper() for f in rule.formats), "page": number}
            )
        width, height = _xobject_size(page)
        if width * height > MAX_PIXELS:
            raise DoesNotFit(
                _("%(label)s的 PDF 第 %(page)s 页图片过大,请以不超过 600 dpi 重新扫描。")
                % {"label": label, "page": number}
            )
        image = images[0].image
        long_inches = max(float(page.mediabox.width), float(page.mediabox.height)) / 72
        scans.append((image, max(image.size) / long_inches))
    return scans


def _xobject_size(page) -> tuple[int, int]:
    # Read from the image's dictionary, before decoding it: the upload check did not decode PDFs.
    for xobject in page["/Resources"]["/XObject"].values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Image":
            return int(xobject["/Width"]), int(xobject["/Height"])
    return 0, 0


def fit_image(image: Image.Image, *, dpi: float | None, source: str, rule: ItemRule, label: str) -> Fitted:
    """Return the image in the bureau's format, within its pixel and byte limits, at its minimum dpi or more."""
    if not dpi:
        raise DoesNotFit(_("%(label)s的分辨率未知,请重新扫描(300 dpi)后上传。") % {"label": label})
    if dpi < rule.min_dpi * 0.98:
        raise DoesNotFit(
            _("%(label)s的分辨率只有 %(dpi)s dpi,管局要求不低于 %(min)s dpi,请重新扫描后上传。")
            % {"label": label, "dpi": round(dpi), "min": rule.min_dpi}
        )
    formats = [f for f in (source, JPG) if f in rule.formats and f in (JPG, PNG)]
    if not formats:
        raise DoesNotFit(_("%(label)s须为 PDF 文件,请上传 PDF。") % {"label": label})
    long_side = max(image.size)
    scale = min(1.0, rule.max_long_side / long_side)
    # The smallest scale that keeps the minimum density; a document too large for both cannot fit.
    floor = rule.min_dpi / dpi
    if scale < floor * 0.999:
        raise DoesNotFit(
            _("%(label)s按 %(min)s dpi 需要 %(need)s 像素,超过管局上限 %(max)s 像素,请确认扫描的是单页原件。")
            % {
                "label": label,
                "min": rule.min_dpi,
                "need": round(long_side * floor),
                "max": rule.max_long_side,
            }
        )
    while True:
        sized = _resize(image, scale)
        out_dpi = round(dpi * sized.size[0] / image.size[0])
        # The uploaded format where the bureau takes it, else (or when it is too large) JPEG.
        for ext in dict.fromkeys(formats):
            encoded = _encode(sized, ext, out_dpi, rule.max_bytes)
            if encoded is not None:
                return Fitted(encoded, ext, sized.size[0], sized.size[1], out_dpi)
        if scale * SHRINK_STEP < floor:
            break
        scale *= SHRINK_STEP
    raise DoesNotFit(
        _("%(label)s在保持 %(min)s dpi 时无法压缩到管局上限 %(size)s 以内,请以黑白或灰度重新扫描。")
        % {"label": label, "min": rule.min_dpi, "size": size_label(rule.max_bytes)}
    )


def size_label(n: int) -> str:
    """Return a byte count as people say it (500 KB, 2 MB)."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.3g} MB"
    return f"{n / 1024:.3g} KB"


def _keep_pdf(data: bytes, *, rule: ItemRule, label: str) -> Fitted:
    if len(data) > rule.max_bytes:
        raise DoesNotFit(
            _("%(label)s的 PDF 超过管局上限 %(size)s,请减少页数或降低扫描颜色后重新上传。")
            % {"label": label, "size": size_label(rule.max_bytes)}
        )
    return Fitted(data, PDF, None, None, None)


def _file_dpi(image: Image.Image) -> float | None:
    figure = image.info.get("dpi")
    if not figure:
        return None
    value = float(figure[0])
    return value if value >= 10 else None


def _resize(image: Image.Image, scale: float) -> Image.Image:
    if scale >= 1.0:
        return image
    size = (max(1, round(image.size[0] * scale)), max(1, round(image.size[1] * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _encode(image: Image.Image, ext: str, dpi: int, max_bytes: int) -> bytes | None:
    if ext == PNG:
        buffer = io.BytesIO()
        image.save(buffer, "PNG", dpi=(dpi, dpi), optimize=True)
        return buffer.getvalue() if buffer.tell() <= max_bytes else None
    rgb = image if image.mode in ("RGB", "L") else image.convert("RGB")
    for quality in JPEG_QUALITIES:
        buffer = io.BytesIO()
        rgb.save(buffer, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=True)
        if buffer.tell() <= max_bytes:
            return buffer.getvalue()
    return None
