"""Where the document lies in a scan, and the checks read from it: four corners and sharpness."""

from dataclasses import dataclass

from django.utils.translation import gettext_noop
from PIL import Image, ImageFilter, ImageStat

from filings.rules.scans.results import FAIL, PASS, WARNING, ScanCheck, check

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

BBox = tuple[int, int, int, int]


@dataclass(frozen=True)
class Document:
    """The paper's bounding box in the working copy and the sides of the frame it runs into."""

    box: BBox
    touches_left_or_right: bool
    touches_top_or_bottom: bool

    @property
    def whole(self) -> bool:
        return not (self.touches_left_or_right or self.touches_top_or_bottom)


def otsu(histogram: list[int]) -> tuple[int, float, float] | None:
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


def find_document(gray: Image.Image) -> Document | None:
    """Return where the light paper lies in the working copy, or None if it has no visible edges.

    The document is the lighter of the two gray-level classes, so white paper on a white scanner bed
    (or paper filling the whole frame) shows no edges and returns None.
    """
    split = otsu(gray.histogram())
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
    margin_x = EDGE_MARGIN_RATIO * width
    margin_y = EDGE_MARGIN_RATIO * height
    return Document(
        bbox,
        touches_left_or_right=left < margin_x or width - right < margin_x,
        touches_top_or_bottom=top < margin_y or height - bottom < margin_y,
    )


def document_region(gray: Image.Image, document: Document | None, long_side_mm: float) -> Image.Image:
    """Return the inside of the document at no more than SHARPNESS_DPI (the whole image if not found)."""
    left, top, right, bottom = document.box if document else (0, 0, gray.width, gray.height)
    inset_x = round((right - left) * SHARPNESS_INSET)
    inset_y = round((bottom - top) * SHARPNESS_INSET)
    region = gray.crop((left + inset_x, top + inset_y, right - inset_x, bottom - inset_y))
    scale = SHARPNESS_DPI * (long_side_mm / 25.4) / max(right - left, bottom - top)
    if scale < 1:
        size = (max(3, round(region.width * scale)), max(3, round(region.height * scale)))
        region = region.resize(size, Image.Resampling.BOX)
    return region


def laplacian_variance(region: Image.Image) -> float:
    """Return the variance of the Laplacian response (higher is sharper)."""
    # Pillow leaves the outermost pixels unfiltered, so they are cut off.
    response = region.filter(LAPLACIAN).crop((1, 1, region.width - 1, region.height - 1))
    return ImageStat.Stat(response).var[0]


def check_sharpness(gray: Image.Image, document: Document | None, long_side_mm: float) -> ScanCheck:
    region = document_region(gray, document, long_side_mm)
    if min(region.size) < 3 or ImageStat.Stat(region).stddev[0] < BLANK_MAX_STDDEV:
        return check(
            "sharpness",
            FAIL,
            gettext_noop("图像中几乎没有内容,可能是空白页、曝光过度或严重模糊。"),
            gettext_noop("请确认扫描的是证件原件且文字清晰可见,然后重新扫描。"),
        )
    if laplacian_variance(region) < MIN_SHARPNESS:
        return check(
            "sharpness",
            FAIL,
            gettext_noop("图像模糊,文字可能无法辨认。"),
            gettext_noop("请重新扫描,确保对焦清晰,不要使用翻拍或复印件。"),
        )
    return check("sharpness", PASS, gettext_noop("图像清晰。"))


def check_corners(document: Document | None) -> ScanCheck:
    if document is None:
        # A page scanned edge to edge, or white paper on a white bed: nothing shows the corners are
        # missing either, so the reviewer looks rather than the upload being refused.
        return check(
            "corners",
            WARNING,
            gettext_noop("未能识别证件边缘,无法确认四角完整(例如白色纸张放在白色扫描底板上)。"),
            gettext_noop("请把证件放在深色背景上(扫描时可在证件上覆盖一张深色纸),四角留出空白后重新扫描。"),
        )
    if not document.whole:
        return check(
            "corners",
            FAIL,
            gettext_noop("证件边缘超出或紧贴图片边界,四角不完整。"),
            gettext_noop("请将证件完整放在扫描区域内,四角留出空白后重新扫描。"),
        )
    return check("corners", PASS, gettext_noop("证件四角完整。"))
