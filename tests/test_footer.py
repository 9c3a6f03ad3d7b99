"""Footer check against a real local HTTP server (no database needed)."""

import contextlib
import gzip
import ipaddress
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from filings.rules import footer
from filings.rules.footer import check_footer, fetch

ICP = "粤ICP备2023012345号-1"
PSB = "京公网安备11010502030143号"
HUGE_LIMIT = 4_000


def _page(body: str) -> str:
    return f"<!doctype html><html><head><meta charset='utf-8'><title>{ICP}</title></head><body>{body}</body></html>"


GOOD_FOOTER = f'<footer><a href="https://beian.miit.gov.cn/" target="_blank">{ICP}</a></footer>'
PSB_FOOTER = (
    '<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=11010502030143">'
    '<img src="/ga.png"> 京公网安备 11010502030143号</a>'
)

HTML_PAGES: dict[str, str] = {
    "/good": _page("<h1>首页</h1>" + GOOD_FOOTER),
    # &nbsp;, a full-width space, a full-width hyphen and the number split over inline tags.
    "/spaced": _page(
        '<footer><p>Copyright 2024 <a href="http://beian.miit.gov.cn">'
        "<span>粤ICP备&nbsp;2023012345号</span>\u3000\uff0d<b>1</b></a></p><p>2024</p></footer>"
    ),
    # The number is linked only in part: the site suffix sits right after </a>.
    "/split-link": _page(
        '<footer><a href="https://beian.miit.gov.cn/#/Integrated/index">粤ICP备2023012345号</a>-1</footer>'
    ),
    "/unlinked": _page(
        f'<footer><p>{ICP}</p><a href="https://beian.miit.gov.cn/">工信部备案查询</a></footer>'
    ),
    "/wrong-host": _page(
        f'<footer><a href="https://beian.miit.gov.cn.example.com/">{ICP}</a>'
        f'<a href="https://example.com/?u=https://beian.miit.gov.cn/">{ICP}</a></footer>'
    ),
    "/missing": _page('<footer><a href="https://beian.miit.gov.cn/">粤ICP备2023012345号-2</a></footer>'),
    "/longer-number": _page(
        '<footer><a href="https://beian.miit.gov.cn/">粤ICP备2023012345号-12</a></footer>'
    ),
    "/in-script": _page(f"<script>var icp = '{ICP}';</script><!-- {ICP} --><footer>版权所有</footer>"),
    "/psb": _page(f"<footer>{GOOD_FOOTER}{PSB_FOOTER}</footer>"),
}


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.seen.append((self.path, self.headers.get("User-Agent")))
        # The checker may stop reading (size limit, timeout) before we finish writing.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route()

    def _send(
        self, status: int, body: bytes, content_type: str | None = "text/html; charset=utf-8", **headers
    ):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _route(self):
        path = self.path
        if path in HTML_PAGES:
            return self._send(200, HTML_PAGES[path].encode())
        if path.startswith("/redirect/"):
            step = int(path.rsplit("/", 1)[1])
            # An absolute, a root-relative and a document-relative Location.
            location = {
                3: f"http://127.0.0.1:{self.server.server_port}/redirect/2",
                2: "/redirect/1",
                1: "../good",
            }
            return self._send(301 if step == 3 else 302, b"", Location=location[step])
        if path == "/loop":
            return self._send(302, b"", Location="/loop")
        if path == "/to-private":
            return self._send(302, b"", Location="http://10.255.255.1/good")
        if path == "/to-ftp":
            return self._send(302, b"", Location="ftp://127.0.0.1/good")
        if path == "/json":
            return self._send(200, b'{"icp": "' + ICP.encode() + b'"}', "application/json")
        if path == "/no-content-type":
            return self._send(200, HTML_PAGES["/good"].encode(), None)
        if path == "/huge":
            return self._send(200, _page("<p>" + "x" * (HUGE_LIMIT * 3) + "</p>" + GOOD_FOOTER).encode())
        if path == "/huge-early":
            return self._send(200, _page(GOOD_FOOTER + "<p>" + "x" * (HUGE_LIMIT * 3) + "</p>").encode())
        if path == "/gbk":
            html = _page(GOOD_FOOTER).replace("utf-8", "gbk")
            return self._send(200, html.encode("gbk"), "text/html; charset=GBK")
        if path == "/gbk-meta":
            html = _page(GOOD_FOOTER).replace("utf-8", "gb2312")
            return self._send(200, html.encode("gbk"), "text/html")
        if path == "/gbk-undeclared":
            html = _page(GOOD_FOOTER).replace("<meta charset='utf-8'>", "")
            return self._send(200, html.encode("gbk"), "text/html")
        if path == "/gzip":
            return self._send(200, gzip.compress(HTML_PAGES["/good"].encode()), Content_Encoding="gzip")
        if path == "/not-found":
            return self._send(404, _page("not found").encode())
        if path == "/slow":
            self.server.release.wait(10)
            return self._send(200, HTML_PAGES["/good"].encode())
        return self._send(404, b"unknown test route")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    seen: list
    release: threading.Event


@pytest.fixture
def server():
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.seen = []
    httpd.release = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    httpd.base = f"http://127.0.0.1:{httpd.server_port}"
    try:
        yield httpd
    finally:
        httpd.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _check(url, **kwargs):
    kwargs.setdefault("expected_icp", ICP)
    kwargs.setdefault("allow_private_hosts", True)
    kwargs.setdefault("timeout", 5)
    return check_footer(url, **kwargs)


def test_correct_footer_passes(server):
    result = _check(server.base + "/good")
    assert result.status == "pass", result.problems
    assert (result.icp_found, result.icp_linked, result.psb_found) == (True, True, None)
    assert result.problems == []
    assert result.http_status == 200
    assert result.final_url == server.base + "/good"
    assert result.url == server.base + "/good"
    assert result.checked_at.tzinfo is not None
    assert server.seen == [("/good", footer.USER_AGENT)]
    assert footer.USER_AGENT.startswith("BeianFooterCheck/1.0")


@pytest.mark.parametrize("path", ["/spaced", "/split-link", "/no-content-type", "/gzip"])
def test_footer_variants_pass(server, path):
    result = _check(server.base + path)
    assert result.status == "pass", result.problems


def test_guangdong_subject_number_passes(server):
    result = _check(server.base + "/split-link", expected_icp="粤ICP备2023012345号")
    assert result.status == "pass", result.problems


def test_number_not_linked_fails(server):
    result = _check(server.base + "/unlinked")
    assert result.status == "fail"
    assert (result.icp_found, result.icp_linked) == (True, False)
    assert result.problems == ["备案号未链接到 https://beian.miit.gov.cn/。"]


def test_link_to_lookalike_host_does_not_count(server):
    result = _check(server.base + "/wrong-host")
    assert (result.status, result.icp_found, result.icp_linked) == ("fail", True, False)


def test_missing_number_fails_and_names_the_number_shown(server):
    result = _check(server.base + "/missing")
    assert (result.status, result.icp_found, result.icp_linked) == ("fail", False, False)
    assert result.problems == [f"页面未显示备案号 {ICP},页面上的备案号是 粤ICP备2023012345号-2。"]


@pytest.mark.parametrize("path", ["/longer-number", "/in-script"])
def test_number_that_only_looks_present_fails(server, path):
    result = _check(server.base + path)
    assert result.status == "fail"
    assert not result.icp_found
    assert result.problems[0].startswith(f"页面未显示备案号 {ICP}")


def test_psb_expected_and_present_passes(server):
    result = _check(server.base + "/psb", expected_psb=PSB)
    assert result.status == "pass", result.problems
    assert result.psb_found is True


def test_psb_expected_but_missing_fails(server):
    result = _check(server.base + "/good", expected_psb=PSB)
    assert (result.status, result.icp_found, result.icp_linked, result.psb_found) == (
        "fail",
        True,
        True,
        False,
    )
    assert result.problems == [f"页面未显示公安备案号 {PSB}。"]


def test_blank_psb_means_none_expected(server):
    result = _check(server.base + "/good", expected_psb="")
    assert (result.status, result.psb_found) == ("pass", None)


def test_redirect_chain_is_followed(server):
    result = _check(server.base + "/redirect/3")
    assert result.status == "pass", result.problems
    assert result.final_url == server.base + "/good"
    assert [path for path, _ in server.seen] == ["/redirect/3", "/redirect/2", "/redirect/1", "/good"]


def test_too_many_redirects(server):
    result = _check(server.base + "/redirect/3", max_redirects=2)
    assert result.status == "unreachable"
    assert result.problems == ["无法访问网站:重定向次数过多(超过 2 次)。"]


def test_redirect_loop_is_unreachable(server):
    result = _check(server.base + "/loop")
    assert result.status == "unreachable"
    assert result.http_status == 302
    assert "重定向次数过多" in result.problems[0]
    assert len(server.seen) == 6


def test_redirect_to_other_scheme_is_refused(server):
    result = _check(server.base + "/to-ftp")
    assert result.status == "unreachable"
    assert "不支持" in result.problems[0]


def test_non_html_fails(server):
    result = _check(server.base + "/json")
    assert result.status == "fail"
    assert result.problems == ["首页不是 HTML 页面(Content-Type: application/json)。"]


def test_http_error_is_unreachable(server):
    result = _check(server.base + "/not-found")
    assert (result.status, result.http_status) == ("unreachable", 404)
    assert result.problems == ["无法访问网站:首页返回 HTTP 404。"]


def test_huge_page_is_truncated(server):
    result = _check(server.base + "/huge", max_bytes=HUGE_LIMIT)
    assert (result.status, result.icp_found) == ("fail", False)
    assert result.problems[-1] == f"首页超过 {HUGE_LIMIT} 字节,只检查了前 {HUGE_LIMIT} 字节,页面被截断。"


def test_huge_page_with_number_before_the_limit_passes(server):
    result = _check(server.base + "/huge-early", max_bytes=HUGE_LIMIT)
    assert result.status == "pass", result.problems


@pytest.mark.parametrize("path", ["/gbk", "/gbk-meta", "/gbk-undeclared"])
def test_gbk_page_passes(server, path):
    result = _check(server.base + path)
    assert result.status == "pass", result.problems


def test_slow_server_times_out(server):
    result = _check(server.base + "/slow", timeout=0.5)
    assert result.status == "unreachable"
    assert result.problems == ["无法访问网站:连接超时。"]


def test_closed_port_is_unreachable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = _check(f"http://127.0.0.1:{port}/", timeout=2)
    assert (result.status, result.http_status, result.final_url) == ("unreachable", None, None)
    assert result.problems == ["无法访问网站:连接被拒绝。"]


def test_private_host_refused_without_a_request(server):
    result = _check(server.base + "/good", allow_private_hosts=False)
    assert result.status == "unreachable"
    assert result.problems == ["无法访问网站:127.0.0.1 不是公网地址,已拒绝访问。"]
    assert server.seen == []


def test_private_hosts_default_comes_from_settings(server, settings):
    settings.BEIAN_FOOTER_ALLOW_PRIVATE_HOSTS = False
    assert check_footer(server.base + "/good", expected_icp=ICP).status == "unreachable"
    settings.BEIAN_FOOTER_ALLOW_PRIVATE_HOSTS = True
    assert check_footer(server.base + "/good", expected_icp=ICP).status == "pass"
    assert [path for path, _ in server.seen] == ["/good"]


def test_redirect_hop_to_private_address_is_refused(server, monkeypatch):
    # Treat the test server as "public" so the first hop goes through and the second is vetted.
    monkeypatch.setattr(fetch, "is_public_address", lambda address: str(address) == "127.0.0.1")
    result = _check(server.base + "/to-private", allow_private_hosts=False, timeout=0.5)
    assert result.status == "unreachable"
    assert result.problems == ["无法访问网站:10.255.255.1 不是公网地址,已拒绝访问。"]
    assert (result.final_url, result.http_status) == (server.base + "/to-private", 302)


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/", "file:///etc/passwd", "javascript:alert(1)", "example.com"]
)
def test_non_http_scheme_is_refused(server, url):
    result = _check(url)
    assert result.status == "unreachable"
    assert result.problems == ["无法访问网站:只能检查 http:// 或 https:// 网址。"]
    assert server.seen == []


def test_unresolvable_host_is_unreachable():
    result = _check("http://footer-check.invalid/", timeout=2)
    assert result.status == "unreachable"
    assert "解析失败" in result.problems[0]


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2400:3200::1", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("2002:7f00:1::", False),
        ("64:ff9b::a00:1", False),
        ("64:ff9b::808:808", True),
    ],
)
def test_public_address_classification(address, public):
    assert fetch.is_public_address(ipaddress.ip_address(address)) is public


def test_as_json_is_serialisable(server):
    data = _check(server.base + "/unlinked").as_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["status"] == "fail"
    assert data["psb_found"] is None
    assert isinstance(data["checked_at"], str)
    assert set(data) == {
        "url", "final_url", "checked_at", "status", "http_status",
        "icp_found", "icp_linked", "psb_found", "problems", "problem_sources",
    }  # fmt: skip


def test_tls_failure_is_unreachable(server):
    result = _check(server.base.replace("http://", "https://") + "/good", timeout=2)
    assert result.status == "unreachable"
    assert result.problems == ["无法访问网站:HTTPS 连接建立失败。"]
