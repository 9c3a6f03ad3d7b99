"""Find active content (JavaScript, launch actions) in an uploaded PDF, so it can be refused.

A PDF runs script or starts programs only through dictionary keys and action types (/JS,
/JavaScript, /Launch). Dictionaries are either in the file's body or packed into compressed object
streams, so both are searched, with names' #xx escapes decoded (/J#61vaScript is /JavaScript).
"""

import re
import zlib

ACTIVE_NAMES = frozenset({b"JS", b"JavaScript", b"Launch"})
# Decompressed bytes looked at in one file; a scan's object streams are a few kilobytes.
MAX_INFLATED = 64 * 1024 * 1024

_NAME = re.compile(rb"/((?:[^\x00-\x20/%()<>\[\]{}#]|#[0-9A-Fa-f]{2})+)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb">>\s*stream\r?\n")
_END = re.compile(rb"\r?\n?endstream")


class UninspectablePdf(Exception):
    """An object stream this module cannot decode; its dictionaries could hide an action."""


def _names(data: bytes) -> set[bytes]:
    return {_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), m[1]) for m in _NAME.finditer(data)}


def _streams(data: bytes):
    """Yield (dictionary text before it, raw bytes) for each stream of the file."""
    for start in _STREAM.finditer(data):
        head = data[max(0, start.start() - 2048) : start.start() + 2]
        head = head[head.rfind(b"obj") + 3 :] if b"obj" in head else head
        end = _END.search(data, start.end())
        yield head, data[start.end() : end.start() if end else len(data)]


def active_content(data: bytes) -> list[str]:
    """Return the active names found in the PDF (empty when it has none).

    Raises UninspectablePdf for an object stream that is not Flate-compressed or does not inflate."""
    found = ACTIVE_NAMES & _names(data)
    budget = MAX_INFLATED
    for head, raw in _streams(data):
        names = _names(head)
        is_object_stream = b"ObjStm" in names
        if not names & {b"FlateDecode", b"Fl"}:
            if is_object_stream and names & {b"Filter"}:
                raise UninspectablePdf
            if is_object_stream:
                found |= ACTIVE_NAMES & _names(raw)
            continue
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(raw, budget)
        except zlib.error as error:
            if is_object_stream:
                raise UninspectablePdf from error
            continue
        budget -= len(inflated)
        if budget <= 0:
            raise UninspectablePdf
        found |= ACTIVE_NAMES & _names(inflated)
    return sorted(name.decode() for name in found)
