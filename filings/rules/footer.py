"""Check that a published website shows its ICP (and public-security) number in its home page footer."""

import codecs
import dataclasses
import http.client
import ipaddress
import re
import socket
import ssl
import time
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import SplitResult, quote, urljoin, urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop, pgettext

from filings.models.wording import Said, said

USER_AGENT = (
    "BeianFooterCheck/1.0 (ICP filing compliance check by the access provider; +https://beian.miit.gov.cn/)"
)
MIIT_HOST = "beian.miit.gov.cn"
MIIT_URL = "https://beian.miit.gov.cn/"

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHUNK_SIZE = 64 * 1024
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
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

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
_ANY_ICP_RE = re.compile(
    r"[\u4e00-\u9fff]\s*ICP\s*备\s*\d{6,10}\s*号(?:\s*-\s*\d{1,3}(?!\d))?", re.IGNORECASE
)
_ANY_PSB_RE = re.compile(r"[\u4e00-\u9fff]\s*公网安备\s*\d{14}\s*号")


@dataclass(frozen=True)
class FooterResult:
    url: str
    final_url: str | None
    checked_at: datetime
    status: str
    http_status: int | None
    icp_found: bool
    icp_linked: bool
    psb_found: bool | None
    problems: list[str]
    # Each problem as its untranslated source (filings.models.wording), for pages to say again.
    problem_sources: list[dict] = dataclasses.field(default_factory=list)

    def as_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["checked_at"] = self.checked_at.isoformat()
        return data


def _problems(problems: list[Said]) -> dict:
    return {"problems": [str(p) for p in problems], "problem_sources": [p.source for p in problems]}


class _Unreachable(Exception):
    def __init__(self, reason: Said, *, final_url: str | None = None, http_status: int | None = None):
        super().__init__(str(reason))
        self.reason = reason
        self.final_url = final_url
        self.http_status = http_status


class _UnsupportedEncoding(ValueError):
    def __init__(self, reason: Said):
        super().__init__(str(reason))
        self.reason = reason


@dataclass
class _Page:
    final_url: str
    http_status: int
    content_type: str | None
    is_html: bool
    body: bytes = b""
    charset: str | None = None
    truncated: bool = False


def check_footer(
    url: str,
    *,
    expected_icp: str,
    expected_psb: str | None = None,
    allow_private_hosts: bool | None = None,
    timeout: float = 10.0,
    max_bytes: int = 2_000_000,
    max_redirects: int = 5,
) -> FooterResult:
    """Fetch ``url`` and check its footer; network trouble becomes status "unreachable", never an exception.

    ``timeout`` bounds each connect and read, and also the time spent downloading the page body.
    """
    expected_icp = expected_icp.strip()
    if not expected_icp:
        raise ValueError("expected_icp must not be empty")
    expected_psb = (expected_psb or "").strip() or None
    if allow_private_hosts is None:
        allow_private_hosts = settings.BEIAN_FOOTER_ALLOW_PRIVATE_HOSTS

    try:
        page = _fetch(
            url,
            allow_private_hosts=allow_private_hosts,
            timeout=timeout,
            max_bytes=max_bytes,
            max_redirects=max_redirects,
        )
    except _Unreachable as error:
        return _unread_footer(
            url,
            status="unreachable",
            final_url=error.final_url,
            http_status=error.http_status,
            expected_psb=expected_psb,
            problem=said(gettext_noop("无法访问网站:%(reason)s。"), reason=error.reason),
        )

    if not page.is_html:
        return _unread_footer(
            url,
            status="fail",
            final_url=page.final_url,
            http_status=page.http_status,
            expected_psb=expected_psb,
            problem=said(
                gettext_noop("首页不是 HTML 页面(Content-Type: %(type)s)。"), type=page.content_type
            ),
        )

    text, links = _extract(_decode(page.body, page.charset))
    problems = []

    icp_spans = [match.span() for match in _number_pattern(expected_icp).finditer(text)]
    icp_found = bool(icp_spans)
    miit_spans = [
        (start, end) for href, start, end in links if start < end and _points_at_miit(href, page.final_url)
    ]
    icp_linked = any(
        start < link_end and link_start < end
        for start, end in icp_spans
        for link_start, link_end in miit_spans
    )
    if not icp_found:
        problems.append(_missing_problem("icp", expected_icp, _ANY_ICP_RE, text))
    elif not icp_linked:
        problems.append(said(gettext_noop("备案号未链接到 %(url)s。"), url=MIIT_URL))

    psb_found = None
    if expected_psb is not None:
        psb_found = _number_pattern(expected_psb).search(text) is not None
        if not psb_found:
            problems.append(_missing_problem("psb", expected_psb, _ANY_PSB_RE, text))

    if page.truncated and (not icp_found or psb_found is False):
        problems.append(
            said(gettext_noop("首页超过 %(n)s 字节,只检查了前 %(n)s 字节,页面被截断。"), n=max_bytes)
        )

    return FooterResult(
        url=url,
        final_url=page.final_url,
        checked_at=timezone.now(),
        status="fail" if problems else "pass",
        http_status=page.http_status,
        icp_found=icp_found,
        icp_linked=icp_linked,
        psb_found=psb_found,
        **_problems(problems),
    )


def _unread_footer(
    url: str,
    *,
    status: str,
    final_url: str | None,
    http_status: int | None,
    expected_psb: str | None,
    problem: Said,
) -> FooterResult:
    """Return the result of a page whose footer could not be read: no number found, for one reason."""
    return FooterResult(
        url=url,
        final_url=final_url,
        checked_at=timezone.now(),
        status=status,
        http_status=http_status,
        icp_found=False,
        icp_linked=False,
        psb_found=None if expected_psb is None else False,
        **_problems([problem]),
    )


def _fetch(
    url: str, *, allow_private_hosts: bool, timeout: float, max_bytes: int, max_redirects: int
) -> _Page:
    current = url
    final_url = None
    http_status = None
    for hop in range(max_redirects + 1):
        parts, port = _split_http_url(
            current, redirected=hop > 0, final_url=final_url, http_status=http_status
        )
        host = _ascii_host(parts.hostname, final_url=final_url, http_status=http_status)
        addresses = _resolve(host, port, shown=parts.hostname, final_url=final_url, http_status=http_status)
        if not allow_private_hosts:
            _ensure_public(parts.hostname, addresses, final_url=final_url, http_status=http_status)

        connection = None
        try:
            connection = _PinnedConnection(
                host, port, addresses=addresses, timeout=timeout, tls=parts.scheme == "https"
            )
            connection.request("GET", _request_target(parts), headers=_REQUEST_HEADERS)
            response = connection.getresponse()
            final_url, http_status = current, response.status
            location = response.getheader("Location")
            if response.status in _REDIRECT_STATUSES and location and location.strip():
                current = urljoin(current, _header_text(location.strip())).split("#", 1)[0]
                continue
            if response.status >= 300:
                raise _Unreachable(
                    said(gettext_noop("首页返回 HTTP %(status)s"), status=response.status),
                    final_url=final_url,
                    http_status=http_status,
                )

            raw_type = response.getheader("Content-Type")
            content_type = raw_type.strip()[:200] if raw_type else None
            # Browsers sniff a missing Content-Type as HTML, so only an explicit other type fails.
            page = _Page(
                final_url=final_url,
                http_status=http_status,
                content_type=content_type,
                is_html=content_type is None or response.headers.get_content_type() in _HTML_TYPES,
            )
            if page.is_html:
                page.charset = response.headers.get_content_charset()
                page.body, page.truncated = _read_body(response, max_bytes=max_bytes, timeout=timeout)
            return page
        except (OSError, http.client.HTTPException, ValueError, zlib.error) as error:
            raise _Unreachable(_describe(error), final_url=final_url, http_status=http_status) from error
        finally:
            if connection is not None:
                connection.close()
    raise _Unreachable(
        said(gettext_noop("重定向次数过多(超过 %(n)s 次)"), n=max_redirects),
        final_url=final_url,
        http_status=http_status,
    )


_REQUEST_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "Accept-Encoding": "identity",
    "Accept-Language": "zh-CN,zh;q=0.9",
    "Connection": "close",
}


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP(S) connection to addresses resolved (and vetted) beforehand.

    Connecting to exactly the checked addresses keeps a second DNS answer (DNS rebinding) from
    steering the request to a private address after the public-address check passed.
    """

    def __init__(self, host: str, port: int, *, addresses: list, timeout: float, tls: bool):
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses
        self._tls_context = ssl.create_default_context() if tls else None
        if tls:
            # Keeps the Host header free of ":443".
            self.default_port = 443

    def connect(self) -> None:
        sock = _open_socket(self._addresses, self.timeout)
        if self._tls_context is not None:
            try:
                sock = self._tls_context.wrap_socket(sock, server_hostname=self.host)
            except BaseException:
                sock.close()
                raise
        self.sock = sock


def _open_socket(addresses: list, timeout: float) -> socket.socket:
    last_error: OSError = OSError("no addresses to connect to")
    for family, sock_type, proto, _canonname, sockaddr in addresses:
        sock = socket.socket(family, sock_type, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
            return sock
        except OSError as error:
            sock.close()
            last_error = error
    raise last_error


def _split_http_url(
    url: str, *, redirected: bool, final_url: str | None, http_status: int | None
) -> tuple[SplitResult, int]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise _Unreachable(
            said(gettext_noop("网址格式不正确(%(url)s)"), url=url),
            final_url=final_url,
            http_status=http_status,
        ) from error
    if parts.scheme not in ("http", "https"):
        reason = (
            said(gettext_noop("重定向到了不支持的地址 %(url)s"), url=url)
            if redirected
            else said(gettext_noop("只能检查 http:// 或 https:// 网址"))
        )
        raise _Unreachable(reason, final_url=final_url, http_status=http_status)
    if not parts.hostname:
        raise _Unreachable(
            said(gettext_noop("网址缺少域名(%(url)s)"), url=url), final_url=final_url, http_status=http_status
        )
    return parts, port or (443 if parts.scheme == "https" else 80)


def _ascii_host(hostname: str, *, final_url: str | None, http_status: int | None) -> str:
    if hostname.isascii():
        return hostname
    try:
        return hostname.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise _Unreachable(
            said(gettext_noop("域名 %(host)s 无效"), host=hostname),
            final_url=final_url,
            http_status=http_status,
        ) from error


def _resolve(host: str, port: int, *, shown: str, final_url: str | None, http_status: int | None) -> list:
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise _Unreachable(
            said(gettext_noop("域名 %(host)s 解析失败"), host=shown),
            final_url=final_url,
            http_status=http_status,
        ) from error


def _ensure_public(host: str, addresses: list, *, final_url: str | None, http_status: int | None) -> None:
    for *_, sockaddr in addresses:
        address = ipaddress.ip_address(sockaddr[0])
        if not _is_public_address(address):
            if str(address) == host.strip("[]"):
                reason = said(gettext_noop("%(host)s 不是公网地址,已拒绝访问"), host=host)
            else:
                reason = said(
                    gettext_noop("%(host)s 解析到非公网地址 %(address)s,已拒绝访问"),
                    host=host,
                    address=str(address),
                )
            raise _Unreachable(reason, final_url=final_url, http_status=http_status)


def _is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        # IPv4 embedded in IPv6 (mapped, 6to4, NAT64) reaches the IPv4 address, so judge that one.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return _is_public_address(embedded)
    # is_global alone lets multicast through, hence the explicit checks.
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def _request_target(parts: SplitResult) -> str:
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return quote(target, safe="/%?=&:;@!$'()*+,~[]")


def _header_text(value: str) -> str:
    # http.client decodes headers as latin-1; servers that put raw UTF-8 in Location mean UTF-8.
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _read_body(response: http.client.HTTPResponse, *, max_bytes: int, timeout: float) -> tuple[bytes, bool]:
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        decompressor = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32)
    elif encoding in ("", "identity"):
        decompressor = None
    else:
        raise _UnsupportedEncoding(
            said(gettext_noop("首页使用了无法解析的压缩格式(%(encoding)s)"), encoding=encoding)
        )

    # A per-read timeout alone would let a server that trickles bytes hold the check forever.
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    while size <= max_bytes:
        if time.monotonic() > deadline:
            raise TimeoutError("body download took too long")
        raw = response.read1(_CHUNK_SIZE)
        if not raw:
            if decompressor is not None:
                chunks.append(decompressor.flush())
                size += len(chunks[-1])
            break
        data = decompressor.decompress(raw, max_bytes + 1 - size) if decompressor is not None else raw
        chunks.append(data)
        size += len(data)
    body = b"".join(chunks)
    return body[:max_bytes], len(body) > max_bytes


def _describe(error: BaseException) -> Said:
    if isinstance(error, _UnsupportedEncoding):
        return error.reason
    if isinstance(error, ssl.SSLCertVerificationError):
        return said(gettext_noop("HTTPS 证书校验失败"))
    if isinstance(error, ssl.SSLError):
        return said(gettext_noop("HTTPS 连接建立失败"))
    if isinstance(error, TimeoutError):
        return said(gettext_noop("连接超时"))
    if isinstance(error, socket.gaierror):
        return said(gettext_noop("域名解析失败"))
    if isinstance(error, ConnectionRefusedError):
        return said(gettext_noop("连接被拒绝"))
    if isinstance(error, ConnectionError | http.client.RemoteDisconnected | http.client.IncompleteRead):
        return said(gettext_noop("服务器中断了连接"))
    if isinstance(error, http.client.HTTPException):
        return said(gettext_noop("服务器返回的不是有效的 HTTP 响应"))
    if isinstance(error, zlib.error):
        return said(gettext_noop("首页的压缩数据已损坏"))
    if isinstance(error, ValueError):
        return said(gettext_noop("网址格式不正确"))
    return said(gettext_noop("网络错误"))


def _decode(body: bytes, header_charset: str | None) -> str:
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


def _extract(html: str) -> tuple[str, list[tuple[str | None, int, int]]]:
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


def _number_pattern(number: str) -> re.Pattern[str]:
    # Whitespace may appear between the parts of a number but not inside a run of digits, and the
    # number must not continue with another digit (…号-1 must not match …号-12).
    chunks = re.findall(r"\d+|\S", _normalise(number))
    return re.compile(r"\s*".join(map(re.escape, chunks)) + r"(?!\d)", re.IGNORECASE)


def _points_at_miit(href: str | None, base_url: str) -> bool:
    if not href:
        return False
    try:
        parts = urlsplit(urljoin(base_url, href.strip()))
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and (host or "").rstrip(".") == MIIT_HOST


def _missing_problem(kind: str, expected: str, any_number_re: re.Pattern[str], text: str) -> Said:
    shown = list(dict.fromkeys(re.sub(r"\s+", "", match.group()) for match in any_number_re.finditer(text)))
    params = {"expected": expected, "shown": pgettext("list separator", "、").join(shown[:3])}
    if kind == "psb":
        if shown:
            return said(
                gettext_noop("页面未显示公安备案号 %(expected)s,页面上的公安备案号是 %(shown)s。"), **params
            )
        return said(gettext_noop("页面未显示公安备案号 %(expected)s。"), **params)
    if shown:
        return said(gettext_noop("页面未显示备案号 %(expected)s,页面上的备案号是 %(shown)s。"), **params)
    return said(gettext_noop("页面未显示备案号 %(expected)s。"), **params)
