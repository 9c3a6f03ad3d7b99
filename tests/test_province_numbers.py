"""ICP and public-security numbers per province (two abbreviations each, GB/T 2260 division codes),
one ICP number per subject with a -N per website and app, and the bureau's 20-working-day limit."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.roles import Role
from filings.exceptions import InvalidInput
from filings.formats.validators import validate_icp_subject_number, validate_psb_number
from filings.models import Filing, Province, Website
from filings.services import transitions
from tests import factories

pytestmark = pytest.mark.django_db

# domain.md: the ICP abbreviation of each province, and the three whose public-security one differs.
ICP_ABBREVIATIONS = dict(zip(
    ["11", "12", "31", "50", "13", "14", "15", "21", "22", "23", "32", "33", "34", "35", "36", "37",
     "41", "42", "43", "44", "45", "46", "51", "52", "53", "54", "61", "62", "63", "64", "65"],
    "京津沪渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼蜀黔滇藏陕陇青宁新",
    strict=True,
))  # fmt: skip
PSB_DIFFERENT = {"51": "川", "62": "甘", "52": "贵"}


def icp_code(value, province_code):
    province = Province.objects.get(code=province_code)
    try:
        validate_icp_subject_number(value, abbreviation=province.icp_abbreviation)
    except ValidationError as error:
        return error.code
    return None


def psb_code(value, province_code):
    province = Province.objects.get(code=province_code)
    try:
        validate_psb_number(value, abbreviation=province.psb_abbreviation, province_code=province.code)
    except ValidationError as error:
        return error.code
    return None


def test_every_province_carries_its_two_abbreviations():
    for province in Province.objects.all():
        assert province.icp_abbreviation == ICP_ABBREVIATIONS[province.code], province.name
        expected = PSB_DIFFERENT.get(province.code, ICP_ABBREVIATIONS[province.code])
        assert province.psb_abbreviation == expected, province.name


@pytest.mark.parametrize(
    ("number", "province", "code"),
    [
        ("蜀ICP备2026012345号", "51", None),
        ("蜀ICP备12003456号", "51", None),  # an older 8-digit serial
        ("陇ICP备2021000123号", "62", None),
        ("黔ICP备2023004567号", "52", None),
        ("滇ICP备2020012345号", "53", None),
        ("鲁ICP备2026053870号", "37", None),
        ("京ICP备05012345号", "11", None),
        ("川ICP备2026012345号", "51", "icp_province"),  # the public-security abbreviation
        ("甘ICP备2026012345号", "62", "icp_province"),
        ("贵ICP备2026012345号", "52", "icp_province"),
        ("蜀ICP备2026012345号", "50", "icp_province"),  # Chongqing is 渝
        ("蜀ICP证2026012345号", "51", "icp_format"),  # a commercial licence
        ("蜀ICP备202601234号", "51", "icp_format"),
    ],
)
def test_icp_numbers_take_the_icp_abbreviation(number, province, code):
    assert icp_code(number, province) == code


@pytest.mark.parametrize(
    ("number", "province", "code"),
    [
        ("川公网安备51010402001234号", "51", None),  # Chengdu Jinjiang
        ("川公网安备51019002000543号", "51", "psb_division"),  # 510190 does not exist
        ("甘公网安备62010202000123号", "62", None),  # Lanzhou Chengguan
        ("贵公网安备52010302000987号", "52", None),  # Guiyang Yunyan
        ("滇公网安备53010202000111号", "53", None),  # Kunming Wuhua
        ("京公网安备11010502030143号", "11", None),  # Beijing Chaoyang
        ("京公网安备11000002000001号", "11", None),  # issued at city level (110000)
        ("粤公网安备44030002000001号", "44", None),  # Shenzhen city level (440300)
        ("粤公网安备44030502000001号", "44", None),  # Shenzhen Nanshan
        ("浙公网安备33010602012345号", "33", None),  # Hangzhou Xihu
        ("京公网安备11990002030143号", "11", "psb_division"),  # no division 119900
        ("粤公网安备44999902000001号", "44", "psb_division"),
        ("蜀公网安备51010402001234号", "51", "psb_province"),  # the ICP abbreviation
        ("陇公网安备62010202000123号", "62", "psb_province"),
        ("黔公网安备52010302000987号", "52", "psb_province"),
        ("川公网安备50010102001234号", "51", "psb_province"),  # a Chongqing code
    ],
)
def test_public_security_numbers_take_their_own_abbreviation_and_a_division_of_the_province(
    number, province, code
):
    assert psb_code(number, province) == code


def test_messages_show_each_provinces_own_examples():
    with pytest.raises(ValidationError) as error:
        validate_icp_subject_number("川ICP备2026012345号", abbreviation="蜀")
    assert "蜀" in error.value.messages[0]
    sichuan = Province.objects.get(code="51")
    with pytest.raises(ValidationError) as error:
        validate_psb_number("蜀公网安备51010402001234号", abbreviation="川", province_code="51")
    message = error.value.messages[0]
    assert "川公网安备510" in message and "蜀" not in message
    assert sichuan.psb_abbreviation == "川"


def test_approval_and_public_security_registration_in_sichuan(principal, reviewer):
    filing = factories.published_filing(assignee=principal, reviewer=reviewer, province_code="51")
    assert filing.icp_number.startswith("蜀ICP备")
    assert filing.websites.get().icp_number == f"{filing.icp_number}-1"
    with pytest.raises(InvalidInput):
        transitions.register_public_security(filing, by=principal, psb_number="蜀公网安备51010402001234号")
    filing = transitions.register_public_security(
        filing, by=principal, psb_number="川公网安备51010402001234号"
    )
    assert filing.psb_number == "川公网安备51010402001234号"


def test_review_page_shows_the_provinces_abbreviations(client, principal, reviewer):
    filing = factories.carry_to_bureau(
        factories.ready_filing(assignee=principal, province_code="62"), reviewer=reviewer
    )
    client.force_login(reviewer)
    page = client.get(reverse("filings:review-filing", args=[filing.pk])).content.decode()
    assert "陇ICP备2026012345号" in page


def new_website_filing(published: Filing, *, position_name: str = "星河科技博客") -> Filing:
    """A ready new-website filing of a published filing's subject."""
    filing = factories.FilingFactory(
        subject=published.subject,
        province=published.province,
        subject_principal=published.subject_principal,
        assignee=published.assignee,
        filing_type=Filing.Type.NEW_WEBSITE,
    )
    website = factories.WebsiteFactory(filing=filing, position=1, name=position_name)
    factories.DomainFactory(website=website)
    factories.add_required_materials(filing)
    return filing


def test_a_new_website_takes_the_subjects_number_and_the_next_sequence(principal, reviewer):
    published = factories.published_filing(assignee=principal, reviewer=reviewer, province_code="37")
    subject_number = published.icp_number
    assert published.websites.get().icp_number == f"{subject_number}-1"
    second = factories.carry_to_bureau(new_website_filing(published), reviewer=reviewer)
    other = f"鲁ICP备{2026053870 if subject_number != '鲁ICP备2026053870号' else 2026053871}号"
    with pytest.raises(InvalidInput, match=subject_number) as refused:
        transitions.approve_filing(second, by=reviewer, icp_number=other)
    assert subject_number in refused.value.details["icp_number"][0]
    with pytest.raises(InvalidInput, match="序号已被"):
        transitions.approve_filing(
            second,
            by=reviewer,
            icp_number=subject_number,
            website_numbers={second.websites.get().pk: f"{subject_number}-1"},
        )
    second = transitions.approve_filing(second, by=reviewer, icp_number=subject_number)
    assert second.icp_number == subject_number
    assert second.websites.get().icp_number == f"{subject_number}-2"


def test_a_website_after_an_app_skips_the_apps_place(principal, reviewer, published):
    app_filing = factories.publish(
        factories.ready_app_filing(published), reviewer=reviewer, icp_number=published.icp_number
    )
    assert app_filing.apps.get().icp_number == f"{published.icp_number}-2A"
    third = factories.carry_to_bureau(new_website_filing(published), reviewer=reviewer)
    third = transitions.approve_filing(third, by=reviewer, icp_number=published.icp_number)
    assert third.websites.get().icp_number == f"{published.icp_number}-3"
    assert Website.objects.filter(filing__subject=published.subject).count() == 2


def test_the_review_page_proposes_the_subjects_number_and_the_next_sequence(
    client, principal, reviewer, published
):
    second = factories.carry_to_bureau(new_website_filing(published), reviewer=reviewer)
    client.force_login(reviewer)
    response = client.get(reverse("filings:review-filing", args=[second.pk]))
    page = response.content.decode()
    assert f'value="{published.icp_number}"' in page
    assert f'value="{published.icp_number}-2"' in page


def test_the_bureau_limit_is_20_working_days_everywhere():
    assert set(Province.objects.values_list("bureau_review_workdays", flat=True)) == {20}
    assert Province.objects.get(code="33").bureau_review_source == ""


def test_a_longer_limit_needs_a_source():
    zhejiang = Province.objects.get(code="33")
    zhejiang.bureau_review_workdays = 30
    with pytest.raises(ValidationError) as error:
        zhejiang.full_clean()
    assert "bureau_review_source" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        zhejiang.save()
    zhejiang.bureau_review_source = "浙江省通信管理局公告(示例)"
    zhejiang.full_clean()
    zhejiang.save()


def test_admin_edits_both_abbreviations_and_the_limits_source(client):
    admin = factories.UserFactory(username="admin-numbers", role=Role.ADMIN, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin:filings_province_change", args=[Province.objects.get(code="51").pk]))
    body = page.content.decode()
    assert 'name="psb_abbreviation"' in body and 'value="川"' in body
    assert 'name="icp_abbreviation"' in body and 'value="蜀"' in body
    assert 'name="bureau_review_source"' in body


def test_the_rules_box_names_the_source_of_a_longer_limit(client, principal):
    Province.objects.filter(code="33").update(
        bureau_review_workdays=30, bureau_review_source="浙江管局2027年第1号公告"
    )
    client.force_login(principal)
    page = client.get(reverse("filings:create"), {"filing_type": "first", "province": "33"}).content.decode()
    assert "管局审核时限为 30 个工作日。(出处:浙江管局2027年第1号公告)" in page


def test_the_public_security_form_shows_the_provinces_own_example(client, principal, reviewer):
    filing = factories.published_filing(assignee=principal, reviewer=reviewer, province_code="52")
    client.force_login(principal)
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert "贵公网安备520" in page
    assert "京公网安备11010502030143号" not in page
