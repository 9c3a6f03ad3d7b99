"""Rules of the authenticity check (真实性核验): every principal a filing names passes a face check
during entry, in every province, before the provider's pre-review; a province may add a further
step after the SMS (its own app, within hours), which is province data."""

from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from filings.models import AuthenticityCheck, Filing, Person
from filings.rules import change_diff

Step = AuthenticityCheck.Step


def principals_to_check(filing: Filing) -> list[Person]:
    """Return each person who must pass the face check before the filing goes to pre-review: the
    subject's principal and every website's and app's principal; in a change, those whose part
    changed; none in a cancellation."""
    if filing.kind.cancels:
        return []
    if filing.target_id is not None:
        people = change_diff.sms_people(filing, change_diff.change_diff(filing))
    else:
        people = [filing.subject_principal]
        people += [w.principal for w in filing.websites.all()]
        people += [a.principal for a in filing.apps.all()]
    distinct: dict[int, Person] = {}
    for person in people:
        distinct.setdefault(person.pk, person)
    return list(distinct.values())


def entry_check_passed(filing: Filing, person: Person) -> bool:
    """Return whether the person's latest face check on this filing's entry passed."""
    latest = (
        AuthenticityCheck.objects.filter(filing=filing, person=person, step=Step.ENTRY)
        .order_by("-recorded_at", "-pk")
        .values_list("outcome", flat=True)
        .first()
    )
    return latest == AuthenticityCheck.Outcome.PASSED


def check_face_checks(filing: Filing, checklist: Any) -> None:
    """Add a result per principal: passed their face check, or still to do it before submission."""
    for person in principals_to_check(filing):
        checklist.add(
            "face_check",
            entry_check_passed(filing, person),
            _("%(name)s尚未通过真实性核验(人脸核验),提交初审前每位负责人都须完成。") % {"name": person.name},
            field="face_verification",
            object_id=person.pk,
            fix=_("请%(name)s按服务商发送的链接完成人脸核验,核验结果会自动记录。") % {"name": person.name},
            passed_message=_("%(name)s已通过真实性核验。") % {"name": person.name},
        )


def face_check_hours(filing: Filing) -> int | None:
    """Return how long the province gives for the face check, or None when it asks for none."""
    return filing.province.face_check_hours or None


def new_check(filing: Filing, *, now: datetime) -> AuthenticityCheck | None:
    """Return the (unsaved) face check a filing entering SMS verification needs, if any."""
    hours = face_check_hours(filing)
    if hours is None:
        return None
    return AuthenticityCheck(
        filing=filing,
        stage_visit=filing.stage_visit,
        step=Step.PROVINCE,
        person=filing.subject_principal,
        in_own_app=filing.province.face_check_in_own_app,
        started_at=now,
        expires_at=now + timedelta(hours=hours),
    )


def current_check(filing: Filing) -> AuthenticityCheck | None:
    return AuthenticityCheck.objects.filter(
        filing=filing, stage_visit=filing.stage_visit, step=Step.PROVINCE
    ).first()


def allows_bureau(filing: Filing) -> bool:
    """Return whether the round's further check (if the province asks for one) has been passed."""
    check = current_check(filing)
    return check is None or check.outcome == AuthenticityCheck.Outcome.PASSED
