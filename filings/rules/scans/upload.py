"""Sniffing, sizing and opening of uploaded materials, each image checked on a reduced copy."""

import hashlib
import warnings
from typing import IO

from django.utils.translation import gettext, gettext_noop
from PIL import Image

from filings.rules import pdf_actions
from filings.rules.scans.document import check_corners, check_sharpness, find_document
from filings.rules.scans.materials import PHYSICAL_SIZE_MM
from filings.rules.scans.resolution import MIN_METADATA_DPI, check_dpi
from filings.rules.scans.results import PASS, WARNING, ScanCheck, ScanResult, UploadRejected, check

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * MB
# The largest honest scan of any material: the biggest paper (the A4 licence 副本), even on an A3
# scanner bed, at 600 dpi (twice what is required) is 9921 x 7016 pixels, about 70 megapixels.
MAX_PIXELS = 70_000_000
# Images that Pillow cannot shrink while decoding (PNG) are held whole in memory, so what that
# costs is bounded too, by the largest scan a material needs: an A4 licence in colour at 400 dpi with
# the bed's margin (about 20 megapixels, 4 bytes each as Pillow holds RGB), or an A4 page in 16-bit
# grey at 600 dpi (35 megapixels, 2 bytes each).  The working copy is made from the decoded image
# without a second full-size copy, so one check stays under 150 MB (bench/scans.py measures it).
MAX_DECODED_BYTES = 100 * MB
# Bytes per pixel of each mode as Pillow holds it (4 unless named), plus the full-size grey copy
# (1) that bits, palette indices and transparency need before they can be averaged.
DECODING_BYTES_PER_PIXEL = {
    "1": 2,
    "L": 1,
    "P": 2,
    "I;16": 2,
    "I;16B": 2,
    "I;16L": 2,
    "I;16N": 2,
    "LA": 5,
    "PA": 5,
    "RGBA": 5,
}
# Modes made grey at full size: Pillow averages neither bits nor palette indices, and averages
# transparent pixels only through a premultiplied copy as large as the image.
GREY_FIRST_MODES = ("1", "P", "LA", "PA", "RGBA")
CHUNK_SIZE = 64 * 1024
# The PDF specification lets readers look for %%EOF only in the last 1024 bytes.
PDF_EOF_WINDOW = 1024
# Corners, edges and sharpness are found on a grayscale copy with this long side.
WORKING_LONG_SIDE = 1000

JPEG = "image/jpeg"
PNG = "image/png"
PDF = "application/pdf"
MAGIC_BYTES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"%PDF-", PDF),
)
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG"}
TYPE_LABELS = {JPEG: gettext_noop("JPG 图片"), PNG: gettext_noop("PNG 图片"), PDF: gettext_noop("PDF 文件")}


def inspect_upload(
    fileobj: IO[bytes], *, material_kind: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> ScanResult:
    """Sniff, size, hash and quality-check an uploaded material; raise UploadRejected if unacceptable.

    The type comes from the content alone, never from the client's filename or content type.  The
    file is left positioned at 0.
    """
    if material_kind not in PHYSICAL_SIZE_MM:
        raise ValueError(f"Unknown material kind {material_kind!r}")
    try:
        size, sha256, head, tail = _read(fileobj, max_bytes)
        if size == 0:
            raise UploadRejected(gettext("文件是空的,请重新选择。"), code="empty")
        content_type = _sniff(head)
        if size > max_bytes:
            raise UploadRejected(
                gettext("文件超过 %(limit)s MB 的大小上限,请压缩后重新上传。")
                % {"limit": _format_mb(max_bytes)},
                code="size",
            )
        type_check = check(
            "type", PASS, gettext_noop("文件类型为 %(label)s。"), label=TYPE_LABELS[content_type]
        )
        if content_type == PDF:
            pdf_check = _check_pdf(tail)
            _refuse_active_pdf(fileobj)
            return ScanResult(content_type, size, sha256, None, None, None, [type_check, pdf_check])
        width, height, metadata_dpi, gray = _open_image(fileobj, content_type)
        document = find_document(gray)
        dpi, dpi_check = check_dpi(material_kind, metadata_dpi, document, gray.size, (width, height))
        long_side_mm = max(PHYSICAL_SIZE_MM[material_kind])
        checks = [
            type_check,
            dpi_check,
            check_sharpness(gray, document, long_side_mm),
            check_corners(document),
        ]
        return ScanResult(content_type, size, sha256, width, height, dpi, checks)
    finally:
        fileobj.seek(0)


def _read(fileobj: IO[bytes], max_bytes: int) -> tuple[int, str, bytes, bytes]:
    """Return size, SHA-256, the first bytes and the last PDF_EOF_WINDOW bytes, reading in chunks.

    Stops reading once past max_bytes, so the size is then only known to be too large.
    """
    fileobj.seek(0)
    digest = hashlib.sha256()
    size = 0
    head = b""
    tail = b""
    while chunk := fileobj.read(CHUNK_SIZE):
        digest.update(chunk)
        size += len(chunk)
        if len(head) < 16:
            head = (head + chunk)[:16]
        tail = (tail + chunk)[-PDF_EOF_WINDOW:]
        if size > max_bytes:
            break
    return size, digest.hexdigest(), head, tail


def _sniff(head: bytes) -> str:
    for magic, content_type in MAGIC_BYTES:
        if head.startswith(magic):
            return content_type
    raise UploadRejected(gettext("只接受 JPG、PNG 或 PDF 文件,请重新选择。"), code="type")


def _format_mb(max_bytes: int) -> str:
    return f"{round(max_bytes / MB, 1):g}"


def _corrupt() -> UploadRejected:
    return UploadRejected(gettext("文件已损坏或不完整,无法打开,请重新保存后上传。"), code="corrupt")


def _bomb() -> UploadRejected:
    return UploadRejected(
        gettext("图片像素尺寸过大(超过 %(limit)d 万像素),无法处理,请以 300 dpi 重新扫描后上传。")
        % {"limit": MAX_PIXELS // 10_000},
        code="bomb",
    )


def _refuse_active_pdf(fileobj: IO[bytes]) -> None:
    fileobj.seek(0)
    try:
        found = pdf_actions.active_content(fileobj)
    except pdf_actions.UninspectablePdf as error:
        raise UploadRejected(
            gettext(
                "PDF 文件无法完整解析,不能确认其中没有脚本或其他动作。请用扫描仪或“打印为 PDF”重新生成后上传。"
            ),
            code="pdf_unreadable",
        ) from error
    if found:
        raise UploadRejected(
            gettext(
                "PDF 文件含有脚本、动作、表单或嵌入文件,不能上传。请用扫描仪或“打印为 PDF”重新生成后上传。"
            ),
            code="pdf_active",
        )


def _check_pdf(tail: bytes) -> ScanCheck:
    # PDFs are not rendered (no renderer is a dependency), so only their framing is checked.
    if b"%%EOF" not in tail:
        raise _corrupt()
    return check(
        "pdf",
        WARNING,
        gettext_noop("PDF 文件无法自动检查分辨率和四角,请确认扫描清晰完整。"),
        gettext_noop("请打开文件逐页核对:文字清晰可辨、四角完整、扫描分辨率不低于 300 dpi。"),
    )


def _guard_size(img: Image.Image) -> None:
    """Refuse, from the header alone, an image too large to be a scan or to decode within memory."""
    width, height = img.size
    if width * height > MAX_PIXELS:
        raise _bomb()
    if img.format == "JPEG":
        decoded = width * height * _jpeg_bytes_per_pixel(img)
    else:
        decoded = width * height * DECODING_BYTES_PER_PIXEL.get(img.mode, 4)
    if decoded > MAX_DECODED_BYTES:
        raise UploadRejected(
            gettext(
                "图片解码后约 %(size)d MB,超过 %(limit)d MB 的处理上限(像素过多,或为 16 位、带透明通道的图片)。"
                "请以 300 dpi 重新扫描,或另存为 JPG 后上传。"
            )
            % {"size": round(decoded / MB), "limit": MAX_DECODED_BYTES // MB},
            code="bomb",
        )


def _jpeg_bytes_per_pixel(img: Image.Image) -> float:
    """Return what decoding the JPEG holds per pixel of the image."""
    if not img.info.get("progressive"):
        # A baseline JPEG is decoded a few rows at a time, at a fraction of its size (see _working_copy).
        return 0
    # A progressive one keeps every DCT coefficient (2 bytes) of each component until its last scan,
    # whatever the output scale: 3 bytes a pixel for colour subsampled 4:2:0.
    sampling = [h * v for _component, h, v, _table in getattr(img, "layer", [])] or [1]
    return 2 * sum(sampling) / max(sampling)


def _open_image(fileobj: IO[bytes], content_type: str) -> tuple[int, int, float | None, Image.Image]:
    """Verify the image and return its size, metadata dpi and a small grayscale working copy."""
    formats = [PILLOW_FORMATS[content_type]]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            fileobj.seek(0)
            with Image.open(fileobj, formats=formats) as img:
                _guard_size(img)
                img.verify()
            # verify() leaves the image unusable; pixels need a fresh open.
            fileobj.seek(0)
            with Image.open(fileobj, formats=formats) as img:
                _guard_size(img)
                width, height = img.size
                metadata_dpi = _metadata_dpi(img)
                gray = _working_copy(img)
        except UploadRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _bomb() from error
        # Pillow's decoders raise many unrelated exception types on hostile or damaged input.
        except Exception as error:
            raise _corrupt() from error
    return width, height, metadata_dpi, gray


def _metadata_dpi(img: Image.Image) -> float | None:
    dpi = img.info.get("dpi")
    try:
        value = float(min(dpi[0], dpi[1]))
    except (TypeError, ValueError, IndexError):
        return None
    return value if value >= MIN_METADATA_DPI else None


def _working_copy(img: Image.Image) -> Image.Image:
    """Return a grayscale copy with a long side of WORKING_LONG_SIDE, never holding a second full-size copy."""
    width, height = img.size
    scale = min(1.0, WORKING_LONG_SIDE / max(width, height))
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    if img.format == "JPEG":
        # Lets libjpeg decode at 1/2, 1/4 or 1/8 scale straight to luminance: much less work.
        img.draft("L", target)
    if img.mode in GREY_FIRST_MODES:
        img = img.convert("L")
    if img.size != target:
        img = img.resize(target, Image.Resampling.BOX)
    if img.mode.startswith("I;16"):
        return img.point(lambda value: value / 256).convert("L")
    return img.convert("L")
