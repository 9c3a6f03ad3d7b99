"""Sniffing of uploaded materials and automatic scan-quality checks (resolution, sharpness, four corners)."""

import hashlib
import warnings
from dataclasses import asdict, dataclass, field
from typing import IO

from django.utils.translation import gettext, gettext_noop
from PIL import Image, ImageFilter, ImageStat

from filings import pdf_actions

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * MB
# Well above a 600 dpi A4 scan (about 35 megapixels), far below what would exhaust a worker's memory.
MAX_PIXELS = 50_000_000
CHUNK_SIZE = 64 * 1024
# The PDF specification lets readers look for %%EOF only in the last 1024 bytes.
PDF_EOF_WINDOW = 1024

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

# Physical (width, height) in millimetres of what each material shows; only the long side is used,
# so orientation does not matter.  The licence is its 副本, printed A4 landscape.
A4_MM = (210.0, 297.0)
ID_CARD_MM = (85.6, 54.0)
PHYSICAL_SIZE_MM: dict[str, tuple[float, float]] = {
    "business_licence": (297.0, 210.0),
    "id_front": ID_CARD_MM,
    "id_back": ID_CARD_MM,
    "construction_plan": A4_MM,
    "pledge": A4_MM,
    "prior_approval": A4_MM,
    "authorisation": A4_MM,
    "other": A4_MM,
}


@dataclass(frozen=True)
class DpiRule:
    """Below fail_below the check fails; below warn_below (but not fail_below) it warns."""

    fail_below: int
    warn_below: int


# The bureaus reject business licences scanned below 300 dpi.  Other materials are often phone photos
# (ID cards especially), so below 300 dpi only warns; below 150 dpi text is unreadable and it fails.
DPI_RULES: dict[str, DpiRule] = {
    "business_licence": DpiRule(fail_below=300, warn_below=300),
    "id_front": DpiRule(fail_below=150, warn_below=300),
    "id_back": DpiRule(fail_below=150, warn_below=300),
    "construction_plan": DpiRule(fail_below=150, warn_below=300),
    "pledge": DpiRule(fail_below=150, warn_below=300),
    "prior_approval": DpiRule(fail_below=150, warn_below=300),
    "authorisation": DpiRule(fail_below=150, warn_below=300),
    "other": DpiRule(fail_below=150, warn_below=300),
}
RECOMMENDED_DPI = 300
# How far the density written in the file may differ from what the pixels measure and still be
# taken as the scan's figure (scanners and the JFIF/pHYs unit conversions round: 299.7 is 300).
DPI_TOLERANCE = 0.02
# Metadata values below this are placeholders (0, 1), not resolutions.
MIN_METADATA_DPI = 10
SCREEN_DEFAULT_DPI = {72, 96}

# Corners are found on a grayscale copy with this long side, which keeps the checks fast.
WORKING_LONG_SIDE = 1000
# Sharpness is measured with the document resampled to this many pixels per inch of paper (never
# upsampled): the Laplacian variance grows with the density of edges per pixel, so a fixed pixel size
# would judge a small ID card by a different standard than an A4 page.  A licence filling a
# 1000-pixel copy is about 80 dpi, so it is measured almost as it is.
SHARPNESS_DPI = 75
# Variance of the Laplacian response inside the document at SHARPNESS_DPI.  Calibrated in
# tests/test_scans.py on synthetic scans with dense text: sharp ones score about 2000-2500 whatever
# their size and resolution, a Gaussian blur of 0.34 mm (radius 4 px at 300 dpi, 2 px at 150 dpi)
# about 100-200.  Real documents have sparser text and so lower scores; the threshold sits much
# nearer the blurred scores to keep sharp real scans from failing.
MIN_SHARPNESS = 400
# A document region whose gray levels vary less than this (standard deviation) shows nothing to judge:
# blank paper, an over-exposed photo, or blur so heavy that even the ink is gone.
BLANK_MAX_STDDEV = 4
# The document region is shrunk by this fraction on each side before measuring sharpness, so that the
# paper's own edge against the background does not count as detail.
SHARPNESS_INSET = 0.03
# A side of the document closer than this fraction of the image to the frame counts as touching it.
EDGE_MARGIN_RATIO = 0.01
# Paper and background must differ at least this much in mean gray level for edges to be found.
MIN_EDGE_CONTRAST = 48
# A "document" smaller than this fraction of the image is noise, not the document.
MIN_DOCUMENT_AREA = 0.02
# Light specks and thin lines narrower than this (working-copy pixels) are not the document.
SPECK_FILTER_SIZE = 5

LAPLACIAN = ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=1, offset=128)

PASS = "pass"
WARNING = "warning"
FAIL = "fail"

BBox = tuple[int, int, int, int]


class UploadRejected(Exception):
    """The file cannot be accepted at all (wrong type, too large, decompression bomb, unreadable)."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ScanCheck:
    """The outcome of one check, worded for the person who uploaded the file."""

    code: str
    status: str
    message: str
    advice: str
    # The untranslated texts and their parameters, stored with the result so that a page can say
    # them again in its own reader's language (say()).
    message_id: str = ""
    advice_id: str = ""
    params: dict = field(default_factory=dict)


def _words(msgid: str, params: dict) -> str:
    """Return msgid in the active language, filled with params (their texts translated too)."""
    # A text parameter is translated and may itself name other parameters ("%(claimed)d dpi").
    shown = {
        key: (gettext(value) % params if "%(" in value else gettext(value))
        if isinstance(value, str)
        else value
        for key, value in params.items()
    }
    return gettext(msgid) % shown if shown else gettext(msgid)


def _check(code: str, status: str, message_id: str, advice_id: str = "", **params) -> ScanCheck:
    return ScanCheck(
        code,
        status,
        _words(message_id, params),
        _words(advice_id, params) if advice_id else "",
        message_id,
        advice_id,
        params,
    )


def say(result: dict, key: str) -> str:
    """Return a stored check's "message" or "advice" in the active language (older rows as stored)."""
    msgid = result.get(f"{key}_id") if isinstance(result, dict) else None
    if not msgid:
        return result.get(key, "") if isinstance(result, dict) else ""
    return _words(msgid, result.get("params") or {})


@dataclass(frozen=True)
class ScanResult:
    """What an accepted upload is and how its checks came out."""

    content_type: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    dpi: int | None
    checks: list[ScanCheck]

    @property
    def status(self) -> str:
        statuses = {check.status for check in self.checks}
        if FAIL in statuses:
            return FAIL
        if WARNING in statuses:
            return WARNING
        return PASS

    def as_json(self) -> list[dict]:
        return [asdict(check) for check in self.checks]


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
        type_check = _check(
            "type", PASS, gettext_noop("文件类型为 %(label)s。"), label=TYPE_LABELS[content_type]
        )
        if content_type == PDF:
            pdf_check = _check_pdf(tail)
            _refuse_active_pdf(fileobj)
            return ScanResult(content_type, size, sha256, None, None, None, [type_check, pdf_check])
        width, height, metadata_dpi, gray = _open_image(fileobj, content_type)
        document = _find_document(gray)
        dpi, dpi_check = _check_dpi(material_kind, metadata_dpi, document, gray.size, (width, height))
        long_side_mm = max(PHYSICAL_SIZE_MM[material_kind])
        checks = [
            type_check,
            dpi_check,
            _check_sharpness(gray, document, long_side_mm),
            _check_corners(gray, document),
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
    return _check(
        "pdf",
        WARNING,
        gettext_noop("PDF 文件无法自动检查分辨率和四角,请确认扫描清晰完整。"),
        gettext_noop("请打开文件逐页核对:文字清晰可辨、四角完整、扫描分辨率不低于 300 dpi。"),
    )


def _guard_pixels(img: Image.Image) -> None:
    width, height = img.size
    if width * height > MAX_PIXELS:
        raise _bomb()


def _open_image(fileobj: IO[bytes], content_type: str) -> tuple[int, int, float | None, Image.Image]:
    """Verify the image and return its size, metadata dpi and a small grayscale working copy."""
    formats = [PILLOW_FORMATS[content_type]]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            fileobj.seek(0)
            with Image.open(fileobj, formats=formats) as img:
                _guard_pixels(img)
                img.verify()
            # verify() leaves the image unusable; pixels need a fresh open.
            fileobj.seek(0)
            with Image.open(fileobj, formats=formats) as img:
                _guard_pixels(img)
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
    width, height = img.size
    scale = min(1.0, WORKING_LONG_SIDE / max(width, height))
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    if img.format == "JPEG":
        # Lets libjpeg decode at 1/2, 1/4 or 1/8 scale straight to luminance: much less work.
        img.draft("L", target)
    if img.mode.startswith("I;16"):
        gray = img.point(lambda value: value / 256).convert("L")
    else:
        gray = img.convert("L")
    if gray.size != target:
        gray = gray.resize(target, Image.Resampling.BOX)
    return gray


def _otsu(histogram: list[int]) -> tuple[int, float, float] | None:
    """Return the Otsu threshold and the mean levels of the dark and light classes."""
    total = sum(histogram)
    level_sum = sum(level * count for level, count in enumerate(histogram))
    dark_count = 0
    dark_sum = 0
    best: tuple[float, int, float, float] | None = None
    for level, count in enumerate(histogram[:-1]):
        dark_count += count
        dark_sum += level * count
        light_count = total - dark_count
        if dark_count == 0 or light_count == 0:
            continue
        dark_mean = dark_sum / dark_count
        light_mean = (level_sum - dark_sum) / light_count
        spread = dark_count * light_count * (light_mean - dark_mean) ** 2
        if best is None or spread > best[0]:
            best = (spread, level, dark_mean, light_mean)
    if best is None:
        return None
    return best[1], best[2], best[3]


def _find_document(gray: Image.Image) -> BBox | None:
    """Return the bounding box of the light paper in the working copy, or None if it has no visible edges.

    The document is the lighter of the two gray-level classes, so white paper on a white scanner bed
    (or paper filling the whole frame) shows no edges and returns None.
    """
    split = _otsu(gray.histogram())
    if split is None:
        return None
    threshold, dark_mean, light_mean = split
    if light_mean - dark_mean < MIN_EDGE_CONTRAST:
        return None
    mask = gray.point(lambda value: 255 if value > threshold else 0)
    mask = mask.filter(ImageFilter.MinFilter(SPECK_FILTER_SIZE)).filter(
        ImageFilter.MaxFilter(SPECK_FILTER_SIZE)
    )
    bbox = mask.getbbox()
    if bbox is None:
        return None
    width, height = gray.size
    left, top, right, bottom = bbox
    if (right - left) * (bottom - top) < MIN_DOCUMENT_AREA * width * height:
        return None
    if left == 0 and top == 0 and right == width and bottom == height:
        return None
    return bbox


def _check_dpi(
    material_kind: str,
    metadata_dpi: float | None,
    document: BBox | None,
    working_size: tuple[int, int],
    image_size: tuple[int, int],
) -> tuple[int, ScanCheck]:
    """Judge the resolution by what the pixels show: the document's pixel size against its physical
    size. The density written in the file is a hint only: used (as the more precise figure) when
    the pixels agree with it, named but ignored when they do not."""
    # Assume the document fills its detected box (or, with no edges found, the whole image).
    scale = image_size[0] / working_size[0]
    if document is None:
        long_side_px = max(image_size)
    else:
        left, top, right, bottom = document
        long_side_px = max(right - left, bottom - top) * scale
    measured = long_side_px / (max(PHYSICAL_SIZE_MM[material_kind]) / 25.4)
    agrees = metadata_dpi is not None and abs(measured - metadata_dpi) <= metadata_dpi * DPI_TOLERANCE
    effective = metadata_dpi if agrees else measured
    claimed = round(metadata_dpi) if metadata_dpi is not None else None
    if agrees:
        source = gettext_noop("按像素尺寸测算,与文件标注一致")
    elif claimed is not None and claimed not in SCREEN_DEFAULT_DPI:
        source = gettext_noop("按像素尺寸测算;文件标注的 %(claimed)d dpi 与像素不符")
    else:
        source = gettext_noop("按像素尺寸测算")
    dpi = round(effective)
    rule = DPI_RULES[material_kind]
    params = {"dpi": dpi, "source": source, "required": rule.fail_below, "recommended": RECOMMENDED_DPI}
    if claimed is not None:
        params["claimed"] = claimed
    advice = gettext_noop("请以 %(recommended)d dpi 或更高分辨率重新扫描原件。")
    # The figure shown decides: a number under the rule never sits next to a pass.
    if dpi < rule.fail_below:
        message = gettext_noop("分辨率约 %(dpi)d dpi(%(source)s),低于要求的 %(required)d dpi。")
        return dpi, _check("dpi", FAIL, message, advice, **params)
    if dpi < rule.warn_below:
        message = gettext_noop(
            "分辨率约 %(dpi)d dpi(%(source)s),低于建议的 %(recommended)d dpi,可能被管局退回。"
        )
        return dpi, _check("dpi", WARNING, message, advice, **params)
    message = gettext_noop("分辨率约 %(dpi)d dpi(%(source)s),符合要求。")
    return dpi, _check("dpi", PASS, message, **params)


def _document_region(gray: Image.Image, document: BBox | None, long_side_mm: float) -> Image.Image:
    """Return the inside of the document at no more than SHARPNESS_DPI (the whole image if not found)."""
    left, top, right, bottom = document or (0, 0, gray.width, gray.height)
    inset_x = round((right - left) * SHARPNESS_INSET)
    inset_y = round((bottom - top) * SHARPNESS_INSET)
    region = gray.crop((left + inset_x, top + inset_y, right - inset_x, bottom - inset_y))
    scale = SHARPNESS_DPI * (long_side_mm / 25.4) / max(right - left, bottom - top)
    if scale < 1:
        size = (max(3, round(region.width * scale)), max(3, round(region.height * scale)))
        region = region.resize(size, Image.Resampling.BOX)
    return region


def _laplacian_variance(region: Image.Image) -> float:
    """Return the variance of the Laplacian response (higher is sharper)."""
    # Pillow leaves the outermost pixels unfiltered, so they are cut off.
    response = region.filter(LAPLACIAN).crop((1, 1, region.width - 1, region.height - 1))
    return ImageStat.Stat(response).var[0]


def _check_sharpness(gray: Image.Image, document: BBox | None, long_side_mm: float) -> ScanCheck:
    region = _document_region(gray, document, long_side_mm)
    if min(region.size) < 3 or ImageStat.Stat(region).stddev[0] < BLANK_MAX_STDDEV:
        return _check(
            "sharpness",
            FAIL,
            gettext_noop("图像中几乎没有内容,可能是空白页、曝光过度或严重模糊。"),
            gettext_noop("请确认扫描的是证件原件且文字清晰可见,然后重新扫描。"),
        )
    if _laplacian_variance(region) < MIN_SHARPNESS:
        return _check(
            "sharpness",
            FAIL,
            gettext_noop("图像模糊,文字可能无法辨认。"),
            gettext_noop("请重新扫描,确保对焦清晰,不要使用翻拍或复印件。"),
        )
    return _check("sharpness", PASS, gettext_noop("图像清晰。"))


def _check_corners(gray: Image.Image, document: BBox | None) -> ScanCheck:
    if document is None:
        return _check(
            "corners",
            FAIL,
            gettext_noop("未能识别证件边缘,无法确认四角完整(例如白色纸张放在白色扫描底板上)。"),
            gettext_noop("请把证件放在深色背景上(扫描时可在证件上覆盖一张深色纸),四角留出空白后重新扫描。"),
        )
    width, height = gray.size
    left, top, right, bottom = document
    margin_x = EDGE_MARGIN_RATIO * width
    margin_y = EDGE_MARGIN_RATIO * height
    if left < margin_x or top < margin_y or width - right < margin_x or height - bottom < margin_y:
        return _check(
            "corners",
            FAIL,
            gettext_noop("证件边缘超出或紧贴图片边界,四角不完整。"),
            gettext_noop("请将证件完整放在扫描区域内,四角留出空白后重新扫描。"),
        )
    return _check("corners", PASS, gettext_noop("证件四角完整。"))
