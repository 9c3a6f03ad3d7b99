"""The subject's rules: its certificate, address and licence, one open filing per subject, and
the numbers a new access brings from another provider."""

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _

from filings.formats.certificates import VALIDATORS as CERTIFICATE_VALIDATORS
from filings.formats.validators import validate_icp_subject_number, validate_icp_website_number
from filings.kinds.states import OPEN_STATES
from filings.models import Filing, Subject
from filings.rules.checks.result import Checklist, add_validated
from filings.rules.subject_province import (
    CERTIFICATE_PREFIX_KINDS,
    certificate_prefix_warning,
    check_subject_address,
)

ORGANISATION_KINDS = {k for k in Subject.Kind.values if k != Subject.Kind.INDIVIDUAL}


def check_subject(filing: Filing, checklist: Checklist, today: date) -> None:
    subject, province = filing.subject, filing.province
    validator = CERTIFICATE_VALIDATORS.get(subject.certificate_kind)
    if validator is not None:
        is_uscc = subject.certificate_kind == Subject.CertificateKind.USCC
        problem = add_validated(
            checklist,
            "subject_certificate",
            validator,
            subject.certificate_number,
            lead="",
            field="subject.certificate_number",
            fix=_("按营业执照逐位核对统一社会信用代码。") if is_uscc else _("按证件逐位核对号码。"),
            passed_message=_("统一社会信用代码校验通过。") if is_uscc else _("证件号码校验通过。"),
        )
        if problem is None and subject.certificate_kind in CERTIFICATE_PREFIX_KINDS:
            warning = certificate_prefix_warning(
                province, certificate_kind=subject.certificate_kind, number=subject.certificate_number
            )
            checklist.add(
                "subject_province",
                warning is None,
                warning.message if warning else "",
                field="subject.certificate_number",
                fix=warning.fix if warning else "",
                warn=True,
                passed_message=_("主体证件号码的登记地代码与备案省份%(province)s一致。")
                % {"province": _(province.name)},
            )
    check_subject_address(filing, checklist)
    if subject.is_individual and subject.certificate_kind == Subject.CertificateKind.RESIDENCE_PERMIT:
        checklist.add(
            "residence_permit",
            province.accepts_residence_permit,
            _("%(province)s个人备案不接受居住证。") % {"province": _(province.short_name)},
            field="subject.certificate_kind",
            fix=_("请改用身份证。"),
            passed_message=_("本省接受居住证。"),
        )
    if subject.kind in ORGANISATION_KINDS:
        valid = subject.licence_long_term or (
            subject.licence_valid_until is not None and subject.licence_valid_until >= today
        )
        checklist.add(
            "licence_valid",
            valid,
            _("主体证件已过期或未填写有效期。"),
            field="subject.licence_valid_until",
            fix=_("填写证件有效期,过期证件需先换证。"),
            passed_message=_("主体证件在有效期内。"),
        )
    if province.same_city_addresses and subject.city:
        same = subject.city in subject.registered_address and subject.city in subject.postal_address
        checklist.add(
            "same_city",
            same,
            _("%(province)s要求证件地址与通信地址在同一城市(%(city)s)。")
            % {"province": _(province.short_name), "city": subject.city},
            field="subject.postal_address",
            fix=_("通信地址请填写与证件地址同一城市的地址。"),
            passed_message=_("证件地址与通信地址在同一城市。"),
        )
    if (
        province.principal_must_be_legal_rep
        and subject.kind in ORGANISATION_KINDS
        and subject.legal_representative
    ):
        is_rep = filing.subject_principal.name == subject.legal_representative
        checklist.add(
            "principal_is_legal_rep",
            is_rep or province.accepts_authorisation_letter,
            _("主体负责人须为法定代表人%(name)s。") % {"name": subject.legal_representative},
            field="subject_principal.name",
            fix=_("将主体负责人改为法定代表人。"),
            passed_message=_("主体负责人为法定代表人,或本省接受授权书。"),
        )


def same_subject_ids(filing: Filing):
    """Return the subject rows that are the filing's subject (the same certificate number counts)."""
    # A subquery, so that the database uses the subject indexes instead of scanning every filing.
    return Subject.objects.filter(
        Q(pk=filing.subject_id) | Q(certificate_number__iexact=filing.subject.certificate_number)
    ).values("pk")


def check_one_open_filing(filing: Filing, checklist: Checklist) -> None:
    # The same organisation or person entered as a second subject row counts as the same subject.
    others = Filing.objects.filter(subject_id__in=same_subject_ids(filing), state__in=OPEN_STATES).exclude(
        pk=filing.pk
    )
    checklist.add(
        "one_open_filing",
        not others.exists(),
        _("该主体已有另一个进行中的备案,同一主体同时只能有一个。"),
        field="subject.name",
        fix=_("等待另一个备案完成,或将其撤回。"),
        passed_message=_("该主体没有其他进行中的备案。"),
    )


# New access (新增接入): the numbers the subject already holds from another provider.


def check_access_numbers(filing: Filing, checklist: Checklist) -> None:
    add_validated(
        checklist,
        "access_subject_number",
        lambda v: validate_icp_subject_number(v, abbreviation=filing.province.icp_abbreviation),
        filing.icp_number,
        lead=_("原主体备案号:"),
        field="subject.name",
        fix=_("按工信部备案系统中的信息填写主体备案号。"),
        passed_message=_("原主体备案号 %(n)s 格式正确,与备案省份一致。") % {"n": filing.icp_number},
    )
    for website in filing.websites.all():
        add_validated(
            checklist,
            "access_website_number",
            lambda v: validate_icp_website_number(v, subject_number=filing.icp_number),
            website.icp_number,
            lead=_("网站“%(name)s”的原备案号:") % {"name": website.name},
            field="website.name",
            object_id=website.pk,
            fix=_("按工信部备案系统中的信息填写网站备案号。"),
            passed_message=_("网站“%(name)s”的原备案号 %(n)s 属于该主体。")
            % {"name": website.name, "n": website.icp_number},
        )
