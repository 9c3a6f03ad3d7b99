"""The service principal's pages through real requests: list, detail, entry forms, materials, checklist,
submission, returns, SMS step, and that nobody reaches another principal's filing."""

import random
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from filings.formats.identity import make_mobile, make_resident_id, make_uscc
from filings.kinds.states import State
from filings.models import Filing, FilingEvent, Material, Subject
from filings.services import transitions
from tests import factories, scan_samples

pytestmark = pytest.mark.django_db
rng = random.Random(404)


def entry_data(**overrides) -> dict:
    """POST data of the entry form for a new enterprise filing in Guangdong with one website."""
    uscc = make_uscc(rng, "44")
    data = {
        "subject-kind": "enterprise",
        "subject-name": "广州市云帆信息技术有限公司",
        "subject-certificate_kind": "uscc",
        "subject-certificate_number": uscc,
        "subject-licence_long_term": "on",
        "subject-city": "广州市",
        "subject-registered_address": "广东省广州市天河区体育西路1号",
        "subject-postal_address": "广东省广州市天河区体育西路1号",
        "subject-legal_representative": "李云帆",
        "subject_principal-name": "李云帆",
        "subject_principal-id_kind": "resident_id",
        "subject_principal-id_number": make_resident_id(rng, "44"),
        "subject_principal-mobile": make_mobile(rng),
        "subject_principal-emergency_phone": make_mobile(rng),
        "subject_principal-email": "li@example.cn",
        "websites-TOTAL_FORMS": "1",
        "websites-INITIAL_FORMS": "0",
        "websites-0-name": "云帆产品介绍",
        "websites-0-homepage": "https://www.yunfan-demo.cn/",
        "websites-0-service_content": "corporate",
        "websites-0-server_provider": "广州云计算有限公司",
        "websites-0-server_valid_until": (timezone.localdate() + timedelta(days=365)).isoformat(),
        "websites-0-same_as_subject_principal": "on",
        "websites-0-domains-TOTAL_FORMS": "1",
        "websites-0-domains-INITIAL_FORMS": "0",
        "websites-0-domains-0-name": "yunfan-demo.cn",
        "websites-0-domains-0-registrant_name": "广州市云帆信息技术有限公司",
        "websites-0-domains-0-registrant_certificate_number": uscc,
        "websites-0-domains-0-real_name_verified_at": (timezone.localdate() - timedelta(days=30)).isoformat(),
        "websites-0-approvals-TOTAL_FORMS": "0",
        "websites-0-approvals-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def edit_data(filing: Filing, **overrides) -> dict:
    """POST data that re-saves a filing's current entry form unchanged."""
    from filings.reads import selectors
    from filings.web.forms.entry import FilingEntry

    loaded = selectors.filing_detail(filing.assignee, filing.pk)
    entry = FilingEntry(province=loaded.province, filing=loaded)
    data = {"version": str(loaded.version)}
    forms = [entry.subject_form, entry.principal_form, entry.websites.management_form]
    for website in entry.websites.forms:
        forms += [website, website.principal_form, website.domains.management_form]
        forms += [*website.domains.forms, website.approvals.management_form, *website.approvals.forms]
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            data[bound.html_name] = str(value)
    data.update(overrides)
    return data


# Logging in and the list.


def test_login_lands_on_my_filings(principal):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "principal-a", "password": "pass-1234"})
    assert response.status_code == 302
    response = client.get(response.url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("filings:list")
    assert "我的备案" in response.content.decode()


def test_anonymous_is_sent_to_login(filing):
    response = Client().get(reverse("filings:detail", args=[filing.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_list_shows_own_filings_with_progress_and_next_step(client_for, principal, other_principal):
    mine = factories.ready_filing(assignee=principal)
    theirs = factories.ready_filing(assignee=other_principal)
    page = client_for(principal).get(reverse("filings:list")).content.decode()
    assert mine.subject.name in page
    assert theirs.subject.name not in page
    assert 'aria-current="step"' in page
    assert "提交前检查全部通过后提交初审" in page
    assert "信息填报停滞" in page  # the next deadline of a draft


def test_a_card_escapes_what_the_principal_typed_and_counts_unread_alerts(client_for, principal, monkeypatch):
    """The cards are written in Python (filings/web/views/filing_cards.py), not by the template: what
    a user typed is still escaped, and the unread badge still counts."""
    from filings.reads import selectors

    filing = factories.ready_filing(assignee=principal)
    Subject.objects.filter(pk=filing.subject_id).update(name='云帆<script>alert("x")</script>&科技')
    monkeypatch.setattr(selectors, "unread_alert_counts", lambda user, ids: dict.fromkeys(ids, 2))
    page = client_for(principal).get(reverse("filings:list")).content.decode()
    assert "<script>alert" not in page
    assert "云帆&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;科技" in page
    assert '<span class="badge warn" title="未读提醒">2 条未读提醒</span>' in page


def test_list_marks_a_returned_filing_plainly(client_for, principal, reviewer):
    filing = factories.ready_filing(assignee=principal)
    filing = transitions.submit_filing(filing, by=principal)
    transitions.return_filing(
        filing,
        by=reviewer,
        reasons=[{"field": "website.name", "reason": "名称与内容不符", "suggested_fix": "改名"}],
    )
    page = client_for(principal).get(reverse("filings:list")).content.decode()
    assert "已退回:服务商初审退回" in page
    assert 'class="step returned"' in page
    assert "按退回原因修改" in page


def test_list_filters_by_state_province_domain_and_subject(client_for, principal, reviewer):
    guangdong = factories.ready_filing(assignee=principal)
    beijing = factories.ready_filing(assignee=principal, province_code="11")
    beijing = transitions.submit_filing(beijing, by=principal)
    client = client_for(principal)

    def names(**params):
        page = client.get(reverse("filings:list"), params).content.decode()
        return {f.subject.name for f in (guangdong, beijing) if f.subject.name in page}

    assert names(state="provider_review") == {beijing.subject.name}
    assert names(province="44") == {guangdong.subject.name}
    domain = guangdong.websites.get().domains.get().name
    assert names(domain=domain) == {guangdong.subject.name}
    assert names(q=beijing.subject.name) == {beijing.subject.name}
    assert client.get(reverse("filings:list"), {"state": "nonsense"}).status_code == 400


def test_list_is_paginated_from_a_position(client_for, principal):
    made = [factories.ready_filing(assignee=principal) for _ in range(23)]
    client = client_for(principal)
    first = client.get(reverse("filings:list")).content.decode()
    assert first.count('class="card filing-card"') == 20 and "共 23 个备案" in first
    after = re.search(r'href="\?after=([\w-]+)" rel="next"', first).group(1)
    second = client.get(reverse("filings:list"), {"after": after}).content.decode()
    assert second.count('class="card filing-card"') == 3
    assert 'rel="next"' not in second and 'rel="first"' in second
    shown = re.findall(r'<h2><a href="/filings/(\d+)/">', first + second)
    newest_first = sorted(made, key=lambda f: (f.updated_at, f.pk), reverse=True)
    assert [int(pk) for pk in shown] == [f.pk for f in newest_first]


def test_a_bad_list_position_is_a_400(client_for, principal):
    response = client_for(principal).get(reverse("filings:list"), {"after": "yesterday"})
    assert response.status_code == 400
    assert "分页位置无效" in response.content.decode()


def test_a_long_list_says_more_than_the_cap_without_counting_it(client_for, principal, monkeypatch):
    from filings.reads import keyset

    monkeypatch.setattr(keyset, "COUNT_CAP", 5)
    for _ in range(7):
        factories.ready_filing(assignee=principal)
    body = client_for(principal).get(reverse("filings:list")).content.decode()
    assert "超过 5 个备案" in body


def test_a_one_character_search_asks_for_more(client_for, principal):
    response = client_for(principal).get(reverse("filings:list"), {"q": "星"})
    assert response.status_code == 400 and "请至少输入 2 个字符再搜索" in response.content.decode()


# Nobody reaches another principal's filing.


@pytest.mark.parametrize("name", ["detail", "edit", "materials", "checklist", "sms"])
def test_other_principal_gets_404_on_every_page(client_for, filing, other_principal, name):
    response = client_for(other_principal).get(reverse(f"filings:{name}", args=[filing.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name", ["submit-filing", "withdraw-filing", "sms", "materials", "edit", "public-security"]
)
def test_other_principal_gets_404_on_every_post(client_for, filing, other_principal, name):
    response = client_for(other_principal).post(reverse(f"filings:{name}", args=[filing.pk]), {})
    assert response.status_code == 404
    filing.refresh_from_db()
    assert filing.state == State.ENTRY
    assert filing.events.count() == 0


@pytest.mark.usefixtures("file_storage")
def test_other_principal_cannot_download_a_material_or_read_it_by_api(
    client_for, filing, other_principal, api
):
    material = filing.materials.first()
    url = reverse("filings:material-download", args=[filing.pk, material.pk])
    assert client_for(other_principal).get(url).status_code == 404
    assert client_for(filing.assignee).get(url).status_code == 200
    assert api(other_principal).get(f"/api/v1/filings/{filing.pk}/").status_code == 404
    # A material id of one filing under another filing's URL is not found either.
    own = factories.ready_filing(assignee=other_principal)
    crossed = reverse("filings:material-download", args=[own.pk, material.pk])
    assert client_for(other_principal).get(crossed).status_code == 404


def test_csrf_is_enforced_on_forms(filing):
    client = Client(enforce_csrf_checks=True)
    client.force_login(filing.assignee)
    assert client.post(reverse("filings:submit-filing", args=[filing.pk]), {}).status_code == 403
    page = client.get(reverse("filings:checklist", args=[filing.pk])).content.decode()
    assert "csrfmiddlewaretoken" in page


# Detail.


def test_detail_shows_everything_unmasked_to_the_principal_and_masked_to_a_manager(
    client_for, filing, manager
):
    person = filing.subject_principal
    own = client_for(filing.assignee).get(filing.get_absolute_url()).content.decode()
    assert person.mobile in own and person.id_number in own
    for heading in ["备案主体", "主体负责人", "网站", "域名", "材料", "截止时间", "办理记录"]:
        assert heading in own
    assert filing.websites.get().domains.get().name in own
    masked = client_for(manager).get(filing.get_absolute_url()).content.decode()
    assert person.mobile not in masked and person.id_number not in masked
    assert person.mobile[:3] + "****" + person.mobile[-4:] in masked


def test_detail_links_each_return_reason_to_its_field(client_for, filing, reviewer):
    principal = filing.assignee
    filing = transitions.submit_filing(filing, by=principal)
    transitions.return_filing(
        filing,
        by=reviewer,
        comment="请修改后重新提交",
        reasons=[
            {"field": "domain.registrant_name", "reason": "注册人与主体不一致", "suggested_fix": "过户域名"},
            {"field": "materials.business_licence", "reason": "执照模糊", "suggested_fix": "重新扫描"},
        ],
    )
    page = client_for(principal).get(filing.get_absolute_url()).content.decode()
    assert "注册人与主体不一致" in page and "过户域名" in page
    assert reverse("filings:edit", args=[filing.pk]) + "?focus=domain.registrant_name" in page
    assert reverse("filings:materials", args=[filing.pk]) + "#material-business_licence" in page
    assert "域名 · 注册人名称" in page


# Entry forms.


def test_new_filing_starts_with_type_and_province(client_for, principal):
    client = client_for(principal)
    page = client.get(reverse("filings:create")).content.decode()
    assert 'name="province"' in page and 'name="filing_type"' in page
    form = client.get(reverse("filings:create"), {"filing_type": "first", "province": "44"}).content.decode()
    assert 'name="subject-name"' in form and "广东管局的要求" in form
    assert "互联网信息服务备案承诺书" in form  # Guangdong's extra material, from its rule data


def test_province_specific_hints_follow_the_rule_data(client_for, principal):
    client = client_for(principal)
    shanxi = client.get(
        reverse("filings:create"), {"filing_type": "first", "province": "14"}
    ).content.decode()
    assert "每个备案最多 3 个域名" in shanxi
    beijing = client.get(
        reverse("filings:create"), {"filing_type": "first", "province": "11"}
    ).content.decode()
    assert "每个备案最多" not in beijing


def test_create_saves_a_draft_and_goes_to_materials(client_for, principal):
    url = reverse("filings:create") + "?filing_type=first&province=44"
    response = client_for(principal).post(url, entry_data())
    filing = Filing.objects.get(assignee=principal)
    assert response.status_code == 302
    assert response.url == reverse("filings:materials", args=[filing.pk])
    assert filing.state == State.ENTRY
    website = filing.websites.get()
    assert website.principal_id == filing.subject_principal_id
    assert website.domains.get().name == "yunfan-demo.cn"
    assert FilingEvent.objects.filter(filing=filing, transition="create").count() == 1


def test_create_draft_without_website_is_allowed(client_for, principal):
    # The blank website the page shows, posted as the browser sends it.
    kept = ("same_as_subject_principal", "TOTAL_FORMS", "INITIAL_FORMS", "service_content")
    data = {k: v for k, v in entry_data().items() if not k.startswith("websites-0-") or k.endswith(kept)}
    data["websites-0-domains-TOTAL_FORMS"] = "1"
    response = client_for(principal).post(reverse("filings:create") + "?filing_type=first&province=44", data)
    assert response.status_code == 302
    assert Filing.objects.get(assignee=principal).websites.count() == 0


def test_create_refuses_a_bad_credit_code_with_the_api_rule_and_saves_nothing(client_for, principal):
    data = entry_data(**{"subject-certificate_number": "91440101MA5CXXXXX0"})
    response = client_for(principal).post(reverse("filings:create") + "?filing_type=first&province=44", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "统一社会信用代码" in page
    assert 'aria-invalid="true"' in page
    assert "广州市云帆信息技术有限公司" in page  # the input is kept
    assert not Filing.objects.exists() and not Subject.objects.exists()


def test_create_refuses_a_bad_mobile_and_a_bad_domain(client_for, principal):
    data = entry_data(**{"subject_principal-mobile": "12345", "websites-0-domains-0-name": "not a domain"})
    response = client_for(principal).post(reverse("filings:create") + "?filing_type=first&province=44", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "请输入11位中国大陆手机号码" in page
    assert "域名" in page
    assert not Filing.objects.exists()


def test_website_principal_fields_are_required_unless_same_person(client_for, principal):
    data = entry_data()
    del data["websites-0-same_as_subject_principal"]
    response = client_for(principal).post(reverse("filings:create") + "?filing_type=first&province=44", data)
    assert response.status_code == 400
    data.update(
        {
            "websites-0-principal-name": "王站长",
            "websites-0-principal-id_kind": "resident_id",
            "websites-0-principal-id_number": make_resident_id(rng, "44"),
            "websites-0-principal-mobile": make_mobile(rng),
        }
    )
    response = client_for(principal).post(reverse("filings:create") + "?filing_type=first&province=44", data)
    assert response.status_code == 302
    website = Filing.objects.get().websites.get()
    assert website.principal.name == "王站长"


def test_second_open_filing_of_a_subject_is_refused_with_a_message(client_for, principal):
    published = factories.ready_filing(assignee=principal)
    published = transitions.submit_filing(published, by=principal)
    client = client_for(principal)
    data = entry_data()
    url = reverse("filings:create") + f"?filing_type=new_website&province=44&subject={published.subject_id}"
    response = client.post(url, data)
    assert response.status_code == 400  # the subject has no published filing yet
    assert Filing.objects.count() == 1


def test_new_website_for_a_published_subject_reuses_the_subject(client_for, principal, reviewer):
    published = factories.ready_filing(assignee=principal)
    # Published through the services in test_transitions; here only the state matters.
    Filing.objects.filter(pk=published.pk).update(state=State.PUBLISHED)
    url = reverse("filings:create") + f"?filing_type=new_website&province=44&subject={published.subject_id}"
    client = client_for(principal)
    page = client.get(url).content.decode()
    assert published.subject.name in page and "disabled" in page
    response = client.post(url, entry_data())
    assert response.status_code == 302
    new = Filing.objects.exclude(pk=published.pk).get()
    assert new.subject_id == published.subject_id
    assert new.filing_type == Filing.Type.NEW_WEBSITE


def test_the_subject_picker_offers_a_short_list_and_finds_the_rest(client_for, principal):
    made = [factories.ready_filing(assignee=principal) for _ in range(25)]
    Filing.objects.filter(pk__in=[f.pk for f in made]).update(state=State.PUBLISHED)
    wanted = made[0].subject
    Subject.objects.filter(pk=wanted.pk).update(name="温州瓯江数据有限公司")
    client = client_for(principal)
    start = client.get(reverse("filings:create")).content.decode()
    assert start.count('name="subject"') == 20  # the 20 most recently changed, not all 25
    found = client.get(
        reverse("filings:create"),
        {"filing_type": "new_website", "province": "44", "subject_search": "瓯江", "find_subject": "1"},
    )
    body = found.content.decode()
    assert found.status_code == 200 and body.count('name="subject"') == 1 and "温州瓯江数据有限公司" in body
    nothing = client.get(reverse("filings:create"), {"subject_search": "不存在的名称", "find_subject": "1"})
    assert "没有找到符合的已备案主体" in nothing.content.decode()
    chosen = client.get(
        reverse("filings:create"), {"filing_type": "new_website", "province": "44", "subject": wanted.pk}
    )
    assert chosen.status_code == 200 and "温州瓯江数据有限公司" in chosen.content.decode()


def test_the_subject_picker_refuses_another_principals_subject(client_for, principal, other_principal):
    theirs = factories.ready_filing(assignee=other_principal)
    Filing.objects.filter(pk=theirs.pk).update(state=State.PUBLISHED)
    response = client_for(principal).get(
        reverse("filings:create"),
        {"filing_type": "new_website", "province": "44", "subject": theirs.subject_id},
    )
    assert response.status_code == 400
    assert theirs.subject.name not in response.content.decode()


def test_edit_saves_and_bumps_the_version(client_for, filing):
    website = filing.websites.get()
    data = edit_data(filing, **{"websites-0-name": "星河科技产品中心"})
    response = client_for(filing.assignee).post(reverse("filings:edit", args=[filing.pk]), data)
    assert response.status_code == 302
    website.refresh_from_db()
    assert website.name == "星河科技产品中心"
    filing.refresh_from_db()
    assert filing.version == 2


def test_edit_adds_a_second_domain_and_deletes_it_again(client_for, filing):
    client = client_for(filing.assignee)
    data = edit_data(
        filing,
        **{
            "websites-0-domains-TOTAL_FORMS": "2",
            "websites-0-domains-1-name": "xinghe-extra.cn",
            "websites-0-domains-1-registrant_name": filing.subject.name,
        },
    )
    assert client.post(reverse("filings:edit", args=[filing.pk]), data).status_code == 302
    assert filing.websites.get().domains.count() == 2
    data = edit_data(filing, **{"websites-0-domains-1-DELETE": "on"})
    assert client.post(reverse("filings:edit", args=[filing.pk]), data).status_code == 302
    assert filing.websites.get().domains.count() == 1


def test_edit_with_a_stale_version_is_a_conflict_that_keeps_the_input(client_for, filing):
    client = client_for(filing.assignee)
    stale = edit_data(filing, **{"websites-0-name": "我的修改内容"})
    first = edit_data(filing, **{"websites-0-name": "别人的修改内容"})
    assert client.post(reverse("filings:edit", args=[filing.pk]), first).status_code == 302
    response = client.post(reverse("filings:edit", args=[filing.pk]), stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "已被他人更新" in page
    assert "我的修改内容" in page
    assert filing.websites.get().name == "别人的修改内容"
    # Saving again from the conflict page knowingly replaces the other change.
    again = dict(stale, version=str(response.context["version"]))
    assert client.post(reverse("filings:edit", args=[filing.pk]), again).status_code == 302
    assert filing.websites.get().name == "我的修改内容"


def test_edit_service_error_lands_on_the_field(client_for, filing):
    filing.province = factories.province("65")  # Xinjiang: one domain per website
    Filing.objects.filter(pk=filing.pk).update(province=filing.province)
    data = edit_data(
        filing,
        **{
            "websites-0-domains-TOTAL_FORMS": "2",
            "websites-0-domains-1-name": "xinghe-two.cn",
            "websites-0-domains-1-registrant_name": filing.subject.name,
        },
    )
    response = client_for(filing.assignee).post(reverse("filings:edit", args=[filing.pk]), data)
    assert response.status_code == 400
    assert "最多1个域名" in response.content.decode()
    assert filing.websites.get().domains.count() == 1


def test_edit_is_refused_once_submitted(client_for, filing):
    filing = transitions.submit_filing(filing, by=filing.assignee)
    client = client_for(filing.assignee)
    response = client.get(reverse("filings:edit", args=[filing.pk]))
    assert response.status_code == 302
    response = client.post(reverse("filings:edit", args=[filing.pk]), edit_data(filing))
    assert response.status_code == 302
    assert not FilingEvent.objects.filter(filing=filing, transition="edit").exists()


def test_reviewer_may_not_edit(client_for, filing, reviewer):
    assert client_for(reviewer).get(reverse("filings:edit", args=[filing.pk])).status_code == 403


def test_after_a_return_the_form_opens_at_the_named_fields(client_for, filing, reviewer):
    filing = transitions.submit_filing(filing, by=filing.assignee)
    transitions.return_filing(
        filing,
        by=reviewer,
        reasons=[
            {"field": "domain.registrant_name", "reason": "注册人与主体不一致", "suggested_fix": "过户"}
        ],
    )
    response = client_for(filing.assignee).get(reverse("filings:edit", args=[filing.pk]))
    page = response.content.decode()
    assert 'class="field attention"' in page
    assert "注册人与主体不一致" in page
    assert response.context["focus_id"] == "id_websites-0-domains-0-registrant_name"
    assert "autofocus" in page


def test_a_check_link_focuses_its_field(client_for, filing):
    website = filing.websites.get()
    url = reverse("filings:edit", args=[filing.pk]) + f"?focus=website.server_valid_until&obj={website.pk}"
    response = client_for(filing.assignee).get(url)
    assert response.context["focus_id"] == "id_websites-0-server_valid_until"


# Materials.


def upload(client, filing, kind, content, name="scan.jpg", **extra):
    data = {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="image/jpeg"), **extra}
    return client.post(reverse("filings:materials", args=[filing.pk]), data)


@pytest.mark.usefixtures("file_storage")
def test_low_dpi_licence_is_stored_as_a_failing_version_with_the_reason(client_for, filing):
    client = client_for(filing.assignee)
    response = upload(client, filing, "business_licence", scan_samples.licence_scan(dpi=150))
    assert response.status_code == 302
    latest = Material.objects.filter(filing=filing, kind="business_licence").order_by("-version").first()
    assert latest.version == 2 and latest.check_status == "fail"
    page = client.get(response.url).content.decode()
    assert "300 dpi" in page and "未通过" in page
    checklist = client.get(reverse("filings:checklist", args=[filing.pk])).content.decode()
    assert "营业执照" in checklist and "disabled" in checklist


@pytest.mark.usefixtures("file_storage")
def test_good_licence_passes_and_old_versions_stay(client_for, filing):
    client = client_for(filing.assignee)
    upload(client, filing, "business_licence", scan_samples.licence_scan(dpi=150))
    upload(client, filing, "business_licence", scan_samples.licence_scan(dpi=300))
    versions = list(
        Material.objects.filter(filing=filing, kind="business_licence")
        .order_by("version")
        .values_list("version", "check_status")
    )
    assert versions == [(1, "pass"), (2, "fail"), (3, "pass")]
    page = client.get(reverse("filings:materials", args=[filing.pk])).content.decode()
    assert "第3版" in page and "第2版" in page and "第1版" in page


def test_rejected_file_type_is_a_400_with_the_reason_and_stores_nothing(client_for, filing):
    before = Material.objects.count()
    response = upload(
        client_for(filing.assignee), filing, "business_licence", b"MZ\x90\x00 not an image", "x.jpg"
    )
    assert response.status_code == 400
    assert "JPG" in response.content.decode() or "PDF" in response.content.decode()
    assert Material.objects.count() == before


@pytest.mark.usefixtures("file_storage")
def test_id_upload_for_a_person_of_another_filing_is_refused(client_for, filing, other_principal):
    other = factories.ready_filing(assignee=other_principal)
    response = upload(
        client_for(filing.assignee),
        filing,
        "id_front",
        scan_samples.licence_scan(dpi=300, kind="id_front"),
        person_id=other.subject_principal_id,
    )
    assert response.status_code == 400
    assert not Material.objects.filter(filing=filing, person_id=other.subject_principal_id).exists()


def test_materials_page_lists_a_slot_per_principal_id_side(client_for, filing):
    page = client_for(filing.assignee).get(reverse("filings:materials", args=[filing.pk])).content.decode()
    assert f'name="person_id" value="{filing.subject_principal_id}"' in page
    assert "身份证人像面" in page and "身份证国徽面" in page
    assert "互联网信息服务备案承诺书" in page  # Guangdong asks for it


# Checklist, submission and resubmission.


def test_checklist_passes_and_submit_moves_to_provider_review(client_for, filing):
    client = client_for(filing.assignee)
    page = client.get(reverse("filings:checklist", args=[filing.pk])).content.decode()
    assert "全部检查通过" in page
    assert "disabled" not in page.split('action="' + reverse("filings:submit-filing", args=[filing.pk]))[1]
    response = client.post(reverse("filings:submit-filing", args=[filing.pk]), {"comment": "首次提交"})
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == State.PROVIDER_REVIEW


def test_submit_with_failing_checks_is_a_400_listing_them(client_for, filing):
    Material.objects.filter(filing=filing, kind="pledge").delete()
    response = client_for(filing.assignee).post(reverse("filings:submit-filing", args=[filing.pk]), {})
    assert response.status_code == 400
    assert "缺少" in response.content.decode()
    filing.refresh_from_db()
    assert filing.state == State.ENTRY


def test_failed_check_links_to_the_place_to_fix_it(client_for, filing):
    website = filing.websites.get()
    website.server_valid_until = timezone.localdate() + timedelta(days=10)
    website.save()
    page = client_for(filing.assignee).get(reverse("filings:checklist", args=[filing.pk])).content.decode()
    assert f"?focus=website.server_valid_until&amp;obj={website.pk}" in page


def test_return_fix_and_resubmit_keeps_every_round(client_for, filing, reviewer):
    principal = filing.assignee
    client = client_for(principal)
    client.post(reverse("filings:submit-filing", args=[filing.pk]), {"comment": "第一次"})
    filing.refresh_from_db()
    transitions.return_filing(
        filing,
        by=reviewer,
        reasons=[{"field": "website.name", "reason": "名称不符", "suggested_fix": "改名"}],
    )
    filing.refresh_from_db()
    data = edit_data(filing, **{"websites-0-name": "星河科技产品展示中心"})
    assert client.post(reverse("filings:edit", args=[filing.pk]), data).status_code == 302
    page = client.get(reverse("filings:checklist", args=[filing.pk])).content.decode()
    assert "重新提交" in page
    client.post(reverse("filings:submit-filing", args=[filing.pk]), {"comment": "已按要求改名"})
    filing.refresh_from_db()
    assert filing.state == State.PROVIDER_REVIEW and filing.round == 2
    names = list(filing.events.values_list("transition", flat=True))
    assert names.count("submit") == 2 and "return_to_entry" in names
    detail = client.get(filing.get_absolute_url()).content.decode()
    assert "第1轮" in detail and "第2轮" in detail and "已按要求改名" in detail and "名称不符" in detail


def test_withdraw(client_for, filing):
    response = client_for(filing.assignee).post(
        reverse("filings:withdraw-filing", args=[filing.pk]), {"comment": "不做了"}
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == State.WITHDRAWN


def test_withdraw_refused_in_bureau_review_is_a_409_not_a_500(client_for, filing, reviewer):
    Filing.objects.filter(pk=filing.pk).update(state=State.BUREAU_REVIEW)
    response = client_for(filing.assignee).post(reverse("filings:withdraw-filing", args=[filing.pk]), {})
    assert response.status_code == 409
    assert "不能执行" in response.content.decode()


# SMS step.


def test_sms_page_lists_verifiers_with_countdown_and_records_each(client_for, filing, reviewer):
    website = filing.websites.get()
    other = factories.PersonFactory()
    website.principal = other
    website.save()
    factories.add_required_materials(filing)  # the new person's ID scans
    filing = transitions.submit_filing(filing, by=filing.assignee)
    filing = transitions.pass_review(filing, by=reviewer)
    client = client_for(filing.assignee)
    response = client.get(reverse("filings:sms", args=[filing.pk]))
    page = response.content.decode()
    assert filing.subject_principal.name in page and other.name in page
    assert "剩余 23 小时" in page or "剩余 24 小时" in page
    verifiers = list(filing.sms_verifiers.order_by("id"))
    assert len(verifiers) == 2
    client.post(reverse("filings:sms", args=[filing.pk]), {"verifier_id": verifiers[0].pk})
    filing.refresh_from_db()
    assert filing.state == State.SMS_VERIFICATION
    response = client.post(reverse("filings:sms", args=[filing.pk]), {"verifier_id": verifiers[1].pk})
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == State.BUREAU_REVIEW


def test_sms_record_with_a_bad_verifier_is_a_400(client_for, filing, reviewer):
    filing = transitions.submit_filing(filing, by=filing.assignee)
    filing = transitions.pass_review(filing, by=reviewer)
    client = client_for(filing.assignee)
    assert client.post(reverse("filings:sms", args=[filing.pk]), {"verifier_id": "x"}).status_code == 400
    assert client.post(reverse("filings:sms", args=[filing.pk]), {"verifier_id": 999999}).status_code == 400


def test_public_security_number_is_recorded_on_a_published_filing(client_for, filing, reviewer):
    principal = filing.assignee
    filing = transitions.submit_filing(filing, by=principal)
    filing = transitions.pass_review(filing, by=reviewer)
    for verifier in filing.sms_verifiers.all():
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    filing = transitions.approve_filing(filing, by=reviewer, icp_number="粤ICP备2026012345号")
    client = client_for(principal)
    page = client.get(filing.get_absolute_url()).content.decode()
    assert "粤ICP备2026012345号" in page and "公安联网备案" in page
    response = client.post(reverse("filings:public-security", args=[filing.pk]), {"psb_number": ""})
    assert response.status_code == 400
    response = client.post(
        reverse("filings:public-security", args=[filing.pk]), {"psb_number": "粤公网安备44030502000001号"}
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.psb_number == "粤公网安备44030502000001号"


# Adding rows without JavaScript: the "add" buttons submit the form and the page comes back with
# one more empty row, everything typed kept, nothing saved and no errors shown yet.


def test_without_javascript_add_website_keeps_the_input_and_saves_nothing(client_for, principal):
    url = reverse("filings:create") + "?filing_type=first&province=44"
    client = client_for(principal)
    data = entry_data(**{"add_row": "websites", "subject_principal-mobile": ""})  # half-filled
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert not Filing.objects.filter(assignee=principal).exists()
    assert 'name="websites-1-name"' in page and 'name="websites-1-domains-0-name"' in page
    assert 'value="广州市云帆信息技术有限公司"' in page and 'value="yunfan-demo.cn"' in page
    assert 'aria-invalid="true"' not in page and "填写的信息有误" not in page
    # The form as the browser now holds it saves both websites.
    data = entry_data(
        **{
            "websites-TOTAL_FORMS": "2",
            "websites-1-name": "云帆商城",
            "websites-1-homepage": "https://shop.yunfan-demo.cn/",
            "websites-1-service_content": "corporate",
            "websites-1-server_provider": "广州云计算有限公司",
            "websites-1-server_valid_until": (timezone.localdate() + timedelta(days=365)).isoformat(),
            "websites-1-same_as_subject_principal": "on",
            "websites-1-domains-TOTAL_FORMS": "1",
            "websites-1-domains-INITIAL_FORMS": "0",
            "websites-1-domains-0-name": "yunfan-shop.cn",
            "websites-1-domains-0-registrant_name": "广州市云帆信息技术有限公司",
            "websites-1-approvals-TOTAL_FORMS": "0",
            "websites-1-approvals-INITIAL_FORMS": "0",
        }
    )
    assert client.post(url, data).status_code == 302
    assert Filing.objects.get(assignee=principal).websites.count() == 2


def test_without_javascript_add_domain_on_an_existing_draft(client_for, filing):
    client = client_for(filing.assignee)
    url = reverse("filings:edit", args=[filing.pk])
    response = client.post(url, edit_data(filing, add_row="websites-0-domains"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="websites-0-domains-1-name"' in page and 'name="websites-0-domains-2-name"' not in page
    filing.refresh_from_db()
    assert filing.version == 1 and filing.websites.get().domains.count() == 1
    assert f'name="version" value="{filing.version}"' in page


def test_add_row_for_a_formset_that_is_not_there_is_a_400_that_saves_nothing(client_for, filing):
    client = client_for(filing.assignee)
    response = client.post(
        reverse("filings:edit", args=[filing.pk]), edit_data(filing, add_row="websites-7-domains")
    )
    assert response.status_code == 400
    assert "无法添加" in response.content.decode()
    filing.refresh_from_db()
    assert filing.version == 1


def test_the_list_size_is_said_on_the_first_page_only(client_for, principal):
    for _ in range(27):
        factories.ready_filing(assignee=principal)
    client = client_for(principal)
    first = client.get(reverse("filings:list")).content.decode()
    assert "共 27 个备案" in first
    after = re.search(r'after=([\w-]+)" rel="next"', first).group(1)
    second = client.get(reverse("filings:list"), {"after": after}).content.decode()
    assert "个备案</p>" not in second and "第一页" in second


def test_a_search_counts_up_to_a_hundred(client_for, principal, monkeypatch):
    from filings.reads import keyset

    monkeypatch.setattr(keyset, "SPARSE_COUNT_CAP", 3)
    for _ in range(27):
        factories.ready_filing(assignee=principal)
    client = client_for(principal)
    name = Filing.objects.filter(assignee=principal).first().subject.name
    body = client.get(reverse("filings:list"), {"q": name[:2]}).content.decode()
    assert "超过 3 个备案" in body
    assert "共 27 个备案" in client.get(reverse("filings:list")).content.decode()


def test_each_list_row_shows_its_own_progress_bar(principal):
    """Rows of one type in one state share their bar (rendered once per page); others keep their own."""
    drafts = [factories.ready_filing(assignee=principal) for _ in range(2)]
    submitted = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    client = Client()
    client.force_login(principal)
    body = client.get(reverse("filings:list")).content.decode()
    cards = {
        int(pk): card for pk, card in re.findall(r'<a href="/filings/(\d+)/">(.*?)</dl>', body, flags=re.S)
    }
    assert set(cards) == {f.pk for f in [*drafts, submitted]}
    current = {pk: re.findall(r'<li class="step current"', card) for pk, card in cards.items()}
    assert all(len(marks) == 1 for marks in current.values())
    for pk in (drafts[0].pk, drafts[1].pk):
        assert '<li class="step current" aria-current="step">' in cards[pk] and "✓" not in cards[pk]
    assert cards[submitted.pk].count("✓") == 1 and "当前阶段" in cards[submitted.pk]
