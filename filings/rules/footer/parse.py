"""Reading a home page: its bytes as text (as a browser would decode them), its visible text and
links, and where a filing number or a link to the MIIT's register appears in them."""

import codecs
import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

MIIT_HOST = "beian.miit.gov.cn"
MIIT_URL = "https://beian.miit.gov.cn/"

_SNIFF_BYTES = 2048
_META_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Browsers decode pages labelled gb2312/gbk with a GBK decoder; gb18030 is its superset, and
# latin-1/ascii labels really mean windows-1252 (WHATWG Encoding Standard).
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
}
# NFKC already folds &nbsp;, the ideographic space and full-width letters/digits/hyphen; these
# remaining dashes and invisible characters still turn up inside footer numbers.
_TEXT_FIXES = {
    **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-"),
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None),
}
_HIDDEN_TAGS = frozenset({"script", "style", "template", "title"})
# Text in separate blocks must not run together ("号-1" + "2024" would read as "号-12024"),
# while inline tags can split a single number ("<span>粤ICP备</span><span>2023…").
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ANY_ICP_RE = re.compile(r"[\u4e00-\u9fff]\s*ICP\s*备\s*\d{6,10}\s*号(?:\s*-\s*\d{1,3}(?!\d))?", re.IGNORECASE)
ANY_PSB_RE = re.compile(r"[\u4e00-\u9fff]\s*公网安备\s*\d{14}\s*号")


def decode_page(body: bytes, header_charset: str | None) -> str:
    """Return the page's text, decoded by its BOM, declared charset or meta tag, else UTF-8 or GB18030."""
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    charset = _known_charset(header_charset) or _known_charset(_sniff_meta_charset(body[:_SNIFF_BYTES]))
    if charset:
        return body.decode(charset, errors="replace")
    try:
        # final=False: a page cut at max_bytes may end inside a multi-byte character.
        return codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
    except UnicodeDecodeError:
        return body.decode("gb18030", errors="replace")


def _sniff_meta_charset(head: bytes) -> str | None:
    match = _META_CHARSET_RE.search(head)
    return match.group(1).decode("ascii") if match else None


def _known_charset(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


class _FooterParser(HTMLParser):
    """Collects visible text (normalised) and each link's href with the span of its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str | None, int, int]] = []
        self._length = 0
        self._hidden = 0
        self._open_link: tuple[str | None, int] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
            return
        if tag == "a":
            # <a> cannot nest; a new one implicitly closes the previous.
            self._close_link()
            self._open_link = (dict(attrs).get("href"), self._length)
        if tag in _BLOCK_TAGS:
            self._append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
            return
        if tag == "a":
            self._close_link()
        if tag in _BLOCK_TAGS:
            self._append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._append(_normalise(data))

    def close(self) -> None:
        super().close()
        self._close_link()

    def _append(self, text: str) -> None:
        self.parts.append(text)
        self._length += len(text)

    def _close_link(self) -> None:
        if self._open_link is not None:
            href, start = self._open_link
            self.links.append((href, start, self._length))
            self._open_link = None


def visible_text_and_links(html: str) -> tuple[str, list[tuple[str | None, int, int]]]:
    """Return the visible text (normalised) and each link's href with the span of its text in it."""
    parser = _FooterParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        # A parser hiccup on broken markup should still leave the text read so far to check.
        pass
    return "".join(parser.parts), parser.links


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_TEXT_FIXES)


def number_pattern(number: str) -> re.Pattern[str]:
    """Return a pattern finding ``number`` in visible text, spaced or written in full-width as pages do."""
    # Whitespace may appear between the parts of a number but not inside a run of digits, and the
    # number must not continue with another digit (…号-1 must not match …号-12).
    chunks = re.findall(r"\d+|\S", _normalise(number))
    return re.compile(r"\s*".join(map(re.escape, chunks)) + r"(?!\d)", re.IGNORECASE)


def points_at_miit(href: str | None, base_url: str) -> bool:
    """Return whether a link (relative to ``base_url``) leads to the MIIT's filing register."""
    if not href:
        return False
    try:
        parts = urlsplit(urljoin(base_url, href.strip()))
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and (host or "").rstrip(".") == MIIT_HOST
