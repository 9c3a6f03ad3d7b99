"""The rules of apps, mini-programs and quick apps: names, backend addresses, identity and content."""

from django.utils.translation import gettext as _

from filings.formats.validators import is_ip_address, validate_backend_address
from filings.models import App, Filing, RuleTerm
from filings.rules import app_rules
from filings.rules.checks.result import Checklist, validator_message
from filings.rules.checks.websites import check_service_content, website_name_problems


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
    bad_addresses = [a for a in addresses if validator_message(validate_backend_address, a)]
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
