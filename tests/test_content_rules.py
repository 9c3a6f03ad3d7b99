"""Prior approvals judged from declared service content and the principal's answer, not from a
keyword alone: realistic corporate descriptions pass with a question, real regulated sites fail."""

import pytest
from django.urls import reverse

from filings.exceptions import ConflictError
from filings.models import FilingEvent, PriorApproval, Website
from filings.rules import checks
from filings.services import content

pytestmark = pytest.mark.django_db

# Descriptions as companies write them: a news or information section is not a news service.
CORPORATE = [
    ("星河科技官网", "介绍公司产品与解决方案,设有公司新闻、行业资讯和产品资讯栏目。", "news"),
    ("云帆机械官网", "企业简介、产品中心、公司新闻、联系我们。", "news"),
    ("华康制药企业官网", "公司概况、企业文化、药品研发动态与招聘信息。", "drugs_devices"),
    ("恒信软件官网", "收银系统产品介绍,支持微信支付和支付宝接入。", "finance"),
    ("青禾传媒官网", "企业宣传视频拍摄案例展示、服务流程与联系方式。", "audio_video"),
]
# Sites that provide the regulated service, declared as such.
REGULATED = [
    ("星河新闻网", "24小时滚动报道时政、社会、国际新闻,提供新闻评论与专题。", "news"),
    ("康民网上药房", "处方药与非处方药在线销售、用药咨询、药品信息查询。", "drugs_devices"),
    ("星河理财平台", "基金代销、理财产品在线购买与网络借贷信息中介服务。", "finance"),
    ("云帆影视在线", "电影、电视剧在线点播与体育赛事直播。", "audio_video"),
]


def results(filing, code=None):
    checklist = checks.run_submission_checks(checks.load_filing_for_checks(filing.pk))
    return checklist, [r for r in checklist.results if code is None or r.code == code]


def set_site(filing, name, description, service_content=Website.ServiceContent.CORPORATE):
    Website.objects.filter(filing=filing).update(
        name=name, description=description, service_content=service_content
    )
    return filing.websites.get()


@pytest.mark.parametrize(("name", "description", "category"), CORPORATE)
def test_a_corporate_site_mentioning_a_regulated_word_is_asked_not_failed(
    filing, name, description, category
):
    set_site(filing, name, description)
    checklist, asked = results(filing, "prior_approval_question")
    assert checklist.passed, [r.message for r in checklist.failures]
    assert [r.status for r in asked] == [checks.WARNING]
    assert str(PriorApproval.Category(category).label) in asked[0].message


@pytest.mark.parametrize(("name", "description", "category"), REGULATED)
def test_a_site_declaring_a_regulated_service_needs_its_approval(filing, name, description, category):
    website = set_site(filing, name, description, service_content=category)
    checklist, judged = results(filing, "prior_approval")
    assert [r.status for r in judged if r.status == checks.FAIL] == [checks.FAIL]
    assert not checklist.passed
    PriorApproval.objects.create(website=website, category=category, licence_number="京ICP证030173号")
    _checklist, judged = results(filing, "prior_approval")
    assert checks.FAIL not in {r.status for r in judged}


def test_the_principals_answer_decides_and_is_recorded(filing, principal):
    website = set_site(filing, *CORPORATE[0][:2])
    filing = content.answer_service_question(
        filing,
        by=principal,
        expected_version=filing.version,
        section="website",
        item_id=website.pk,
        category="news",
        provides=False,
    )
    website.refresh_from_db()
    assert website.service_answers == {"news": "no"}
    checklist, judged = results(filing, "prior_approval")
    assert checklist.passed and [r.status for r in judged] == [checks.PASS]
    assert "不提供新闻服务" in judged[0].message  # what the reviewer reads
    event = FilingEvent.objects.filter(filing=filing, transition="edit").latest("at")
    assert event.reasons[0]["field"] == "website.service_answers.news"
    filing = content.answer_service_question(
        filing,
        by=principal,
        expected_version=filing.version,
        section="website",
        item_id=website.pk,
        category="news",
        provides=True,
    )
    checklist, judged = results(filing, "prior_approval")
    assert not checklist.passed and [r.status for r in judged] == [checks.FAIL]


def test_an_answer_from_a_stale_page_is_a_conflict(filing, principal):
    website = set_site(filing, *CORPORATE[0][:2])
    with pytest.raises(ConflictError):
        content.answer_service_question(
            filing,
            by=principal,
            expected_version=filing.version - 1,
            section="website",
            item_id=website.pk,
            category="news",
            provides=False,
        )


def test_the_checklist_page_asks_and_records_the_answer(client_for, filing, principal, reviewer):
    website = set_site(filing, *CORPORATE[0][:2])
    client = client_for(principal)
    page = client.get(reverse("filings:checklist", args=[filing.pk])).content.decode()
    assert "是否提供新闻服务" in page
    bad = client.post(reverse("filings:service-answer", args=[filing.pk]), {"version": filing.version})
    assert bad.status_code == 400
    response = client.post(
        reverse("filings:service-answer", args=[filing.pk]),
        {
            "version": filing.version,
            "section": "website",
            "item_id": website.pk,
            "category": "news",
            "provides": "no",
        },
    )
    assert response.status_code == 302
    website.refresh_from_db()
    assert website.service_answers == {"news": "no"}
    page = client.get(reverse("filings:checklist", args=[filing.pk])).content.decode()
    assert "是否提供新闻服务" not in page and "不提供新闻服务" in page


def test_the_api_records_the_answer(api, filing, principal):
    website = set_site(filing, *CORPORATE[0][:2])
    body = {"version": filing.version, "section": "website", "item_id": website.pk, "category": "news"}
    response = api(principal).post(
        f"/api/v1/filings/{filing.pk}/service-answers/", {**body, "provides": False}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["websites"][0]["service_answers"] == {"news": "no"}
    website.refresh_from_db()
    assert website.service_answers == {"news": "no"}
    stale = api(principal).post(
        f"/api/v1/filings/{filing.pk}/service-answers/", {**body, "provides": True}, format="json"
    )
    assert stale.status_code == 409
    bad = api(principal).post(
        f"/api/v1/filings/{filing.pk}/service-answers/",
        {**body, "version": filing.version + 1, "category": "weather", "provides": True},
        format="json",
    )
    assert bad.status_code == 400


def test_the_reviewer_sees_the_principals_answer(client_for, filing, principal, reviewer):
    from filings.services import transitions

    website = set_site(filing, *CORPORATE[0][:2])
    filing = content.answer_service_question(
        filing,
        by=principal,
        expected_version=filing.version,
        section="website",
        item_id=website.pk,
        category="news",
        provides=False,
    )
    filing = transitions.submit_filing(filing, by=principal)
    page = client_for(reviewer).get(reverse("filings:review-filing", args=[filing.pk])).content.decode()
    assert "负责人确认网站“星河科技官网”不提供新闻服务" in page
