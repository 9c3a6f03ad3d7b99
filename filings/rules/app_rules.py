"""What identifies an app in its filing (2023 rules): a native app lists its platforms, each with
its package name, the signing certificate's public key and its MD5 fingerprint; a mini-program or
quick app names its platform and the id that platform gave it (an appid, or a quick app's package
name), and has no signing certificate."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from filings.formats.validators import normalise_fingerprint, validate_fingerprint, validate_package_name
from filings.kinds.states import OPEN_STATES, State
from filings.models import App, AppPlatform, Filing, MiniProgramPlatform

# A package name or appid is "filed" while its filing is open or published.
FILED_STATES = [*OPEN_STATES, State.PUBLISHED]
MD5_LENGTH = 32
# The ministry's form asks for the certificate's MD5 fingerprint; SHA-1 is taken only for platforms
# whose consoles give none (no listed platform but "other" is known to).
SHA1_ACCEPTED_PLATFORMS = frozenset({AppPlatform.Platform.OTHER})


def is_native(kind: str) -> bool:
    """Return whether an app of this kind is a native app (with platforms and certificates)."""
    return kind == App.Kind.APP


def fingerprint_problem(platform: str, fingerprint: str) -> str | None:
    """Return why a platform's certificate fingerprint is not acceptable, or None."""
    try:
        validate_fingerprint(fingerprint)
    except ValidationError as error:
        return error.messages[0]
    if len(normalise_fingerprint(fingerprint)) != MD5_LENGTH and platform not in SHA1_ACCEPTED_PLATFORMS:
        return _("%(platform)s平台请填写签名证书的MD5指纹(32位十六进制字符),不是SHA-1。") % {
            "platform": AppPlatform.Platform(platform).label
        }
    return None


def appid_problem(kind: str, platform: MiniProgramPlatform | None, appid: str) -> str | None:
    """Return why a mini-program's or quick app's platform and id do not fit, or None."""
    if platform is None:
        return _("请选择%(kind)s所在的平台。") % {"kind": App.Kind(kind).label}
    if platform.app_kind != kind:
        return _("%(platform)s不是%(kind)s平台。") % {"platform": platform, "kind": App.Kind(kind).label}
    if not appid:
        return _("请填写%(platform)s的%(label)s。") % {"platform": platform, "label": platform.id_label}
    if not re.fullmatch(platform.id_pattern, appid):
        return _("“%(value)s”不是%(platform)s的%(label)s格式,例如 %(example)s。") % {
            "value": appid,
            "platform": platform,
            "label": platform.id_label,
            "example": platform.id_example,
        }
    return None


def check_app_identity(filing: Filing, app: App, checklist: Any) -> None:
    """Add to the checklist the rules of what identifies the app: its platforms for a native app,
    its platform and appid for a mini-program or quick app."""
    if is_native(app.kind):
        platforms = list(app.platforms.all())
        checklist.add(
            "app_platform",
            bool(platforms),
            _("应用“%(name)s”还没有填写平台、包名和签名证书。") % {"name": app.name},
            field="app.platforms",
            object_id=app.pk,
            fix=_("至少填写一个平台的包名、公钥和MD5证书指纹。"),
            passed_message=_("应用“%(name)s”已填写平台信息。") % {"name": app.name},
        )
        for platform in platforms:
            check_app_platform(filing, app, platform, checklist)
        return
    problem = appid_problem(app.kind, app.mini_platform, app.appid)
    params = {"name": app.name, "kind": app.get_kind_display(), "appid": app.appid}
    checklist.add(
        "app_appid",
        problem is None,
        _("%(kind)s“%(name)s”:") % params + (problem or ""),
        field="app.appid",
        object_id=app.pk,
        fix=_("选择平台并填写平台分配的AppID(快应用填写包名);小程序和快应用不需要签名证书。"),
        passed_message=_("%(kind)s“%(name)s”的平台和AppID已填写。") % params,
    )
    if problem is None:
        elsewhere = (
            App.objects.filter(
                mini_platform=app.mini_platform, appid__iexact=app.appid, filing__state__in=FILED_STATES
            )
            .exclude(filing_id__in=[filing.pk, filing.target_id])
            .exists()
        )
        checklist.add(
            "app_appid_unique",
            not elsewhere,
            _("%(appid)s已在另一个备案中备案或正在备案。") % params,
            field="app.appid",
            object_id=app.pk,
            fix=_("同一应用不能重复备案;如需修改已备案的应用,请办理变更备案。"),
            passed_message=_("%(appid)s未在其他备案中使用。") % params,
        )


def check_app_platform(filing: Filing, app: App, platform: AppPlatform, checklist: Any) -> None:
    params = {"name": app.name, "platform": platform.get_platform_display(), "package": platform.package_name}
    lead = _("应用“%(name)s”(%(platform)s):") % params
    problem = fingerprint_problem(platform.platform, platform.fingerprint)
    checklist.add(
        "app_fingerprint",
        problem is None,
        lead + (problem or ""),
        field="app.platforms",
        object_id=app.pk,
        fix=_("从签名证书中复制MD5指纹。"),
        passed_message=_("应用“%(name)s”(%(platform)s)的证书指纹格式正确。") % params,
    )
    try:
        validate_package_name(platform.package_name, platform=platform.platform)
        problem = None if platform.public_key.strip() else _("请填写签名证书公钥。")
    except ValidationError as error:
        problem = error.messages[0]
    checklist.add(
        "app_package_name",
        problem is None,
        lead + (problem or ""),
        field="app.platforms",
        object_id=app.pk,
        fix=_("填写发布包中的包名(Bundle ID)和签名证书公钥。"),
        passed_message=_("应用“%(name)s”(%(platform)s)的包名和公钥已填写。") % params,
    )
    elsewhere = (
        AppPlatform.objects.filter(
            package_name__iexact=platform.package_name,
            platform=platform.platform,
            app__filing__state__in=FILED_STATES,
        )
        # A change's copy carries the package of the app it changes.
        .exclude(app__filing_id__in=[filing.pk, filing.target_id])
        .exists()
    )
    checklist.add(
        "app_package_unique",
        not elsewhere,
        _("包名 %(package)s(%(platform)s)已在另一个备案中备案或正在备案。") % params,
        field="app.platforms",
        object_id=app.pk,
        fix=_("同一应用不能重复备案;如需修改已备案的应用,请办理变更备案。"),
        passed_message=_("包名 %(package)s 未在其他备案中使用。") % params,
    )
