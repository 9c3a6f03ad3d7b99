"""Pre-submission rules: each one failing and passing, and submit refused with the list of failures."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc
from stdnum.iso7064 import mod_11_2

from filings.exceptions import ChecksFailed
from filings.formats.identity import make_resident_id
from filings.kinds.states import State
from filings.models import (
    Domain,
    Filing,
    FilingEvent,
    Material,
    Person,
    PriorApproval,
    Province,
    RuleTerm,
    Subject,
    Website,
)
from filings.rules.checks import FAIL, PASS, load_filing_for_checks, run_submission_checks
from filings.services import transitions
from tests import factories

TODAY = timezone.localdate


def checklist(filing):
    return run_submission_checks(load_filing_for_checks(filing.pk))


def failures(filing) -> set[str]:
    return {r.code for r in checklist(filing).failures}


def status_of(filing, code: str) -> set[str]:
    return {r.status for r in checklist(filing).results if r.code == code}


def first(filing, model):
    if model is Domain:
        return Domain.objects.filter(website__filing=filing).first()
    if model is Website:
        return filing.websites.first()
    return None


@pytest.mark.django_db
def test_ready_filing_passes_everything(filing):
    result = checklist(filing)
    assert result.passed, [r.message for r in result.failures]
    codes = {r.code for r in result.results}
    # The checklist shows what passed, too.
    assert {
        "subject_certificate",
        "licence_valid",
        "person_id",
        "person_id_validity",
        "person_mobile",
        "emergency_phone_distinct",
        "phones_unique_to_subject",
        "has_website",
        "website_has_domain",
        "server_validity",
        "website_name",
        "tld_allowed",
        "domain_real_name_synced",
        "registrant_matches_subject",
        "material_quality",
        "one_open_filing",
    } <= codes
    assert all(r.message for r in result.results)


# Domains.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("verified", "today", "ok"),
    [
        (None, "2026-11-30", False),
        # Verified on Thursday 26 November: three working days are Friday, Monday and Tuesday.
        ("2026-11-26", "2026-11-29", False),  # three calendar days, one working day
        ("2026-11-26", "2026-11-30", False),
        ("2026-11-26", "2026-12-01", True),
        # Verified before the National Day holiday: the holiday does not count.
        ("2026-09-30", "2026-10-08", False),
        ("2026-09-30", "2026-10-12", True),
    ],
)
def test_domain_real_name_wait_counts_working_days(filing, verified, today, ok):
    domain = first(filing, Domain)
    domain.real_name_verified_at = date.fromisoformat(verified) if verified else None
    domain.save()
    result = run_submission_checks(load_filing_for_checks(filing.pk), today=date.fromisoformat(today))
    [check] = [r for r in result.results if r.code == "domain_real_name_synced"]
    assert check.status == (PASS if ok else FAIL)
    assert "3个工作日" in (check.message if ok else check.fix)


@pytest.mark.django_db
def test_real_name_wait_is_one_definition_for_check_message_and_catalogue(filing):
    from filings.models import DurationRule
    from filings.reads import selectors

    DurationRule.objects.filter(code="real_name_wait").update(amount=5, unit="days")
    domain = first(filing, Domain)
    domain.real_name_verified_at = TODAY() - timedelta(days=4)
    domain.save()
    [check] = [r for r in checklist(filing).results if r.code == "domain_real_name_synced"]
    assert check.status == FAIL and "5天" in check.message and "5天" in check.fix
    catalogue = {r.code: r for r in selectors.rejection_catalogue()}
    entry = catalogue["domain-real-name-not-synced"]
    assert "5天" in entry.reason and "5天" in entry.suggested_fix
    assert "{" not in entry.reason
    domain.real_name_verified_at = TODAY() - timedelta(days=5)
    domain.save()
    assert status_of(filing, "domain_real_name_synced") == {PASS}


@pytest.mark.django_db
def test_registrant_must_be_the_subject(filing):
    domain = first(filing, Domain)
    domain.registrant_name = "另一家公司"
    domain.save()
    assert failures(filing) == {"registrant_matches_subject"}
    domain.registrant_name = filing.subject.name
    domain.registrant_certificate_number = "91110108551385082Q"
    domain.save()
    assert failures(filing) == {"registrant_matches_subject"}
    domain.registrant_certificate_number = filing.subject.certificate_number.lower()
    domain.save()
    assert failures(filing) == set()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("xinghe.io", False),
        ("xinghe.ai", False),
        ("xinghe.dev", False),  # on no list at all: outside the allow-list is refused
        ("xinghe.app", False),
        ("xinghe.asia", False),
        ("xinghe.win", False),
        ("xinghe.com", True),
        ("xinghe.org", True),
        ("xinghe.top", True),
        ("xinghe.com.cn", True),
        ("星河.中国", True),
        ("星河.公司", True),
    ],
)
def test_tld_allow_list(filing, name, ok):
    domain = first(filing, Domain)
    domain.name = name
    domain.save()
    assert failures(filing) == (set() if ok else {"tld_allowed"})


@pytest.mark.django_db
def test_domain_expiring_soon_is_a_warning_only(filing):
    domain = first(filing, Domain)
    domain.expires_on = TODAY() + timedelta(days=30)
    domain.save()
    result = checklist(filing)
    assert result.passed
    assert [r.code for r in result.warnings] == ["domain_expiry"]


@pytest.mark.django_db
def test_website_needs_a_domain(filing):
    Domain.objects.filter(website__filing=filing).delete()
    assert failures(filing) == {"website_has_domain"}


# Server, licence, IDs.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("valid_from", "valid_until", "ok"),
    [
        # Bought for a year six months ago: 2 months left, but the term is a year.
        ("2026-05-30", "2026-12-30", True),
        ("2026-10-01", "2027-01-01", True),  # exactly three months
        ("2026-10-02", "2027-01-01", False),  # a day short of three months
        ("2026-11-01", "2026-12-31", False),  # a two-month server
        ("2025-11-01", "2026-11-28", False),  # expired yesterday
        (None, "2027-03-01", True),  # no purchase date, but three months are left anyway
        (None, "2027-02-27", False),  # no purchase date and less than three months left
    ],
)
def test_server_term_is_the_purchased_term_in_total(filing, valid_from, valid_until, ok):
    Website.objects.filter(filing=filing).update(
        server_valid_from=date.fromisoformat(valid_from) if valid_from else None,
        server_valid_until=date.fromisoformat(valid_until),
    )
    result = run_submission_checks(load_filing_for_checks(filing.pk), today=date(2026, 11, 29))
    [check] = [r for r in result.results if r.code == "server_validity"]
    assert check.status == (PASS if ok else FAIL), check.message
    assert "3个月" in (check.message if check.status == PASS or valid_from != "2025-11-01" else check.fix)


@pytest.mark.django_db
def test_server_term_is_one_definition_for_check_and_catalogue(filing):
    from filings.models import DurationRule
    from filings.reads import selectors

    DurationRule.objects.filter(code="server_term").update(amount=6)
    Website.objects.filter(filing=filing).update(
        server_valid_from=TODAY() - timedelta(days=30), server_valid_until=TODAY() + timedelta(days=120)
    )
    [check] = [r for r in checklist(filing).results if r.code == "server_validity"]
    assert check.status == FAIL and "6个月" in check.message
    entry = {r.code: r for r in selectors.rejection_catalogue()}["server-validity-short"]
    assert "6个月" in entry.reason and "6个月" in entry.suggested_fix


@pytest.mark.django_db
def test_expired_licence(filing):
    Subject.objects.filter(pk=filing.subject_id).update(
        licence_long_term=False, licence_valid_until=TODAY() - timedelta(days=1)
    )
    assert failures(filing) == {"licence_valid"}
    Subject.objects.filter(pk=filing.subject_id).update(licence_valid_until=TODAY() + timedelta(days=10))
    assert failures(filing) == set()
    Subject.objects.filter(pk=filing.subject_id).update(licence_valid_until=None)
    assert failures(filing) == {"licence_valid"}


@pytest.mark.django_db
@pytest.mark.parametrize(("days", "ok"), [(-5, False), (30, False), (85, False), (100, True), (None, True)])
def test_id_document_needs_more_than_three_months(filing, days, ok):
    Person.objects.filter(pk=filing.subject_principal_id).update(
        id_valid_until=None if days is None else TODAY() + timedelta(days=days)
    )
    assert failures(filing) == (set() if ok else {"person_id_validity"})


@pytest.mark.django_db
def test_bad_uscc_check_character(filing):
    number = filing.subject.certificate_number
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    Subject.objects.filter(pk=filing.subject_id).update(certificate_number=wrong)
    Domain.objects.filter(website__filing=filing).update(registrant_certificate_number="")
    assert failures(filing) == {"subject_certificate"}
    assert "校验位" in next(r.message for r in checklist(filing).failures)


@pytest.mark.django_db
def test_bad_resident_id_check_character(filing):
    number = filing.subject_principal.id_number
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    Person.objects.filter(pk=filing.subject_principal_id).update(id_number=wrong)
    assert failures(filing) == {"person_id"}


@pytest.mark.django_db
def test_principal_under_the_minimum_age(filing):
    birth = TODAY() - timedelta(days=17 * 365)
    Person.objects.filter(pk=filing.subject_principal_id).update(
        id_number=make_resident_id(factories.rng, "44", birth)
    )
    assert failures(filing) == {"person_age"}
    Province.objects.filter(code="44").update(minimum_age=None)
    assert failures(filing) == set()


# Phones and emails.


@pytest.mark.django_db
@pytest.mark.parametrize("mobile", ["12345", "12800138000", "+8613800138000"])
def test_invalid_mobile(filing, mobile):
    Person.objects.filter(pk=filing.subject_principal_id).update(mobile=mobile)
    assert failures(filing) == {"person_mobile"}


@pytest.mark.django_db
def test_emergency_phone_same_as_mobile(filing):
    person = filing.subject_principal
    Person.objects.filter(pk=person.pk).update(emergency_phone=person.mobile)
    assert failures(filing) == {"emergency_phone_distinct"}


def _second_website_principal(filing, **fields) -> Person:
    person = factories.PersonFactory(name="李网站", **fields)
    Website.objects.filter(filing=filing).update(principal=person)
    factories.add_required_materials(filing)
    return person


@pytest.mark.django_db
def test_different_principals_need_different_phones(filing):
    _second_website_principal(filing, mobile=filing.subject_principal.mobile)
    assert failures(filing) == {"principal_phones_distinct"}


@pytest.mark.django_db
def test_different_principals_need_different_emails(filing):
    _second_website_principal(filing, email=filing.subject_principal.email.upper())
    assert failures(filing) == {"principal_emails_distinct"}


@pytest.mark.django_db
def test_website_principal_emergency_phone_same_as_subject_principal_mobile(filing):
    _second_website_principal(filing, emergency_phone=filing.subject_principal.mobile)
    assert failures(filing) == {"emergency_phone_distinct"}


@pytest.mark.django_db
def test_different_principals_pass(filing):
    _second_website_principal(filing)
    assert failures(filing) == set()


@pytest.fixture(params=["one statement", "two reads"])
def phone_holders_read(request, monkeypatch):
    """Both ways the check reads who else holds a phone: one UNION ALL where the database allows a
    LIMIT inside it (PostgreSQL), two reads where it does not (SQLite, make run)."""
    if request.param == "two reads":
        from django.db import connection

        monkeypatch.setattr(connection.features, "supports_slicing_ordering_in_compound", False)
    return request.param


@pytest.mark.django_db
def test_phone_used_by_another_subjects_principal(filing, phone_holders_read):
    other = factories.ready_filing()
    Person.objects.filter(pk=other.subject_principal_id).update(mobile=filing.subject_principal.mobile)
    assert failures(filing) == {"phones_unique_to_subject"}


@pytest.mark.django_db
def test_emergency_phone_used_by_another_subject(filing, phone_holders_read):
    other = factories.ready_filing()
    Person.objects.filter(pk=other.subject_principal_id).update(
        emergency_phone=filing.subject_principal.emergency_phone
    )
    assert failures(filing) == {"phones_unique_to_subject"}


@pytest.mark.django_db
def test_phone_used_by_another_subjects_website_principal(filing, phone_holders_read):
    other = factories.ready_filing()
    someone = factories.PersonFactory(mobile=filing.subject_principal.mobile)
    Website.objects.filter(filing=other).update(principal=someone)
    assert failures(filing) == {"phones_unique_to_subject"}


@pytest.mark.django_db
def test_phone_of_a_withdrawn_filing_of_another_subject_is_free(filing, principal):
    other = factories.ready_filing(assignee=principal)
    transitions.withdraw_filing(other, by=principal)
    Person.objects.filter(pk=other.subject_principal_id).update(mobile=filing.subject_principal.mobile)
    assert failures(filing) == set()


# One open filing per subject.


@pytest.mark.django_db
def test_one_open_filing_per_subject(filing):
    # The same company entered again as a new subject row (same certificate number).
    twin = factories.ready_filing()
    Subject.objects.filter(pk=twin.subject_id).update(
        certificate_number=filing.subject.certificate_number, name=filing.subject.name
    )
    assert "one_open_filing" in failures(filing)
    assert "one_open_filing" in failures(twin)


# Website names.


def _rename(filing, name: str) -> None:
    Website.objects.filter(filing=filing).update(name=name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("星河科技产品展示", True),
        ("星河", False),  # fewer than 3 Chinese characters
        ("xinghe", False),  # only Latin letters
        ("123456", False),
        ("星河科技!展示", False),  # a symbol
        ("中国星河科技", False),  # reserved prefix
        ("国家星河科技", False),
        ("星河彩票天地", False),  # sensitive word
        ("星河科技中心", True),  # 中心 is refused only for individuals in Guangdong
    ],
)
def test_website_name_rules(filing, name, ok):
    _rename(filing, name)
    assert failures(filing) == (set() if ok else {"website_name"})


@pytest.mark.django_db
def test_website_name_may_not_be_the_domain(filing):
    domain = first(filing, Domain)
    _rename(filing, domain.name.split(".")[0])
    problems = [r.message for r in checklist(filing).failures if r.code == "website_name"]
    assert problems and "域名" in problems[0]


@pytest.mark.django_db
def test_reserved_prefix_allowed_for_government(filing):
    _rename(filing, "中国星河科技")
    Subject.objects.filter(pk=filing.subject_id).update(kind=Subject.Kind.GOVERNMENT)
    assert "website_name" not in failures(filing)


def _make_individual(filing) -> None:
    number = make_resident_id(factories.rng, filing.province.code)
    Subject.objects.filter(pk=filing.subject_id).update(
        kind=Subject.Kind.INDIVIDUAL,
        certificate_kind=Subject.CertificateKind.RESIDENT_ID,
        certificate_number=number,
        name=filing.subject_principal.name,
        licence_long_term=False,
    )
    Domain.objects.filter(website__filing=filing).update(
        registrant_name=filing.subject_principal.name, registrant_certificate_number=number
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("张伟的摄影作品集", True),
        ("张伟的技术博客网站", False),  # 网站
        ("星河科技公司", False),  # 公司
        ("张伟的编程论坛", False),  # 论坛
        ("张伟的在线笔记", False),  # 在线
        ("张伟的摄影中心", False),  # 中心: Guangdong's own word
        ("张伟记录生活点滴与旅行摄影作品", False),  # more than 10 characters
    ],
)
def test_individual_website_names(filing, name, ok):
    _make_individual(filing)
    _rename(filing, name)
    assert failures(filing) == (set() if ok else {"website_name"})


@pytest.mark.django_db
def test_provincial_individual_word_applies_only_in_its_province():
    filing = factories.ready_filing(province_code="32")
    _make_individual(filing)
    _rename(filing, "张伟的摄影中心")
    assert failures(filing) == set()


# Prior approval.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("description", "category"),
    [
        ("提供理财产品介绍", "finance"),
        ("发布时政新闻", "news"),
        ("网络游戏下载", "games"),
        ("在线视频播放", "audio_video"),
    ],
)
def test_declared_regulated_service_needs_a_licence(filing, description, category):
    Website.objects.filter(filing=filing).update(description=description, service_content=category)
    result = checklist(filing)
    assert {r.code for r in result.failures} == {"prior_approval"}
    website = first(filing, Website)
    PriorApproval.objects.create(website=website, category=category, licence_number="京ICP证030173号")
    # With the licence number the approval document becomes a required material.
    assert failures(filing) == {"material_present"}
    factories.passing_material(filing, Material.Kind.PRIOR_APPROVAL, slot=f"website:{website.pk}")
    assert failures(filing) == set()


# Materials.


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["business_licence", "id_front", "id_back", "pledge", "construction_plan"])
def test_required_material_missing(filing, kind):
    Material.objects.filter(filing=filing, kind=kind).delete()
    result = checklist(filing)
    assert {r.code for r in result.failures} == {"material_present"}
    assert {r.field for r in result.failures} == {f"materials.{kind}"}


@pytest.mark.django_db
def test_latest_material_version_failing_its_scan_checks(filing):
    failed = factories.passing_material(filing, Material.Kind.BUSINESS_LICENCE)
    Material.objects.filter(pk=failed.pk).update(
        check_status=Material.CheckStatus.FAIL,
        check_results=[{"code": "dpi", "status": "fail", "message": "分辨率低于300dpi"}],
    )
    result = checklist(filing)
    assert {r.code for r in result.failures} == {"material_quality"}
    assert "300dpi" in result.failures[0].message
    factories.passing_material(filing, Material.Kind.BUSINESS_LICENCE)
    assert failures(filing) == set()


# Province rules from data.


@pytest.mark.django_db
def test_guangdong_requires_the_pledge_and_beijing_does_not():
    guangdong = factories.ready_filing(province_code="44")
    beijing = factories.ready_filing(province_code="11")
    assert Material.objects.filter(filing=guangdong, kind="pledge").exists()
    assert not Material.objects.filter(filing=beijing, kind="pledge").exists()
    assert failures(beijing) == set()
    # An admin adds the pledge to Beijing's data: the rule follows without a release.
    Province.objects.filter(code="11").update(extra_materials=["pledge"])
    assert failures(beijing) == {"material_present"}


def _add_domains(filing, count: int) -> None:
    website = first(filing, Website)
    for _ in range(count):
        factories.DomainFactory(website=website)


@pytest.mark.django_db
def test_shanxi_allows_at_most_three_domains():
    filing = factories.ready_filing(province_code="14")
    _add_domains(filing, 2)
    assert failures(filing) == set()
    _add_domains(filing, 1)
    assert failures(filing) == {"domains_per_filing"}
    # Guangdong has no such limit.
    guangdong = factories.ready_filing(province_code="44")
    _add_domains(guangdong, 5)
    assert failures(guangdong) == set()


@pytest.mark.django_db
def test_xinjiang_allows_one_domain_per_website():
    filing = factories.ready_filing(province_code="65")
    assert failures(filing) == set()
    _add_domains(filing, 1)
    assert failures(filing) == {"domains_per_website"}


@pytest.mark.django_db
def test_hebei_wants_both_addresses_in_one_city():
    filing = factories.ready_filing(province_code="13")
    assert failures(filing) == set()
    Subject.objects.filter(pk=filing.subject_id).update(postal_address="北京市朝阳区建国路1号")
    assert failures(filing) == {"same_city"}


@pytest.mark.django_db
def test_shanxi_personal_filing_needs_a_local_id():
    filing = factories.ready_filing(province_code="14")
    _make_individual(filing)
    assert failures(filing) == set()
    number = make_resident_id(factories.rng, "44")
    Subject.objects.filter(pk=filing.subject_id).update(certificate_number=number)
    Domain.objects.filter(website__filing=filing).update(registrant_certificate_number=number)
    # The prefix says where the number was first issued: a warning; the ID card's address decides.
    assert failures(filing) == set()
    assert status_of(filing, "subject_province") == {"warning"}
    Subject.objects.filter(pk=filing.subject_id).update(registered_address="广东省广州市天河区体育东路1号")
    assert failures(filing) == {"local_id"}


@pytest.mark.django_db
def test_subject_principal_must_be_the_legal_representative():
    filing = factories.ready_filing(province_code="44")
    Subject.objects.filter(pk=filing.subject_id).update(legal_representative="马化腾")
    assert failures(filing) == {"principal_is_legal_rep"}
    # Anhui accepts a letter of authorisation instead, which becomes a required material.
    anhui = factories.ready_filing(province_code="34")
    Subject.objects.filter(pk=anhui.subject_id).update(legal_representative="马化腾")
    assert failures(anhui) == {"material_present"}
    factories.passing_material(anhui, Material.Kind.AUTHORISATION)
    assert failures(anhui) == set()


@pytest.mark.django_db
def test_hainan_accepts_only_hainan_business_licences():
    filing = factories.ready_filing(province_code="46")
    assert failures(filing) == set()
    number = factories.make_uscc(factories.rng, "44")
    Subject.objects.filter(pk=filing.subject_id).update(certificate_number=number)
    Domain.objects.filter(website__filing=filing).update(registrant_certificate_number=number)
    # A company that moved to Hainan keeps its Guangdong code: its licence's address decides.
    assert failures(filing) == set()
    Subject.objects.filter(pk=filing.subject_id).update(registered_address="广东省广州市天河区体育东路1号")
    assert failures(filing) == {"local_business_licence"}


# Submission refused with the list of failures.


@pytest.mark.django_db
def test_submit_refused_with_every_failure(filing, principal):
    domain = first(filing, Domain)
    domain.name = "xinghe.io"
    domain.real_name_verified_at = TODAY() - timedelta(days=1)
    domain.save()
    Website.objects.filter(filing=filing).update(server_valid_until=TODAY() + timedelta(days=10))
    version = Filing.objects.get(pk=filing.pk).version
    events = FilingEvent.objects.filter(filing=filing).count()

    with pytest.raises(ChecksFailed) as refusal:
        transitions.submit_filing(filing, by=principal)

    details = refusal.value.details
    assert {d["code"] for d in details} == {"tld_allowed", "domain_real_name_synced", "server_validity"}
    assert "3" in str(refusal.value.message)
    for detail in details:
        assert detail["status"] == FAIL
        assert detail["message"] and detail["fix"] and detail["field"]
    by_code = {d["code"]: d for d in details}
    assert by_code["tld_allowed"]["object_id"] == domain.pk
    assert by_code["server_validity"]["field"] == "website.server_valid_until"
    row = Filing.objects.get(pk=filing.pk)
    assert (row.state, row.version, row.round) == (State.ENTRY, version, 0)
    assert FilingEvent.objects.filter(filing=filing).count() == events


@pytest.mark.django_db
def test_submit_runs_once_everything_passes(filing, principal):
    filing = transitions.submit_filing(filing, by=principal)
    assert filing.state == State.PROVIDER_REVIEW
    assert filing.round == 1


@pytest.mark.django_db
def test_phone_shared_with_a_published_filing_of_the_same_company_is_fine(filing):
    # The same company's earlier filing, entered under its own subject row, is not "another subject".
    earlier = factories.ready_filing()
    Subject.objects.filter(pk=earlier.subject_id).update(certificate_number=filing.subject.certificate_number)
    Filing.objects.filter(pk=earlier.pk).update(state=State.PUBLISHED)
    Person.objects.filter(pk=earlier.subject_principal_id).update(mobile=filing.subject_principal.mobile)
    assert failures(filing) == set()


# Identity numbers the standards allow (python-stdnum refuses them).


@pytest.mark.django_db
def test_principal_with_an_id_from_a_county_newer_than_their_birth_passes():
    filing = factories.ready_filing(province_code="31")
    body = "31011519850612003"  # Pudong's code dates from 1993; the holder was born in 1985
    Person.objects.filter(pk=filing.subject_principal_id).update(
        id_number=body + mod_11_2.calc_check_digit(body)
    )
    result = checklist(filing)
    assert "person_id" not in {r.code for r in result.failures}
    assert result.passed, [r.message for r in result.failures]


@pytest.mark.django_db
def test_military_subject_with_a_letter_uscc_passes():
    filing = factories.ready_filing(province_code="11")
    body = "A1110000MA0000001"
    number = body + stdnum_uscc.calc_check_digit(body)
    Subject.objects.filter(pk=filing.subject_id).update(kind=Subject.Kind.MILITARY, certificate_number=number)
    Domain.objects.filter(website__filing=filing).update(registrant_certificate_number=number)
    result = checklist(filing)
    assert result.passed, [r.message for r in result.failures]
    assert {r.status for r in result.results if r.code == "subject_certificate"} == {PASS}


@pytest.mark.django_db
def test_tld_allow_list_is_data_an_admin_can_extend(filing):
    domain = first(filing, Domain)
    domain.name = "xinghe.dev"
    domain.save()
    result = {r.code: r for r in checklist(filing).results}
    assert result["tld_allowed"].status == FAIL
    assert ".dev" in result["tld_allowed"].message and "工信部" in result["tld_allowed"].message
    RuleTerm.objects.create(kind=RuleTerm.Kind.ALLOWED_TLD, value=".dev")
    assert failures(filing) == set()
    # A bureau's own refusal wins over the national allow-list for that province only.
    RuleTerm.objects.create(kind=RuleTerm.Kind.DENIED_TLD, value="dev", province=filing.province)
    assert failures(filing) == {"tld_allowed"}


@pytest.mark.django_db
def test_an_ip_address_stored_as_a_domain_is_refused_by_the_checklist(filing):
    Domain.objects.filter(website__filing=filing).update(name="203.0.113.5")
    result = {r.code: r for r in checklist(filing).results}
    assert result["tld_allowed"].status == FAIL
    assert "IP地址" in result["tld_allowed"].message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "warned"),
    [
        ("170", True),
        ("171", True),
        ("162", True),
        ("165", True),
        ("167", True),
        ("138", False),
        ("172", False),
    ],
)
def test_virtual_operator_mobile_is_a_warning_with_the_reason(filing, prefix, warned):
    Person.objects.filter(pk=filing.subject_principal_id).update(mobile=prefix + "12345678")
    result = checklist(filing)
    [check] = [r for r in result.results if r.code == "person_mobile_virtual_operator"]
    assert check.status == ("warning" if warned else PASS)
    if warned:
        assert "虚拟运营商" in check.message and "短信" in check.message
    assert result.passed  # a warning does not block submission


@pytest.mark.django_db
def test_server_purchase_date_is_entered_on_the_page_and_the_api(client, api, principal):
    from tests.test_api import LIST, payload, post_json

    client.force_login(principal)
    page = client.get("/filings/new/?filing_type=first&province=44").content.decode()
    assert 'name="websites-0-server_valid_from"' in page
    data = payload()
    data["websites"][0]["server_valid_from"] = "2026-05-30"
    response = post_json(api(principal), LIST, data)
    assert response.status_code == 201, response.json()
    assert response.json()["websites"][0]["server_valid_from"] == "2026-05-30"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("registrar", "status"),
    [
        ("阿里云计算有限公司", PASS),
        ("阿里云计算有限公司(万网)", PASS),
        ("GoDaddy.com, LLC", "warning"),
        ("", None),  # not entered: nothing to judge
    ],
)
def test_registrar_outside_the_approved_list_is_a_warning(filing, registrar, status):
    Domain.objects.filter(website__filing=filing).update(registrar=registrar)
    result = checklist(filing)
    found = [r for r in result.results if r.code == "registrar_approved"]
    if status is None:
        assert not found
    else:
        assert {r.status for r in found} == {status}
        if status == "warning":
            assert "工信部" in found[0].message and registrar in found[0].message
    assert result.passed
