"""Fetching a website's home page safely: public addresses only (pinned against DNS rebinding),
bounded redirects, time and size, and every failure told as a reason, never raised past here."""

import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from dataclasses import dataclass
from urllib.parse import SplitResult, quote, urljoin, urlsplit

from django.utils.translation import gettext_noop

from filings.models.wording import Said, said

USER_AGENT = (
    "BeianFooterCheck/1.0 (ICP filing compliance check by the access provider; +https://beian.miit.gov.cn/)"
)

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHUNK_SIZE = 64 * 1024
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Unreachable(Exception):
    """The page could not be read, with the reason and how far the fetch got."""

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
class Page:
    """A fetched home page: where the redirects ended, and its body when it is HTML."""

    final_url: str
    http_status: int
    content_type: str | None
    is_html: bool
    body: bytes = b""
    charset: str | None = None
    truncated: bool = False


def fetch_page(
    url: str, *, allow_private_hosts: bool, timeout: float, max_bytes: int, max_redirects: int
) -> Page:
    """Return the page ``url`` leads to, or raise `Unreachable` with the reason."""
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
                raise Unreachable(
                    said(gettext_noop("首页返回 HTTP %(status)s"), status=response.status),
                    final_url=final_url,
                    http_status=http_status,
                )

            raw_type = response.getheader("Content-Type")
            content_type = raw_type.strip()[:200] if raw_type else None
            # Browsers sniff a missing Content-Type as HTML, so only an explicit other type fails.
            page = Page(
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
            raise Unreachable(_describe(error), final_url=final_url, http_status=http_status) from error
        finally:
            if connection is not None:
                connection.close()
    raise Unreachable(
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
        raise Unreachable(
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
        raise Unreachable(reason, final_url=final_url, http_status=http_status)
    if not parts.hostname:
        raise Unreachable(
            said(gettext_noop("网址缺少域名(%(url)s)"), url=url), final_url=final_url, http_status=http_status
        )
    return parts, port or (443 if parts.scheme == "https" else 80)


def _ascii_host(hostname: str, *, final_url: str | None, http_status: int | None) -> str:
    if hostname.isascii():
        return hostname
    try:
        return hostname.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise Unreachable(
            said(gettext_noop("域名 %(host)s 无效"), host=hostname),
            final_url=final_url,
            http_status=http_status,
        ) from error


def _resolve(host: str, port: int, *, shown: str, final_url: str | None, http_status: int | None) -> list:
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Unreachable(
            said(gettext_noop("域名 %(host)s 解析失败"), host=shown),
            final_url=final_url,
            http_status=http_status,
        ) from error


def _ensure_public(host: str, addresses: list, *, final_url: str | None, http_status: int | None) -> None:
    for *_, sockaddr in addresses:
        address = ipaddress.ip_address(sockaddr[0])
        if not is_public_address(address):
            if str(address) == host.strip("[]"):
                reason = said(gettext_noop("%(host)s 不是公网地址,已拒绝访问"), host=host)
            else:
                reason = said(
                    gettext_noop("%(host)s 解析到非公网地址 %(address)s,已拒绝访问"),
                    host=host,
                    address=str(address),
                )
            raise Unreachable(reason, final_url=final_url, http_status=http_status)


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Return whether ``address`` is on the public internet (neither private, local nor reserved)."""
    if isinstance(address, ipaddress.IPv6Address):
        # IPv4 embedded in IPv6 (mapped, 6to4, NAT64) reaches the IPv4 address, so judge that one.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
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
