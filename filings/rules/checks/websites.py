"""The websites' rules: server term, names, domains (suffix, registrar, real name, registrant,
expiry) and the regulated content a website or app declares."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from filings.formats.domains import is_public_suffix
from filings.formats.validators import is_ip_address
from filings.models import App, Domain, DurationRule, Filing, RuleTerm, Subject, Website
from filings.rules import content_rules
from filings.rules import durations as duration_rules
from filings.rules.checks.result import PASS, WARNING, Checklist
from filings.rules.durations import Duration

DOMAIN_EXPIRY_WARNING_DAYS = 90


CHINESE_CHAR = re.compile(r"[\u4e00-\u9fff]")
NAME_SYMBOLS = re.compile(r"[^\w\u4e00-\u9fff]")


def check_websites(
    filing: Filing,
    checklist: Checklist,
    today: date,
    terms: dict[str, list[RuleTerm]],
    durations: dict[str, duration_rules.Duration] | None = None,
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
    durations = durations or duration_rules.rules()
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
