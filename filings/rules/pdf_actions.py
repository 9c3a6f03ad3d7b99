"""Find active content in an uploaded PDF (actions, JavaScript, XFA forms, embedded files), so it can be refused.

The file is parsed with pypdf, which reads cross-reference tables and streams, object streams and
every standard filter chain as a viewer does, so what is inspected is each object a viewer would
load rather than the bytes of the file.  Every object the cross-reference lists is looked at, as
well as everything reachable from the trailer, so an action hides neither in an unreferenced object
(some viewers rebuild a damaged cross-reference and find those) nor behind a reference.
"""

from collections.abc import Iterator
from typing import IO

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

# Keys whose presence alone makes a dictionary active: scripts (the names tree's /JavaScript too),
# trigger events, XFA forms (which carry their own scripts) and embedded files.
ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/XFA", "/EmbeddedFiles", "/EF", "/RichMediaContent"})
# Every action type of ISO 32000-2 (12.6.4) but /GoTo, which only moves within the document.  /S
# also names border styles, page-label styles, structure types and soft masks; none of those
# values is one of these.
ACTIVE_ACTIONS = frozenset(
    {
        "/GoToR",
        "/GoToE",
        "/GoToDp",
        "/Launch",
        "/Thread",
        "/URI",
        "/Sound",
        "/Movie",
        "/Hide",
        "/Named",
        "/SubmitForm",
        "/ResetForm",
        "/ImportData",
        "/SetOCGState",
        "/Rendition",
        "/Trans",
        "/GoTo3DView",
        "/JavaScript",
        "/RichMediaExecute",
    }
)
ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/RichMedia"})
# A scanned page has a few dozen objects; a walk longer than this is refused, not finished.
MAX_OBJECTS = 200_000


class UninspectablePdf(Exception):
    """The PDF cannot be parsed (or is too large to walk), so what it holds cannot be vouched for."""


def active_content(fileobj: IO[bytes]) -> list[str]:
    """Return what makes the PDF active ("/S /Launch", "/JS", "/XFA", …), empty when it holds nothing.

    Raises UninspectablePdf when the file cannot be parsed or walked.
    """
    found: set[str] = set()
    try:
        reader = PdfReader(fileobj, strict=False)
        if reader.is_encrypted:
            # A viewer opens a PDF with an empty user password without asking; its objects are then
            # readable and must be looked at like any other's.
            reader.decrypt("")
        for value in _objects(reader):
            if isinstance(value, DictionaryObject):
                found |= _active_keys(value)
    except UninspectablePdf:
        raise
    # pypdf raises its own errors and, on hostile input, plain Python ones from deep in its parser.
    except Exception as error:
        raise UninspectablePdf from error
    return sorted(found)


def _active_keys(dictionary: DictionaryObject) -> set[str]:
    found = {key for key in dictionary if key in ACTIVE_KEYS}
    action = dictionary.get("/S")
    if action in ACTIVE_ACTIONS:
        found.add(f"/S {action}")
    if dictionary.get("/Type") in ACTIVE_TYPES:
        found.add(f"/Type {dictionary['/Type']}")
    return found


def _objects(reader: PdfReader) -> Iterator[PdfObject]:
    """Yield every object of the file once: the trailer's graph and whatever the cross-reference lists."""
    seen: set[tuple[int, int]] = set()
    pending: list[PdfObject] = [reader.trailer]
    pending += [
        IndirectObject(number, generation, reader)
        for generation, numbers in reader.xref.items()
        for number in numbers
    ]
    pending += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    walked = 0
    while pending:
        value = pending.pop()
        if isinstance(value, IndirectObject):
            key = (value.idnum, value.generation)
            if key in seen:
                continue
            seen.add(key)
            value = value.get_object()
        walked += 1
        if walked > MAX_OBJECTS:
            raise UninspectablePdf
        yield value
        if isinstance(value, DictionaryObject):
            pending.extend(value.values())
        elif isinstance(value, ArrayObject):
            pending.extend(value)
