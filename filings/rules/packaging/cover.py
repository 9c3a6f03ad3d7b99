"""The package's cover sheet: a PDF listing the filing's data and each item with its SHA-256.

The Chinese font is embedded (as a subset of the glyphs used) from a copy kept in the repository:
WenQuanYi Micro Hei (Apache-2.0, fonts/LICENSE-Apache-2.0.txt) cut down to the ASCII and GBK
characters (21,886 hanzi), so the sheet comes out alike on every machine, fonts installed or not.
A character outside GBK is written as its code point (U+XXXXX), never dropped.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

FONT_PATH = Path(__file__).parent / "fonts" / "wqy-microhei-gbk.ttf"
FONT = "WenQuanYiMicroHei"


@dataclass(frozen=True)
class CoverItem:
    position: int
    filename: str
    label: str
    detail: str
    sha256: str


@cache
def _covered() -> frozenset[int]:
    font = TTFont(FONT_PATH, lazy=True)
    return frozenset(font.getBestCmap())


def printable(text: str) -> str:
    """Return the text with every character the font lacks written as its code point."""
    covered = _covered()
    return "".join(ch if ord(ch) in covered or ch in "\n" else f"U+{ord(ch):04X}" for ch in str(text))


def cover_sheet(*, title: str, facts: list[tuple[str, str]], items: list[CoverItem], footer: str) -> bytes:
    """Return the cover sheet PDF: a title, the filing's facts as label/value lines, then the items."""
    pdf = FPDF(format="A4")
    pdf.set_title(printable(title))
    pdf.set_creator("Beian")
    pdf.add_font(FONT, fname=str(FONT_PATH))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(FONT, size=16)
    pdf.multi_cell(0, 9, printable(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, size=10)
    for label, value in facts:
        pdf.set_x(pdf.l_margin)
        pdf.cell(42, 6, printable(label), new_x="RIGHT", new_y="TOP")
        pdf.multi_cell(0, 6, printable(value or "—"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for item in items:
        pdf.set_font(FONT, size=10)
        pdf.multi_cell(0, 6, printable(item.filename), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=8)
        pdf.multi_cell(0, 4.5, printable(f"{item.label} · {item.detail}"), new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 4.5, f"SHA-256 {item.sha256}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(2)
    pdf.set_font(FONT, size=8)
    pdf.multi_cell(0, 4.5, printable(footer), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
