"""Which bureau a subject files with: judged from its certificate's address, with a warning when the
number's area code names another province and a residence permit where the province takes one."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from filings.formats.certificates import certificate_province_code
from filings.formats.divisions import province_named_in
from filings.models import Filing, Province, Subject

# Certificates whose number carries the area code of where it was first issued.
CERTIFICATE_PREFIX_KINDS = (Subject.CertificateKind.USCC, Subject.CertificateKind.RESIDENT_ID)


def suggested_province(certificate_kind: str, number: str) -> Province | None:
    """Return the province a USCC or resident ID number was first issued in, if it says so."""
    code = certificate_province_code(certificate_kind, number)
    return Province.objects.filter(code=code).first() if code else None


@dataclass(frozen=True)
class ProvinceProblem:
    code: str
    message: str
    fix: str


def certificate_prefix_warning(
    province: Province, *, certificate_kind: str, number: str
) -> ProvinceProblem | None:
    """Return a warning when a USCC's or resident ID's area code names another province.

    Neither number says where the subject is today: a company keeps its code when it moves, and an
    ID number keeps the prefix of where it was first issued. The bureau is judged from the
    addresses (check_subject_address); the reviewer sees this to compare."""
    if certificate_province_code(certificate_kind, number) == province.code:
        return None  # the usual case, known without reading the other province
    home = suggested_province(certificate_kind, number)
    if home is None or home.pk == province.pk:
        return None
    names = {"home": _(home.name), "province": _(province.name)}
    if certificate_kind == Subject.CertificateKind.USCC:
        return ProvinceProblem(
            "subject_province",
            _(
                "统一社会信用代码的登记地代码为%(home)s;企业迁址后代码不变,请核对营业执照住所是否在%(province)s。"
            )
            % names,
            _("备案省份由营业执照上的住所决定,与代码、服务器所在地无关。"),
        )
    return ProvinceProblem(
        "subject_province",
        _("身份证号码显示最初签发于%(home)s;号码不随户籍迁移改变,请核对身份证住址是否在%(province)s。")
        % names,
        _("个人备案省份由身份证住址(或本省接受的居住证)决定,与服务器所在地无关。"),
    )


def subject_address_elsewhere(filing: Filing) -> str | None:
    """Return the code of the other province the subject's certificate address names, or None."""
    code = province_named_in(filing.subject.registered_address)
    return code if code and code != filing.province.code else None


def needs_residence_permit(filing: Filing) -> bool:
    """Return whether an individual with an ID card from another province files here with a residence
    permit of this province (where the province accepts one)."""
    subject = filing.subject
    return (
        subject.is_individual
        and subject.certificate_kind == Subject.CertificateKind.RESIDENT_ID
        and filing.province.accepts_residence_permit
        and subject_address_elsewhere(filing) is not None
    )


def check_subject_address(filing: Filing, checklist) -> None:
    """Refuse a subject whose certificate address is in another province, unless a residence
    permit of this province stands in for it (a material then)."""
    subject, province = filing.subject, filing.province
    home_code = subject_address_elsewhere(filing)
    if home_code is None or needs_residence_permit(filing):
        return
    home = Province.objects.filter(code=home_code).first()
    names = {"home": _(home.name), "bureau": _(home.bureau_name), "province": _(province.name)}
    if not subject.is_individual:
        checklist.add(
            "local_business_licence" if province.local_business_licence_only else "subject_address_province",
            False,
            _("营业执照住所在%(home)s,应向%(bureau)s备案,不能在%(province)s备案。") % names,
            field="subject.registered_address",
            fix=_("请把备案省份改为%(home)s;备案省份由主体证件登记地决定,与服务器所在地无关。") % names,
        )
        return
    if subject.certificate_kind != Subject.CertificateKind.RESIDENT_ID:
        return
    checklist.add(
        "local_id" if province.personal_local_id_only else "subject_address_province",
        False,
        _("身份证住址在%(home)s,个人备案应向%(bureau)s办理,不能在%(province)s备案。") % names,
        field="subject.registered_address",
        fix=_("请在%(home)s备案(%(province)s不接受外省居住证)。") % names,
    )
