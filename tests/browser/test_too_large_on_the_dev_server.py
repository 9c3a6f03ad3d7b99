"""`make run` serves pages through Django's development server (wsgiref), which refuses a hop-by-hop
header from the application (PEP 3333) and would turn the 413 page into a 500."""

import urllib.error
import urllib.request

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize(
    ("headers", "path"),
    [
        ({"X-Beian-Body-Refused": "1"}, "/filings/1/materials/"),
        ({"X-Beian-Body-Refused": "1", "Content-Type": "application/json"}, "/api/v1/filings/"),
    ],
)
def test_an_upload_over_the_cap_gets_the_413_answer_from_the_development_server(live_server, headers, path):
    request = urllib.request.Request(
        live_server.url + path, data=b"x", method="POST", headers={**headers, "Accept-Language": "zh-hans"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413
    body = refused.value.read().decode()
    assert "文件太大" in body or '"too_large"' in body
