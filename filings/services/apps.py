"""App filings (APP备案): create and save the draft of an app, mini-program or quick-app filing, for
a subject that already has a published filing or as a subject's first filing."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from filings.exceptions import InvalidInput, Problems
from filings.formats.validators import (
    normalise_fingerprint,
    validate_backend_address,
    validate_package_name,
)
from filings.kinds.states import State
from filings.models import App, AppPlatform, Filing, MiniProgramPlatform, Province, Subject
from filings.models.wording import said
from filings.rules import app_rules
from filings.rules.fields import APP_FIELDS, APP_PLATFORM_FIELDS, SUBJECT_FIELDS
from filings.services.draft_parts import (
    assign,
    full_clean,
    refuse_second_open_filing,
    save_person,
    save_prior_approvals,
    second_open_filing_refused,
)
from filings.services.drafts import (
    POSITIONS_OUT_OF_THE_WAY,
    lock_editable_draft,
    save_draft_edit,
    save_item_principal,
    start_draft_history,
)

MAX_APPS = 20


def published_subject_for(user: Any, subject_id: int) -> Subject:
    """Return the subject of one of the user's published filings, or refuse."""
    subject = (
        Subject.objects.filter(pk=subject_id, filings__assignee=user, filings__state=State.PUBLISHED)
        .select_related("province")
        .distinct()
        .first()
    )
    if subject is None:
        raise InvalidInput(
            _("APP备案需要选择一个已公示备案的主体。"),
            details={"subject_id": [_("请选择您名下已公示备案的主体。")]},
        )
    return subject


def subject_has_published_filing(subject: Subject) -> bool:
    """Return whether the subject already has a published filing (then its app filings reuse it)."""
    return Filing.objects.filter(subject=subject, state=State.PUBLISHED).exists()


def create_app_filing(
    *,
    by: Any,
    subject_principal: dict,
    apps: list[dict],
    subject_id: int | None = None,
    province_id: int | None = None,
    subject: dict | None = None,
) -> Filing:
    """Create a draft APP filing (in entry) with its apps and platforms: for one of the user's
    published subjects (subject_id), or as a subject's first filing (province_id and subject)."""
    now = timezone.now()
    changes: list[dict] = []
    if not apps:
        raise InvalidInput(_("请至少填写一个应用。"), details={"apps": [_("请至少填写一个应用。")]})
    if subject_id is None and (province_id is None or not subject):
        raise InvalidInput(
            _("请选择已备案的主体,或填写主体信息作为首次备案。"),
            details={"subject": [_("请填写主体信息。")]},
        )
    try:
        with transaction.atomic():
            if subject_id is not None:
                filed = published_subject_for(by, subject_id)
            else:
                filed = Subject(province=Province.objects.get(pk=province_id))
                assign(filed, subject, SUBJECT_FIELDS, changes, "subject")
                full_clean(filed, "subject", exclude=["province"])
            refuse_second_open_filing(filed.certificate_number, by=by)
            if filed.pk is None:
                filed.save()
            person = save_person(None, subject_principal, changes, "subject_principal")
            filing = Filing.objects.create(
                filing_type=Filing.Type.NEW_APP,
                subject=filed,
                province=filed.province,
                subject_principal=person,
                assignee=by,
                created_at=now,
                updated_at=now,
                stage_entered_at=now,
            )
            _save_apps(filing, apps, changes)
            start_draft_history(filing, by=by, now=now, comment=said(gettext_noop("创建APP备案草稿。")))
    except IntegrityError as error:
        raise second_open_filing_refused(filed.certificate_number, by=by) from error
    except Province.DoesNotExist as error:
        raise InvalidInput(_("请选择备案省份。"), details={"province": [_("省份不存在。")]}) from error
    return filing


def update_app_filing(
    filing: Filing,
    *,
    by: Any,
    expected_version: int,
    subject_principal: dict | None = None,
    apps: list[dict] | None = None,
    subject: dict | None = None,
) -> Filing:
    """Save changes to an APP filing's draft; the caller's version must be current. The subject's
    data change only in a subject's first filing (a published subject changes by a change filing)."""
    now = timezone.now()
    changes: list[dict] = []
    with transaction.atomic():
        locked = lock_editable_draft(filing, by=by, expected_version=expected_version)
        if subject:
            if subject_has_published_filing(locked.subject):
                raise InvalidInput(
                    _("已备案主体的信息请通过变更备案修改。"),
                    details={"subject": [_("已备案主体的信息请通过变更备案修改。")]},
                )
            assign(locked.subject, subject, SUBJECT_FIELDS, changes, "subject")
            full_clean(locked.subject, "subject", exclude=["province"])
            locked.subject.save()
        if subject_principal:
            save_person(locked.subject_principal, subject_principal, changes, "subject_principal")
        if apps is not None:
            if not apps:
                raise InvalidInput(_("请至少填写一个应用。"), details={"apps": [_("请至少填写一个应用。")]})
            _save_apps(locked, apps, changes)
        save_draft_edit(locked, by=by, now=now, changes=changes)
    return locked


def _invalid(error: ValidationError, key: str) -> InvalidInput:
    return InvalidInput(error.messages[0], details={key: error.messages})


def _clean_addresses(values: Any, prefix: str, problems: Problems) -> list[str]:
    if isinstance(values, str):
        values = values.split()
    addresses: list[str] = []
    for value in values or []:
        value = str(value).strip().lower()
        if not value or value in addresses:
            continue
        with problems.part():
            try:
                validate_backend_address(value)
            except ValidationError as error:
                raise _invalid(error, f"{prefix}.backend_addresses") from error
            addresses.append(value)
    return addresses


def _save_apps(filing: Filing, apps_data: list[dict], changes: list[dict]) -> None:
    """Save the apps and their platforms, judging every part before refusing any (all problems at once)."""
    if len(apps_data) > MAX_APPS:
        raise InvalidInput(_("一个备案最多20个应用。"), details={"apps": [_("应用过多。")]})
    existing = {a.pk: a for a in filing.apps.select_related("principal")}
    # Positions are unique per filing: move every kept one out of the way before numbering anew.
    filing.apps.update(position=F("position") + POSITIONS_OUT_OF_THE_WAY)
    saved_ids: set[int] = set()
    problems = Problems()
    for position, data in enumerate(apps_data, start=1):
        prefix = f"apps.{position - 1}"
        app = existing.get(data.get("id")) if data.get("id") else None
        if data.get("id") and app is None:
            raise InvalidInput(_("应用不属于该备案。"), details={f"{prefix}.id": [_("应用不存在。")]})
        app = app or App(filing=filing)
        found = len(problems.errors)
        with problems.part():
            app.principal = save_item_principal(filing, app, data, changes, prefix)
        app.position = position
        addresses = _clean_addresses(data.get("backend_addresses"), prefix, problems)
        identity: dict = {"mini_platform": None, "appid": ""}  # judged without it when it is wrong
        with problems.part():
            identity = _app_identity(data, prefix)
        platforms = _checked_platforms(data.get("platforms") or [], prefix, problems)
        with problems.part():
            assign(app, {**data, "backend_addresses": addresses, **identity}, APP_FIELDS, changes, prefix)
            full_clean(app, prefix, exclude=["filing", "principal", "mini_platform"])
        if len(problems.errors) > found:
            continue
        app.save()
        saved_ids.add(app.pk)
        _save_platforms(app, platforms, changes, prefix)
        save_prior_approvals(app, data.get("prior_approvals") or [], changes, prefix)
    problems.raise_any()
    for pk, app in existing.items():
        if pk not in saved_ids:
            changes.append({"field": "apps", "old": app.name, "new": None})
            app.delete()


def _app_identity(data: dict, prefix: str) -> dict:
    """Return a native app's empty mini-program identity, or a mini-program's or quick app's
    platform and appid checked against that platform (refusing certificates it does not have)."""
    kind = data.get("kind", App.Kind.APP)
    if app_rules.is_native(kind):
        return {"mini_platform": None, "appid": ""}
    if data.get("platforms"):
        raise InvalidInput(
            _("小程序和快应用填写平台和AppID,不需要包名和签名证书。"),
            details={f"{prefix}.platforms": [_("小程序和快应用不填写签名证书。")]},
        )
    code = str(data.get("mini_platform") or "")
    platform = MiniProgramPlatform.objects.filter(code=code).first() if code else None
    appid = str(data.get("appid") or "").strip()
    problem = app_rules.appid_problem(kind, platform, appid)
    if problem:
        key = "appid" if platform is not None and platform.app_kind == kind else "mini_platform"
        raise InvalidInput(problem, details={f"{prefix}.{key}": [problem]})
    return {"mini_platform": platform, "appid": appid}


def _checked_platforms(items: list[dict], prefix: str, problems: Problems) -> list[tuple[str, dict]]:
    """Return (key, values) of each platform row as stored, every row judged (its problems kept)."""
    checked: list[tuple[str, dict]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        key = f"{prefix}.platforms.{index}"
        platform_code = item.get("platform", "")
        found = len(problems.errors)
        item = {
            **item,
            "package_name": str(item.get("package_name", "")).strip(),
            "fingerprint": normalise_fingerprint(str(item.get("fingerprint", ""))),
            "public_key": str(item.get("public_key", "")).strip(),
        }
        with problems.part():
            if platform_code in seen:
                raise InvalidInput(
                    _("同一应用的每个平台只需填写一次。"), details={f"{key}.platform": [_("平台重复。")]}
                )
            seen.add(platform_code)
        with problems.part():
            problem = app_rules.fingerprint_problem(platform_code, item["fingerprint"])
            if problem:
                raise InvalidInput(problem, details={f"{key}.fingerprint": [problem]})
        with problems.part():
            try:
                validate_package_name(item["package_name"], platform=platform_code)
            except ValidationError as error:
                raise _invalid(error, f"{key}.package_name") from error
        if len(problems.errors) > found:
            continue  # the row's own problems are told; the model's checks would repeat them
        with problems.part():
            full_clean(AppPlatform(**{n: item.get(n, "") for n in APP_PLATFORM_FIELDS}), key, ["app"])
        checked.append((key, item))
    return checked


def _save_platforms(app: App, checked: list[tuple[str, dict]], changes: list[dict], prefix: str) -> None:
    existing = {p.platform: p for p in app.platforms.all()}
    wanted: dict[str, AppPlatform] = {}
    for key, item in checked:
        platform = existing.get(item.get("platform", "")) or AppPlatform(app=app)
        assign(platform, item, APP_PLATFORM_FIELDS, changes, key)
        wanted[platform.platform] = platform
    for code, platform in existing.items():
        if code not in wanted:
            changes.append({"field": f"{prefix}.platforms", "old": platform.package_name, "new": None})
            platform.delete()
    for platform in wanted.values():
        platform.save()
