"""The resolution check: what the pixels measure against the document's paper size, and the file's own figure."""

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from filings.rules.scans.document import Document
from filings.rules.scans.materials import DPI_RULES, PHYSICAL_SIZE_MM, RECOMMENDED_DPI
from filings.rules.scans.results import FAIL, PASS, WARNING, ScanCheck, check

# How far the density written in the file may differ from what the pixels measure and still be
# taken as the scan's figure (scanners and the JFIF/pHYs unit conversions round: 299.7 is 300).
DPI_TOLERANCE = 0.02
# How far a measurement from pixels may fall from the resolution the scanner used.  The edges are
# found on a copy of about 1000 pixels, each pixel 3-4 of the scan's at A4 and 300 dpi, so each side
# may be out by a few scan pixels (about 0.5 % of the long side together); a licence's paper is cut to
# within about 2 mm of A4 (0.7 %); flatbed scanners' real sampling is within about 0.5 % of the
# figure they are set to.  A 300-dpi scan so measures anywhere from about 295 to 305 dpi.
MEASUREMENT_TOLERANCE = 0.02
# The resolutions scanners and scanning apps offer; a measurement within MEASUREMENT_TOLERANCE of one
# of them is taken to be it.
SCANNER_RESOLUTIONS = (75, 100, 150, 200, 240, 300, 400, 600, 1200)
# Metadata values below this are placeholders (0, 1), not resolutions.
MIN_METADATA_DPI = 10
SCREEN_DEFAULT_DPI = {72, 96}


@dataclass(frozen=True)
class Measurement:
    """The resolution the pixels show; a lower bound when the document runs off the frame."""

    dpi: float
    exact: bool


def measure(
    material_kind: str, document: Document, working_size: tuple[int, int], image_size: tuple[int, int]
) -> Measurement:
    """Return the resolution the document's pixel size shows against its physical size."""
    scale = image_size[0] / working_size[0]
    left, top, right, bottom = document.box
    width_px, height_px = (right - left) * scale, (bottom - top) * scale
    long_in, short_in = (side / 25.4 for side in sorted(PHYSICAL_SIZE_MM[material_kind], reverse=True))
    if document.whole:
        return Measurement(max(width_px, height_px) / long_in, exact=True)
    if document.touches_left_or_right != document.touches_top_or_bottom:
        complete, cut = (height_px, width_px) if document.touches_left_or_right else (width_px, height_px)
        if cut >= complete:
            # The cut side is at least as long as the whole one, so the whole one is the paper's short side.
            return Measurement(complete / short_in, exact=True)
    # Only part of the long side is in the frame: the paper is at least as large as what shows.
    return Measurement(max(width_px, height_px) / long_in, exact=False)


def usual_figure(measured: float) -> float:
    """Return the scanner resolution the measurement is within tolerance of (else the measurement)."""
    for resolution in SCANNER_RESOLUTIONS:
        if abs(measured - resolution) <= resolution * MEASUREMENT_TOLERANCE:
            return resolution
    return measured


def usable_claim(metadata_dpi: float | None) -> float | None:
    if metadata_dpi is None or metadata_dpi < MIN_METADATA_DPI or round(metadata_dpi) in SCREEN_DEFAULT_DPI:
        return None
    return metadata_dpi


def check_dpi(
    material_kind: str,
    metadata_dpi: float | None,
    document: Document | None,
    working_size: tuple[int, int],
    image_size: tuple[int, int],
) -> tuple[int, ScanCheck]:
    """Judge the resolution by what the pixels show: the document's pixel size against its physical
    size, a figure within the measurement tolerance of a scanner resolution taken as that one. The
    density written in the file is a hint only: used (as the more precise figure) when the pixels
    agree with it, named but ignored when they do not.  Where the document runs off the frame the
    pixels only bound the figure, and where its edges are not found they cannot judge it: the file's
    figure decides, or else a warning leaves it to the reviewer."""
    claimed = round(metadata_dpi) if metadata_dpi is not None else None
    params = {"required": DPI_RULES[material_kind].fail_below, "recommended": RECOMMENDED_DPI}
    if claimed is not None:
        params["claimed"] = claimed
    claim = usable_claim(metadata_dpi)
    if document is None:
        return _edges_not_found(material_kind, claim, image_size, params)
    found = measure(material_kind, document, working_size, image_size)
    params["measured"] = round(found.dpi)
    if found.exact:
        if metadata_dpi is not None and abs(found.dpi - metadata_dpi) <= metadata_dpi * DPI_TOLERANCE:
            return _judge(material_kind, metadata_dpi, gettext_noop("按像素尺寸测算,与文件标注一致"), params)
        figure = usual_figure(found.dpi)
        if claim is not None:
            source = gettext_noop("按像素尺寸测算;文件标注的 %(claimed)d dpi 与像素不符")
        elif round(figure) != round(found.dpi):
            source = gettext_noop("按像素尺寸测算为 %(measured)d dpi,在测量误差内")
        else:
            source = gettext_noop("按像素尺寸测算")
        return _judge(material_kind, figure, source, params)
    # The document runs off the frame: the pixels show only a lower bound, which the file's own
    # figure may meet; the missing corner is the corner check's to report.
    if claim is not None and found.dpi <= claim * (1 + DPI_TOLERANCE):
        source = gettext_noop("按文件标注;证件超出图片边界,像素只能确认不低于约 %(measured)d dpi")
        return _judge(material_kind, claim, source, params)
    figure = usual_figure(found.dpi)
    if round(figure) >= DPI_RULES[material_kind].warn_below:
        return _judge(material_kind, figure, gettext_noop("按证件在图片内的部分测算,不低于此值"), params)
    params["dpi"] = round(figure)
    return round(figure), check(
        "dpi",
        WARNING,
        gettext_noop("证件超出图片边界,无法从像素测定分辨率(可见部分约 %(measured)d dpi),需审核人员核对。"),
        gettext_noop("请将证件完整放在扫描区域内,以 %(recommended)d dpi 或更高分辨率重新扫描。"),
        **params,
    )


def _edges_not_found(material_kind: str, claim: float | None, image_size: tuple[int, int], params: dict):
    if claim is not None:
        return _judge(
            material_kind, claim, gettext_noop("按文件标注;未能识别证件边缘,无法用像素核对"), params
        )
    long_in = max(PHYSICAL_SIZE_MM[material_kind]) / 25.4
    figure = round(usual_figure(max(image_size) / long_in))
    params["dpi"] = figure
    return figure, check(
        "dpi",
        WARNING,
        gettext_noop("未能识别证件边缘,按整幅图像估算分辨率约 %(dpi)d dpi,需审核人员核对。"),
        gettext_noop("请把证件放在深色背景上,四角留出空白后重新扫描,以便自动核对分辨率。"),
        **params,
    )


def _judge(material_kind: str, effective: float, source: str, params: dict) -> tuple[int, ScanCheck]:
    dpi = round(effective)
    rule = DPI_RULES[material_kind]
    params = {**params, "dpi": dpi, "source": source}
    advice = gettext_noop("请以 %(recommended)d dpi 或更高分辨率重新扫描原件。")
    # The figure shown decides: a number under the rule never sits next to a pass.
    if dpi < rule.fail_below:
        message = gettext_noop("分辨率约 %(dpi)d dpi(%(source)s),低于要求的 %(required)d dpi。")
        return dpi, check("dpi", FAIL, message, advice, **params)
    if dpi < rule.warn_below:
        message = gettext_noop(
            "分辨率约 %(dpi)d dpi(%(source)s),低于建议的 %(recommended)d dpi,可能被管局退回。"
        )
        return dpi, check("dpi", WARNING, message, advice, **params)
    message = gettext_noop("分辨率约 %(dpi)d dpi(%(source)s),符合要求。")
    return dpi, check("dpi", PASS, message, **params)
