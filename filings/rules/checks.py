"""Pre-submission rules: every check a filing must pass before it goes to the provider, each with a
readable reason and the field to fix."""

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from filings.formats.certificates import (
    VALIDATORS as CERTIFICATE_VALIDATORS,
)
from filings.formats.certificates import (
    certificate_problem,
    resident_id_birth_date,
)
from filings.formats.domains import is_public_suffix
from filings.formats.validators import (
    is_ip_address,
    validate_backend_address,
    validate_icp_subject_number,
    validate_icp_website_number,
    validate_mobile,
)
from filings.kinds import Approval, Materials, Numbers
from filings.kinds.states import OPEN_STATES, State
from filings.models import (
    App,
    Domain,
    DurationRule,
    Filing,
    Material,
    Person,
    RuleTerm,
    Subject,
    Website,
)
from filings.rules import app_rules, authenticity, change_rules, content_rules, phone_probes
from filings.rules import durations as duration_rules
from filings.rules.change_diff import ChangedParts, change_diff
from filings.rules.durations import Duration
from filings.rules.privacy import mask_phone
from filings.rules.scans import say
from filings.rules.subject_province import (
    CERTIFICATE_PREFIX_KINDS,
    certificate_prefix_warning,
    check_subject_address,
    needs_residence_permit,
)

PASS, WARNING, FAIL = "pass", "warning", "fail"
DOMAIN_EXPIRY_WARNING_DAYS = 90
ID_MIN_REMAINING = timedelta(days=92)
# Mobile virtual network operators' ranges (虚拟运营商): the ministry's verification SMS often fails.
VIRTUAL_OPERATOR_PREFIXES = frozenset({"170", "171", "162", "165", "167"})
CHINESE_CHAR = re.compile(r"[\u4e00-\u9fff]")
NAME_SYMBOLS = re.compile(r"[^\w\u4e00-\u9fff]")
ORGANISATION_KINDS = {k for k in Subject.Kind.values if k != Subject.Kind.INDIVIDUAL}


@dataclass
class CheckResult:
    code: str
    status: str
    message: str
    field: str = ""
    object_id: int | None = None
    fix: str = ""

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class Checklist:
    results: list[CheckResult] = field(default_factory=list)

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == FAIL]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == WARNING]

    @property
    def passed(self) -> bool:
        return not self.failures

    def add(
        self,
        code: str,
        ok: bool,
        message: str,
        *,
        field: str = "",
        object_id: int | None = None,
        fix: str = "",
        warn: bool = False,
        passed_message: str = "",
    ) -> None:
        status = PASS if ok else (WARNING if warn else FAIL)
        self.results.append(
            CheckResult(
                code,
                status,
                passed_message if ok and passed_message else message,
                field,
                object_id,
                "" if ok else fix,
            )
        )


def load_filing_for_checks(filing_id: int) -> Filing:
    """Return the filing with everything the checks read, in a fixed number of queries."""
    return (
        Filing.objects.select_related("subject", "province", "subject_principal")
        .prefetch_related(
            Prefetch(
                "websites",
                queryset=Website.objects.select_related("principal").prefetch_related(
                    "domains", "prior_approvals"
                ),
            ),
            Prefetch(
                "apps",
                queryset=App.objects.select_related("principal").prefetch_related(
                    "platforms", "prior_approvals"
                ),
            ),
            Prefetch("materials", queryset=Material.objects.order_by("kind", "slot", "-version")),
        )
        .get(pk=filing_id)
    )


def _terms(filing: Filing) -> dict[str, list[RuleTerm]]:
    terms: dict[str, list[RuleTerm]] = {}
    for term in RuleTerm.objects.filter(Q(province__isnull=True) | Q(province_id=filing.province_id)):
        terms.setdefault(term.kind, []).append(term)
    return terms


def latest_materials(filing: Filing) -> dict[tuple[str, str], Material]:
    latest: dict[tuple[str, str], Material] = {}
    for material in filing.materials.all():
        key = (material.kind, material.slot)
        if key not in latest or material.version > latest[key].version:
            latest[key] = material
    return latest


def people_of(filing: Filing) -> list[tuple[str, Person]]:
    people = [("subject_principal", filing.subject_principal)]
    seen = {filing.subject_principal_id}
    for website in filing.websites.all():
        if website.principal_id not in seen:
            seen.add(website.principal_id)
            people.append(("website_principal", website.principal))
    for app in filing.apps.all():
        if app.principal_id not in seen:
            seen.add(app.principal_id)
            people.append(("app_principal", app.principal))
    return people


def id_number_warnings(filing: Filing) -> dict[str, list[str]]:
    """Return the resident ID numbers of a filing's people that fail their check, keyed by the path
    the entry form and the API use ("subject_principal.id_number", "websites.0.principal.id_number").
    A draft is saved with such a number; this is what the page and the API show beside it at once."""
    warnings: dict[str, list[str]] = {}

    def note(path: str, person: Person) -> None:
        if person.id_number:
            problem = certificate_problem(person.id_kind, person.id_number)
            if problem:
                warnings[path] = [problem]

    note("subject_principal.id_number", filing.subject_principal)
    for index, website in enumerate(filing.websites.all()):
        if website.principal_id != filing.subject_principal_id:
            note(f"websites.{index}.principal.id_number", website.principal)
    return warnings


def required_materials(filing: Filing) -> list[tuple[str, str, str]]:
    """Return (kind, slot, label) of every material the filing needs."""
    listed = MATERIAL_LISTS.get(filing.kind.materials)
    if listed is not None:
        return listed(filing)
    needed = [(Material.Kind.BUSINESS_LICENCE, "", _("主体证件(营业执照或身份证)扫描件"))]
    for role, person in people_of(filing):
        label = {"subject_principal": _("主体负责人"), "app_principal": _("应用负责人")}.get(
            role, _("网站负责人")
        )
        needed.append(
            (
                Material.Kind.ID_FRONT,
                f"person:{person.pk}",
                _("%(role)s%(name)s身份证人像面") % {"role": label, "name": person.name},
            )
        )
        needed.append(
            (
                Material.Kind.ID_BACK,
                f"person:{person.pk}",
                _("%(role)s%(name)s身份证国徽面") % {"role": label, "name": person.name},
            )
        )
    for kind in filing.province.extra_materials or []:
        if kind in Material.Kind.values:
            needed.append(
                (
                    kind,
                    "",
                    _("%(province)s要求的%(kind)s")
                    % {"province": _(filing.province.short_name), "kind": Material.Kind(kind).label},
                )
            )
    for website in filing.websites.all():
        if website.prior_approvals.all():
            needed.append(
                (
                    Material.Kind.PRIOR_APPROVAL,
                    f"website:{website.pk}",
                    _("网站“%(name)s”的前置审批文件") % {"name": website.name},
                )
            )
    with_approvals = [a.name for a in filing.apps.all() if a.prior_approvals.all()]
    if with_approvals:
        needed.append(
            (
                Material.Kind.PRIOR_APPROVAL,
                "",
                _("应用“%(names)s”的前置审批文件") % {"names": "、".join(with_approvals)},
            )
        )
    if _needs_authorisation(filing):
        needed.append((Material.Kind.AUTHORISATION, "", _("法定代表人授权书")))
    if needs_residence_permit(filing):
        needed.append(
            (
                Material.Kind.RESIDENCE_PERMIT,
                "",
                _("在%(province)s办理的居住证") % {"province": _(filing.province.name)},
            )
        )
    return needed


def _needs_authorisation(filing: Filing) -> bool:
    subject = filing.subject
    return (
        subject.kind in ORGANISATION_KINDS
        and bool(subject.legal_representative)
        and filing.subject_principal.name != subject.legal_representative
        and filing.province.accepts_authorisation_letter
    )


def _validator_message(validator, value: str) -> str | None:
    try:
        validator(value)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def _add_validated(
    checklist: Checklist, code: str, validator, value: str, *, lead: str, **result: Any
) -> str | None:
    """Add a check that the value passes the validator, saying its problem after the lead; return the problem."""
    problem = _validator_message(validator, value)
    checklist.add(code, problem is None, lead + (problem or ""), **result)
    return problem


def check_subject(filing: Filing, checklist: Checklist, today: date) -> None:
    subject, province = filing.subject, filing.province
    validator = CERTIFICATE_VALIDATORS.get(subject.certificate_kind)
    if validator is not None:
        is_uscc = subject.certificate_kind == Subject.CertificateKind.USCC
        problem = _add_validated(
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


def check_people(filing: Filing, checklist: Checklist, today: date) -> None:
    people = people_of(filing)
    for role, person in people:
        prefix = role
        id_validator = CERTIFICATE_VALIDATORS.get(person.id_kind)
        if id_validator is not None:
            problem = _add_validated(
                checklist,
                "person_id",
                id_validator,
                person.id_number,
                lead=f"{person.name}:",
                field=f"{prefix}.id_number",
                object_id=person.pk,
                fix=_("按证件逐位核对号码。"),
                passed_message=_("%(name)s的证件号码校验通过。") % {"name": person.name},
            )
            birth = resident_id_birth_date(person.id_number)
            minimum_age = filing.province.minimum_age
            if problem is None and birth and minimum_age:
                age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
                checklist.add(
                    "person_age",
                    age >= minimum_age,
                    _("%(name)s未满%(age)s周岁,不能担任负责人。") % {"name": person.name, "age": minimum_age},
                    field=f"{prefix}.id_number",
                    object_id=person.pk,
                    fix=_("请更换负责人。"),
                    passed_message=_("%(name)s已满%(age)s周岁。") % {"name": person.name, "age": minimum_age},
                )
        valid = person.id_valid_until is None or person.id_valid_until > today + ID_MIN_REMAINING
        checklist.add(
            "person_id_validity",
            valid,
            _("%(name)s的证件有效期不足3个月。") % {"name": person.name},
            field=f"{prefix}.id_valid_until",
            object_id=person.pk,
            fix=_("请先换领新证件再提交。"),
            passed_message=_("%(name)s的证件有效期超过3个月。") % {"name": person.name},
        )
        problem = _add_validated(
            checklist,
            "person_mobile",
            validate_mobile,
            person.mobile,
            lead=f"{person.name}:",
            field=f"{prefix}.mobile",
            object_id=person.pk,
            fix=_("填写本人实名的手机号码。"),
            passed_message=_("%(name)s的手机号码格式正确。") % {"name": person.name},
        )
        if problem is None:
            virtual = person.mobile[:3] in VIRTUAL_OPERATOR_PREFIXES
            checklist.add(
                "person_mobile_virtual_operator",
                not virtual,
                _("%(name)s的手机号码 %(prefix)s 号段属于虚拟运营商,常收不到工信部的备案核验短信。")
                % {"name": person.name, "prefix": person.mobile[:3]},
                field=f"{prefix}.mobile",
                object_id=person.pk,
                fix=_("建议改用中国移动、中国联通、中国电信或中国广电的手机号码。"),
                warn=True,
                passed_message=_("%(name)s的手机号码不属于虚拟运营商号段。") % {"name": person.name},
            )
        if person.emergency_phone:
            distinct = person.emergency_phone not in {p.mobile for _, p in people}
            checklist.add(
                "emergency_phone_distinct",
                distinct,
                _("%(name)s的应急电话不能与负责人手机号相同。") % {"name": person.name},
                field=f"{prefix}.emergency_phone",
                object_id=person.pk,
                fix=_("填写另一个能联系到的号码。"),
                passed_message=_("%(name)s的应急电话与手机号不同。") % {"name": person.name},
            )
    subject_principal = filing.subject_principal
    for role, person in people:
        if role == "subject_principal" or person.name == subject_principal.name:
            continue
        checklist.add(
            "principal_phones_distinct",
            person.mobile != subject_principal.mobile,
            _("主体负责人与网站负责人不是同一人时,手机号码不能相同。"),
            field="website_principal.mobile",
            object_id=person.pk,
            fix=_("填写网站负责人本人的手机号码。"),
            passed_message=_("主体负责人与网站负责人的手机号码不同。"),
        )
        if person.email and subject_principal.email:
            checklist.add(
                "principal_emails_distinct",
                person.email.lower() != subject_principal.email.lower(),
                _("主体负责人与网站负责人不是同一人时,电子邮箱不能相同。"),
                field="website_principal.email",
                object_id=person.pk,
                fix=_("填写网站负责人本人的邮箱。"),
                passed_message=_("主体负责人与网站负责人的邮箱不同。"),
            )
    phones = {p.mobile for _, p in people} | {p.emergency_phone for _, p in people if p.emergency_phone}
    if not phone_probes.may_check(filing_id=filing.pk, user_id=filing.assignee_id, numbers=phones):
        checklist.add(
            "phones_unique_to_subject",
            False,
            _("近一小时内核对的电话号码过多,请稍后再检查。"),
            field="subject_principal.mobile",
            fix=_("一小时后再打开本页面或提交。"),
        )
        return
    # Another subject's live filing, whether the phone is its subject principal's or a website principal's.
    # People with these phones are few: find them first (indexed), then their filings, so that the
    # check stays fast however many filings there are.
    holders = {
        pk: (mobile, emergency)
        for pk, mobile, emergency in Person.objects.filter(
            Q(mobile__in=phones) | Q(emergency_phone__in=phones)
        ).values_list("pk", "mobile", "emergency_phone")
    }
    other_subjects = Filing.objects.filter(state__in=OPEN_STATES + ["published"]).exclude(
        subject_id__in=_same_subject_ids(filing)
    )
    holders_elsewhere = set(
        other_subjects.filter(subject_principal_id__in=holders).values_list(
            "subject_principal_id", flat=True
        )[:20]
    ) | set(
        Website.objects.filter(principal_id__in=holders, filing__in=other_subjects).values_list(
            "principal_id", flat=True
        )[:20]
    )
    used_elsewhere = {holders[pk] for pk in holders_elsewhere}
    taken = {number for pair in used_elsewhere for number in pair if number in phones}
    # Named by whose number it is, masked: the page may be read by a role that sees masked numbers.
    clashes = [
        label % {"name": person.name, "number": mask_phone(number)}
        for _role, person in people
        for label, number in (
            (_("%(name)s的手机号码 %(number)s"), person.mobile),
            (_("%(name)s的应急电话 %(number)s"), person.emergency_phone),
        )
        if number in taken
    ]
    checklist.add(
        "phones_unique_to_subject",
        not clashes,
        _("%(numbers)s不能使用。") % {"numbers": "、".join(dict.fromkeys(clashes))},
        field="subject_principal.mobile",
        fix=_("每个主体须使用自己的联系电话。"),
        passed_message=_("联系电话未被其他主体使用。"),
    )


def check_websites(
    filing: Filing, checklist: Checklist, today: date, terms: dict[str, list[RuleTerm]]
) -> None:
    province = filing.province
    websites = list(filing.websites.all())
    checklist.add(
        "has_website",
        bool(websites),
        _("至少需要填写一个网站。"),
        field="website.name",
        fix=_("添加网站信息。"),
        passed_message=_("已填写网站信息。"),
    )
    tlds = TldRule.from_terms(terms)
    durations = duration_rules.rules()
    domain_count = 0
    for website in websites:
        domains = list(website.domains.all())
        domain_count += len(domains)
        checklist.add(
            "website_has_domain",
            bool(domains),
            _("网站“%(name)s”还没有域名。") % {"name": website.name},
            field="domain.name",
            object_id=website.pk,
            fix=_("为网站添加至少一个域名。"),
            passed_message=_("网站“%(name)s”已填写域名。") % {"name": website.name},
        )
        if province.max_domains_per_website and len(domains) > province.max_domains_per_website:
            checklist.add(
                "domains_per_website",
                False,
                _("%(province)s每个网站最多%(n)s个域名。")
                % {"province": _(province.short_name), "n": province.max_domains_per_website},
                field="domain.name",
                object_id=website.pk,
                fix=_("减少该网站的域名或拆分为多个网站。"),
            )
        check_server_term(website, checklist, today, durations[DurationRule.Code.SERVER_TERM])
        check_website_name(filing, website, domains, checklist, terms)
        check_prior_approvals(website, checklist, terms)
        for domain in domains:
            check_domain(filing, domain, checklist, today, tlds, durations[DurationRule.Code.REAL_NAME_WAIT])
    if province.max_domains_per_filing:
        checklist.add(
            "domains_per_filing",
            domain_count <= province.max_domains_per_filing,
            _("%(province)s每个备案最多%(n)s个域名,当前%(count)s个。")
            % {
                "province": _(province.short_name),
                "n": province.max_domains_per_filing,
                "count": domain_count,
            },
            field="domain.name",
            fix=_("减少域名数量。"),
            passed_message=_("域名数量符合%(province)s的限制。") % {"province": _(province.short_name)},
        )


@dataclass(frozen=True)
class TldRule:
    """MIIT's allow-lists for domains: the fileable top-level domains (national and the province's)
    less any suffix a bureau names as not fileable, and the approved registrars."""

    allowed: frozenset[str]
    denied: frozenset[str]

    registrars: frozenset[str] = frozenset()

    @classmethod
    def from_terms(cls, terms: dict[str, list[RuleTerm]]) -> "TldRule":
        def values(kind: str) -> frozenset[str]:
            return frozenset(t.value.lower().lstrip(".") for t in terms.get(kind, []))

        return cls(
            allowed=values(RuleTerm.Kind.ALLOWED_TLD),
            denied=values(RuleTerm.Kind.DENIED_TLD),
            registrars=frozenset(
                _comparable(t.value) for t in terms.get(RuleTerm.Kind.APPROVED_REGISTRAR, [])
            ),
        )

    def registrar_approved(self, registrar: str) -> bool | None:
        """Return whether a registrar is on the approved list (None when either is empty)."""
        name = _comparable(registrar)
        if not name or not self.registrars:
            return None
        return any(approved in name or name in approved for approved in self.registrars)

    def refusal(self, domain_name: str) -> str | None:
        """Return why the domain cannot be filed, or None."""
        if is_ip_address(domain_name):
            return _("%(domain)s 是IP地址,不是域名;备案须填写域名。") % {"domain": domain_name}
        if is_public_suffix(domain_name):
            return _("%(domain)s 是公共域名后缀,不能单独备案,请填写在其下注册的域名。") % {
                "domain": domain_name
            }
        tld = domain_name.rsplit(".", 1)[-1].lower()
        if tld in self.denied or tld not in self.allowed:
            return _("域名后缀 .%(tld)s 不在工信部批准的可备案域名后缀名单中(%(domain)s),不能备案。") % {
                "tld": tld,
                "domain": domain_name,
            }
        return None


def check_server_term(website: Website, checklist: Checklist, today: date, term: Duration) -> None:
    """The server must be bought for the term in total (renewals counted), and still running."""
    names = {"name": website.name, "term": term.text}
    start, end = website.server_valid_from, website.server_valid_until
    if end < today:
        ok, message = (
            False,
            _("网站“%(name)s”的服务器已于 %(day)s 到期。") % {**names, "day": end.isoformat()},
        )
    elif start is not None:
        ok = term.after(start) <= end
        message = _("网站“%(name)s”的服务器服务期(开通日至到期日,含续费)不足%(term)s。") % names
    else:
        # Without the purchase date only what is left can show the term was bought.
        ok = term.after(today) <= end
        message = (
            _(
                "网站“%(name)s”的服务器剩余有效期不足%(term)s:请填写服务器开通日期,以核对购买的服务期(含续费)是否满%(term)s。"
            )
            % names
        )
    checklist.add(
        "server_validity",
        ok,
        message,
        field="website.server_valid_until",
        object_id=website.pk,
        fix=_("续费服务器,使服务期合计不少于%(term)s(按量付费服务器不能备案)。") % names,
        passed_message=_("网站“%(name)s”的服务器服务期满%(term)s。") % names,
    )


def _comparable(name: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", name or "")).lower()


def check_domain(
    filing: Filing, domain: Domain, checklist: Checklist, today: date, tlds: TldRule, wait: Duration
) -> None:
    subject = filing.subject
    refusal = tlds.refusal(domain.name)
    checklist.add(
        "tld_allowed",
        refusal is None,
        refusal or "",
        field="domain.name",
        object_id=domain.pk,
        fix=_("请更换为工信部批准的域名后缀(如 .cn、.com、.中国)下的域名。"),
        passed_message=_("%(domain)s 的后缀可以备案。") % {"domain": domain.name},
    )
    approved = tlds.registrar_approved(domain.registrar)
    if approved is not None:
        checklist.add(
            "registrar_approved",
            approved,
            _("%(domain)s 的注册商“%(registrar)s”不在工信部批准的域名注册服务机构名单中,管局可能退回。")
            % {"domain": domain.name, "registrar": domain.registrar},
            field="domain.registrar",
            object_id=domain.pk,
            fix=_("请核对注册商名称,或将域名转入工信部批准的注册商。"),
            warn=True,
            passed_message=_("%(domain)s 的注册商在工信部批准名单中。") % {"domain": domain.name},
        )
    verified = domain.real_name_verified_at
    ready_on = wait.after(verified) if verified is not None else None
    names = {"domain": domain.name, "wait": wait.text}
    if verified is None:
        message = _("%(domain)s 尚未完成实名认证。") % names
    else:
        message = _("%(domain)s 实名认证未满%(wait)s,信息可能尚未同步到管局(%(day)s 起可提交)。") % {
            **names,
            "day": ready_on.isoformat(),
        }
    checklist.add(
        "domain_real_name_synced",
        ready_on is not None and ready_on <= today,
        message,
        field="domain.real_name_verified_at",
        object_id=domain.pk,
        fix=_("完成实名认证后等待%(wait)s再提交。") % names,
        passed_message=_("%(domain)s 实名认证已满%(wait)s。") % names,
    )
    registrant_ok = domain.registrant_name.strip() == subject.name.strip() and (
        not domain.registrant_certificate_number
        or domain.registrant_certificate_number.upper() == subject.certificate_number.upper()
    )
    checklist.add(
        "registrant_matches_subject",
        registrant_ok,
        _("%(domain)s 的注册人“%(registrant)s”与备案主体“%(subject)s”不一致。")
        % {"domain": domain.name, "registrant": domain.registrant_name, "subject": subject.name},
        field="domain.registrant_name",
        object_id=domain.pk,
        fix=_("在注册商处将域名过户到备案主体名下,或使用主体名下的域名。"),
        passed_message=_("%(domain)s 的注册人与备案主体一致。") % {"domain": domain.name},
    )
    if domain.expires_on is not None:
        checklist.add(
            "domain_expiry",
            domain.expires_on >= today + timedelta(days=DOMAIN_EXPIRY_WARNING_DAYS),
            _("%(domain)s 将在3个月内到期,部分管局会退回。") % {"domain": domain.name},
            field="domain.expires_on",
            object_id=domain.pk,
            fix=_("续费域名后再提交。"),
            warn=True,
            passed_message=_("%(domain)s 的有效期超过3个月。") % {"domain": domain.name},
        )


def website_name_problems(
    name: str, *, subject_kind: str, domain_names: list[str], terms: dict[str, list[RuleTerm]]
) -> list[str]:
    """Return the reasons a website name would be refused (empty when it is acceptable)."""
    problems = []
    stripped = name.strip()
    if len(CHINESE_CHAR.findall(stripped)) < 3:
        problems.append(_("网站名称至少需要3个汉字。"))
    if re.fullmatch(r"[0-9A-Za-z ]+", stripped):
        problems.append(_("网站名称不能只有数字或字母。"))
    if NAME_SYMBOLS.search(stripped.replace(" ", "")):
        problems.append(_("网站名称不能包含符号。"))
    lowered = stripped.lower()
    if any(lowered == d.lower() or lowered == d.split(".")[0].lower() for d in domain_names):
        problems.append(_("网站名称不能直接使用域名。"))
    if subject_kind != Subject.Kind.GOVERNMENT:
        for term in terms.get(RuleTerm.Kind.RESERVED_NAME_PREFIX, []):
            if stripped.startswith(term.value):
                problems.append(_("网站名称不能以“%(word)s”开头。") % {"word": term.value})
    for term in terms.get(RuleTerm.Kind.SENSITIVE_WORD, []):
        if term.value in stripped:
            problems.append(_("网站名称含有敏感词“%(word)s”。") % {"word": term.value})
    if subject_kind == Subject.Kind.INDIVIDUAL:
        words = [t.value for t in terms.get(RuleTerm.Kind.INDIVIDUAL_NAME_WORD, []) if t.value in stripped]
        if words:
            problems.append(
                _("个人网站名称不能使用“%(words)s”等企业或行业词语。") % {"words": "、".join(words)}
            )
        if len(CHINESE_CHAR.findall(stripped)) > 10:
            problems.append(_("个人网站名称建议不超过10个汉字。"))
    return problems


def check_website_name(
    filing: Filing,
    website: Website,
    domains: list[Domain],
    checklist: Checklist,
    terms: dict[str, list[RuleTerm]],
) -> None:
    problems = website_name_problems(
        website.name, subject_kind=filing.subject.kind, domain_names=[d.name for d in domains], terms=terms
    )
    checklist.add(
        "website_name",
        not problems,
        _("网站“%(name)s”:") % {"name": website.name} + " ".join(problems),
        field="website.name",
        object_id=website.pk,
        fix=_("按规则修改网站名称,使其反映网站内容。"),
        passed_message=_("网站名称“%(name)s”符合规则。") % {"name": website.name},
    )


def check_prior_approvals(website: Website, checklist: Checklist, terms: dict[str, list[RuleTerm]]) -> None:
    check_service_content(website, checklist, terms, section="website", noun=_("网站"))


def check_service_content(
    item: Website | App, checklist: Checklist, terms: dict[str, list[RuleTerm]], *, section: str, noun: str
) -> None:
    """Judge each regulated category a website or app declares or mentions (content_rules)."""
    for finding in content_rules.findings(item, terms):
        status, message, fix = content_rules.verdict(finding, noun=noun)
        checklist.add(
            "prior_approval_question" if status == WARNING else "prior_approval",
            status == PASS,
            message,
            field=f"{section}.prior_approvals",
            object_id=item.pk,
            fix=fix,
            warn=status == WARNING,
            passed_message=message,
        )


def check_materials(filing: Filing, checklist: Checklist) -> None:
    latest = latest_materials(filing)
    for kind, slot, label in required_materials(filing):
        material = latest.get((kind, slot))
        if material is None:
            checklist.add(
                "material_present",
                False,
                _("缺少%(label)s。") % {"label": label},
                field=f"materials.{kind}",
                fix=_("上传该材料。"),
            )
        elif material.check_status == Material.CheckStatus.FAIL:
            reasons = " ".join(say(r, "message") for r in material.check_results if r.get("status") == FAIL)
            checklist.add(
                "material_quality",
                False,
                _("%(label)s未通过检查:%(reasons)s") % {"label": label, "reasons": reasons},
                field=f"materials.{kind}",
                object_id=material.pk,
                fix=_("按提示重新扫描并上传新版本。"),
            )
        else:
            checklist.add(
                "material_quality",
                True,
                "",
                field=f"materials.{kind}",
                object_id=material.pk,
                passed_message=_("%(label)s已上传并通过检查。") % {"label": label},
            )


def _same_subject_ids(filing: Filing):
    """Return the subject rows that are the filing's subject (the same certificate number counts)."""
    # A subquery, so that the database uses the subject indexes instead of scanning every filing.
    return Subject.objects.filter(
        Q(pk=filing.subject_id) | Q(certificate_number__iexact=filing.subject.certificate_number)
    ).values("pk")


def check_one_open_filing(filing: Filing, checklist: Checklist) -> None:
    # The same organisation or person entered as a second subject row counts as the same subject.
    others = Filing.objects.filter(subject_id__in=_same_subject_ids(filing), state__in=OPEN_STATES).exclude(
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


def run_submission_checks(filing: Filing, *, today: date | None = None) -> Checklist:
    """Run every pre-submission rule on a filing loaded with load_filing_for_checks (or with
    selectors.filing_detail, which prefetches the same and more)."""
    today = today or timezone.localdate()
    checklist = Checklist()
    if filing.kind.cancels:
        check_cancellation(filing, checklist)
        check_materials(filing, checklist)
        return checklist
    terms = _terms(filing)
    check_subject(filing, checklist, today)
    check_people(filing, checklist, today)
    authenticity.check_face_checks(filing, checklist)
    if filing.kind.holds_apps(filing):
        check_apps(filing, checklist, terms)
    else:
        check_websites(filing, checklist, today, terms)
    if filing.kind.numbers == Numbers.EXISTING:
        check_access_numbers(filing, checklist)
    check_materials(filing, checklist)
    check_one_open_filing(filing, checklist)
    if filing.kind.approval == Approval.APPLY_CHANGE:
        return checks_of_change(filing, checklist)
    return checklist


# Apps, mini-programs and quick apps.


def check_apps(filing: Filing, checklist: Checklist, terms: dict[str, list[RuleTerm]]) -> None:
    apps = list(filing.apps.all())
    checklist.add(
        "has_app",
        bool(apps),
        _("至少需要填写一个应用。"),
        field="app.name",
        fix=_("添加应用信息。"),
        passed_message=_("已填写应用信息。"),
    )
    denied_tlds = {t.value.lower().lstrip(".") for t in terms.get(RuleTerm.Kind.DENIED_TLD, [])}
    for app in apps:
        check_app(filing, app, checklist, terms, denied_tlds)


def check_app(
    filing: Filing, app: App, checklist: Checklist, terms: dict[str, list[RuleTerm]], denied_tlds: set[str]
) -> None:
    addresses = list(app.backend_addresses or [])
    domains = [a for a in addresses if not is_ip_address(a)]
    problems = website_name_problems(
        app.name, subject_kind=filing.subject.kind, domain_names=domains, terms=terms
    )
    checklist.add(
        "app_name",
        not problems,
        _("应用“%(name)s”:") % {"name": app.name}
        + " ".join(p.replace(_("网站"), _("应用")) for p in problems),
        field="app.name",
        object_id=app.pk,
        fix=_("按规则修改应用名称,使其反映应用内容。"),
        passed_message=_("应用名称“%(name)s”符合规则。") % {"name": app.name},
    )
    bad_addresses = [a for a in addresses if _validator_message(validate_backend_address, a)]
    bad_addresses += [a for a in domains if a.rsplit(".", 1)[-1] in denied_tlds]
    checklist.add(
        "app_backend",
        bool(addresses) and not bad_addresses,
        _("应用“%(name)s”须填写后端使用的域名或IP,且域名后缀须可备案(有问题:%(bad)s)。")
        % {"name": app.name, "bad": "、".join(bad_addresses) or "—"},
        field="app.backend_addresses",
        object_id=app.pk,
        fix=_("填写应用后端实际使用的域名或IP地址。"),
        passed_message=_("应用“%(name)s”已填写后端域名或IP。") % {"name": app.name},
    )
    app_rules.check_app_identity(filing, app, checklist)
    check_service_content(app, checklist, terms, section="app", noun=_("应用"))


# Changes (变更备案): only the rules of the parts that changed, and the materials of those parts.


def change_materials(filing: Filing, parts: ChangedParts) -> list[tuple[str, str, str]]:
    """Return the materials a change needs: the subject's certificate when the subject changed, the
    ID card of each person whose data changed, the prior-approval documents of changed websites."""
    needed = []
    if change_rules.name_change_needs_licence(filing):
        needed.append(
            (
                Material.Kind.BUSINESS_LICENCE,
                "",
                _("名称变更后的主体证件扫描件(须显示与原证件相同的证件号码)"),
            )
        )
    elif parts.subject:
        needed.append((Material.Kind.BUSINESS_LICENCE, "", _("变更后的主体证件(营业执照或身份证)扫描件")))
    for role, person in people_of(filing):
        if person.pk not in parts.people:
            continue
        label = {"subject_principal": _("主体负责人"), "app_principal": _("应用负责人")}.get(
            role, _("网站负责人")
        )
        for kind, side in ((Material.Kind.ID_FRONT, _("人像面")), (Material.Kind.ID_BACK, _("国徽面"))):
            needed.append(
                (
                    kind,
                    f"person:{person.pk}",
                    _("%(role)s%(name)s身份证%(side)s") % {"role": label, "name": person.name, "side": side},
                )
            )
    for website in filing.websites.all():
        if website.pk in parts.websites and website.prior_approvals.all():
            needed.append(
                (
                    Material.Kind.PRIOR_APPROVAL,
                    f"website:{website.pk}",
                    _("网站“%(name)s”的前置审批文件") % {"name": website.name},
                )
            )
    return needed


def checks_of_change(filing: Filing, checklist: Checklist) -> Checklist:
    """Keep the results about the parts the change changes, and add the change's own rules."""
    parts = change_diff(filing)
    site_of_domain = {d.pk: w.pk for w in filing.websites.all() for d in w.domains.all()}

    def relevant(result: CheckResult) -> bool:
        section = result.field.partition(".")[0]
        if section == "subject":
            return parts.subject or result.code == "one_open_filing"
        if section in ("subject_principal", "website_principal"):
            return result.object_id in parts.people or (result.object_id is None and parts.subject_principal)
        if section == "website":
            return result.object_id in parts.websites if result.object_id else bool(parts.websites)
        if section == "domain":
            return site_of_domain.get(result.object_id, result.object_id) in parts.websites
        if section == "app":
            return result.object_id in parts.apps if result.object_id else bool(parts.apps)
        if section == "app_principal":
            return result.object_id in parts.people
        return True

    scoped = Checklist([r for r in checklist.results if relevant(r)])
    scoped.add(
        "change_has_changes",
        parts.any,
        _("变更备案还没有修改任何内容。"),
        field="subject.name",
        fix=_("修改需要变更的信息后再提交。"),
        passed_message=_("变更备案修改了 %(n)s 处信息。") % {"n": len(parts.rows)},
    )
    published = change_rules.published_subject_of(filing)
    identity = (
        change_rules.identity_changes(
            published, {name: getattr(filing.subject, name) for name in change_rules.IDENTITY_FIELDS}
        )
        if published
        else []
    )
    for change in identity:
        scoped.add("change_keeps_identity", False, change.message, field=change.field, fix=change.fix)
    scoped.add(
        "change_keeps_websites",
        not parts.added_websites and not parts.removed_websites,
        _("变更备案不能新增或删除网站或应用(%(names)s)。")
        % {"names": "、".join(parts.added_websites + parts.removed_websites)},
        field="website.name",
        fix=_("新增请办理新增网站或APP备案,删除请办理注销网站或注销APP。"),
        passed_message=_("变更备案保留了原有的网站。"),
    )
    return scoped


# Cancellations and cancel access: the short form's own rules.


def cancellation_materials(filing: Filing) -> list[tuple[str, str, str]]:
    """Return what bureaus ask for a cancellation: the subject's certificate and its principal's ID card."""
    person = filing.subject_principal
    return [
        (Material.Kind.BUSINESS_LICENCE, "", _("主体证件(营业执照或身份证)扫描件")),
        (
            Material.Kind.ID_FRONT,
            f"person:{person.pk}",
            _("主体负责人%(name)s身份证人像面") % {"name": person.name},
        ),
        (
            Material.Kind.ID_BACK,
            f"person:{person.pk}",
            _("主体负责人%(name)s身份证国徽面") % {"name": person.name},
        ),
    ]


# The material lists of the types that do not need a new filing's (filings.kinds.Materials).
MATERIAL_LISTS = {
    Materials.CHANGE: lambda filing: change_materials(filing, change_diff(filing)),
    Materials.CANCELLATION: cancellation_materials,
    Materials.NONE: lambda filing: [],
}


def check_cancellation(filing: Filing, checklist: Checklist) -> None:
    cancellation = getattr(filing, "cancellation", None)
    target = filing.target
    checklist.add(
        "cancellation_target_published",
        target is not None and target.state == State.PUBLISHED,
        _("只有已公示的备案可以注销或取消接入。"),
        field="subject.name",
        fix=_("撤回本申请。"),
        passed_message=_("所注销的备案已公示。"),
    )
    item = cancellation and (cancellation.website or cancellation.app)
    still_there = cancellation is not None and (
        cancellation.scope == cancellation.Scope.SUBJECT
        or (item is not None and item.cancelled_at is None)
        and not (cancellation.scope == cancellation.Scope.ACCESS and cancellation.website.access_cancelled_at)
    )
    checklist.add(
        "cancellation_item_open",
        still_there,
        _("要注销或取消接入的对象已不存在或已办理。"),
        field="subject.name",
        fix=_("撤回本申请。"),
        passed_message=_("要办理的对象:%(item)s。")
        % {"item": cancellation.item_name if cancellation else "—"},
    )


# New access (新增接入): the numbers the subject already holds from another provider.


def check_access_numbers(filing: Filing, checklist: Checklist) -> None:
    _add_validated(
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
        _add_validated(
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
