"""Filings name the registrable domain (the Public Suffix List's ICANN section); a bare public
suffix is refused; the allow-list of fileable suffixes is data."""

import copy

import pytest
from django.core.exceptions import ValidationError

from filings.formats.validators import filed_domain, validate_domain_name
from filings.models import Filing, RuleTerm, Website
from filings.rules.checks.websites import TldRule
from tests.test_api import LIST, payload, post_json

pytestmark = pytest.mark.django_db


def national_rules() -> TldRule:
    terms: dict[str, list[RuleTerm]] = {}
    for term in RuleTerm.objects.filter(province__isnull=True):
        terms.setdefault(term.kind, []).append(term)
    return TldRule.from_terms(terms)


@pytest.mark.parametrize(
    ("typed", "filed"),
    [
        ("blog.example.com.cn", "example.com.cn"),
        ("https://shop.example.com.cn/index.html", "example.com.cn"),
        ("www.beijing.gov.cn", "beijing.gov.cn"),  # gov.cn is a suffix: the bureau's own domain
        ("a.b.example.net.cn", "example.net.cn"),
        ("WWW.Example.CN.", "example.cn"),
        ("news.例子.中国", "例子.中国"),
        ("xn--fsqu00a.xn--fiqs8s", "例子.中国"),  # the same name in ASCII form
        ("bbs.example.网址", "example.网址"),
        ("api.example.cloud", "example.cloud"),
        ("m.example.sh.cn", "example.sh.cn"),  # a province's second-level suffix
        ("example.com", "example.com"),
    ],
)
def test_the_filed_domain_is_the_registrable_one(typed, filed):
    assert filed_domain(typed) == filed


@pytest.mark.parametrize(
    ("suffix", "code"),
    [
        ("com.cn", "domain_public_suffix"),
        ("gov.cn", "domain_public_suffix"),
        ("net.cn", "domain_public_suffix"),
        ("sh.cn", "domain_public_suffix"),
        ("org.cn", "domain_public_suffix"),
        ("cn", "domain"),  # one label: not a full domain name
        ("中国", "domain"),
    ],
)
def test_a_bare_public_suffix_is_refused(suffix, code):
    with pytest.raises(ValidationError) as error:
        validate_domain_name(filed_domain(suffix))
    assert error.value.code == code


def test_api_files_the_registrable_domain_and_keeps_the_host_as_the_website_address(api, principal):
    body = payload()
    body["websites"][0]["homepage"] = "https://blog.yunfan-demo.com.cn/"
    body["websites"][0]["domains"][0]["name"] = "blog.yunfan-demo.com.cn"
    response = post_json(api(principal), LIST, body)
    assert response.status_code == 201, response.content
    website = Website.objects.get(filing__assignee=principal)
    assert website.homepage == "https://blog.yunfan-demo.com.cn/"
    assert list(website.domains.values_list("name", flat=True)) == ["yunfan-demo.com.cn"]


@pytest.mark.parametrize("suffix", ["com.cn", "gov.cn"])
def test_api_refuses_a_bare_public_suffix_with_a_400(api, principal, suffix):
    body = copy.deepcopy(payload())
    body["websites"][0]["domains"][0]["name"] = suffix
    response = post_json(api(principal), LIST, body)
    assert response.status_code == 400
    assert "公共域名后缀" in response.content.decode()
    assert not Filing.objects.filter(assignee=principal).exists()


@pytest.mark.parametrize(
    ("name", "fileable"),
    [
        ("example.网址", True),
        ("example.cloud", True),
        ("example.icu", True),
        ("example.com.cn", True),
        ("例子.中国", True),
        ("example.io", False),
        ("example.ai", False),
        ("example.hk", False),
        ("com.cn", False),
    ],
)
def test_the_allow_list_follows_the_ministrys_approved_suffixes(name, fileable):
    assert (national_rules().refusal(name) is None) == fileable


def test_the_allow_list_is_data_an_admin_edits():
    RuleTerm.objects.filter(kind=RuleTerm.Kind.ALLOWED_TLD, value="icu").delete()
    assert national_rules().refusal("example.icu")
    RuleTerm.objects.create(kind=RuleTerm.Kind.ALLOWED_TLD, value="icu")
    assert national_rules().refusal("example.icu") is None
