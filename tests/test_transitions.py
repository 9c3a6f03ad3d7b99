"""The filing state machine: every transition from every state by every role, through the services."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from filings.exceptions import (
    ConflictError,
    InvalidInput,
    TransitionNotPermitted,
    TransitionNotPossible,
)
from filings.kinds.states import State
from filings.models import Deadline, Filing, FilingEvent, Person, SmsVerifier
from filings.services import dispatch, transitions
from tests import factories

ROLES = ["principal", "other", "reviewer", "manager", "anonymous", "system"]
TRANSITIONS = [
    "submit",
    "withdraw",
    "pass_review",
    "return_to_entry",
    "complete_sms",
    "expire_sms",
    "fail_sms",
    "approve",
    "reject",
    "register_public_security",
]

# Outcome of each (state, transition) for each role, in the order of ROLES:
# a state name = the transition runs and the filing ends in that state;
# "-" = TransitionNotPossible (not from this state, or not a user action); "x" = TransitionNotPermitted.
# "principal" is the filing's assignee, "other" another service principal, "system" the scheduler (by=None).
TABLE = """
state             transition                principal         other  reviewer          manager  anonymous  system
entry             submit                    provider_review   x      x                 x        x          x
entry             withdraw                  withdrawn         x      x                 x        x          x
entry             pass_review               -                 -      -                 -        -          -
entry             return_to_entry           -                 -      -                 -        -          -
entry             complete_sms              -                 -      -                 -        -          -
entry             expire_sms                -                 -      -                 -        -          -
entry             fail_sms                  -                 -      -                 -        -          -
entry             approve                   -                 -      -                 -        -          -
entry             reject                    -                 -      -                 -        -          -
entry             register_public_security  -                 -      -                 -        -          -
provider_review   submit                    -                 -      -                 -        -          -
provider_review   withdraw                  withdrawn         x      x                 x        x          x
provider_review   pass_review               x                 x      sms_verification  x        x          x
provider_review   return_to_entry           x                 x      entry             x        x          x
provider_review   complete_sms              -                 -      -                 -        -          -
provider_review   expire_sms                -                 -      -                 -        -          -
provider_review   fail_sms                  -                 -      -                 -        -          -
provider_review   approve                   -                 -      -                 -        -          -
provider_review   reject                    -                 -      -                 -        -          -
provider_review   register_public_security  -                 -      -                 -        -          -
sms_verification  submit                    -                 -      -                 -        -          -
sms_verification  withdraw                  withdrawn         x      x                 x        x          x
sms_verification  pass_review               -                 -      -                 -        -          -
sms_verification  return_to_entry           -                 -      -                 -        -          -
sms_verification  complete_sms              bureau_review     x      bureau_review     x        x          x
sms_verification  expire_sms                -                 -      -                 -        -          entry
sms_verification  fail_sms                  x                 x      entry             x        x          x
sms_verification  approve                   -                 -      -                 -        -          -
sms_verification  reject                    -                 -      -                 -        -          -
sms_verification  register_public_security  -                 -      -                 -        -          -
bureau_review     submit                    -                 -      -                 -        -          -
bureau_review     withdraw                  -                 -      -                 -        -          -
bureau_review     pass_review               -                 -      -                 -        -          -
bureau_review     return_to_entry           -                 -      -                 -        -          -
bureau_review     complete_sms              -                 -      -                 -        -          -
bureau_review     expire_sms                -                 -      -                 -        -          -
bureau_review     fail_sms                  -                 -      -                 -        -          -
bureau_review     approve                   x                 x      published         x        x          x
bureau_review     reject                    x                 x      entry             x        x          x
bureau_review     register_public_security  -                 -      -                 -        -          -
published         submit                    -                 -      -                 -        -          -
published         withdraw                  -                 -      -                 -        -          -
published         pass_review               -                 -      -                 -        -          -
published         return_to_entry           -                 -      -                 -        -          -
published         complete_sms              -                 -      -                 -        -          -
published         expire_sms                -                 -      -                 -        -          -
published         fail_sms                  -                 -      -                 -        -          -
published         approve                   -                 -      -                 -        -          -
published         reject                    -                 -      -                 -        -          -
published         register_public_security  published         x      published         x        x          x
withdrawn         submit                    -                 -      -                 -        -          -
withdrawn         withdraw                  -                 -      -                 -        -          -
withdrawn         pass_review               -                 -      -                 -        -          -
withdrawn         return_to_entry           -                 -      -                 -        -          -
withdrawn         complete_sms              -                 -      -                 -        -          -
withdrawn         expire_sms                -                 -      -                 -        -          -
withdrawn         fail_sms                  -                 -      -                 -        -          -
withdrawn         approve                   -                 -      -                 -        -          -
withdrawn         reject                    -                 -      -                 -        -          -
withdrawn         register_public_security  -                 -      -                 -        -          -
"""


def _cases():
    lines = [line.split() for line in TABLE.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert header[2:] == ROLES
    seen = set()
    for state, name, *outcomes in rows:
        seen.add((state, name))
        for role, outcome in zip(ROLES, outcomes, strict=True):
            yield pytest.param(state, name, role, outcome, id=f"{state}-{name}-{role}")
    # The table is complete: every state × every transition appears once.
    assert seen == {(s, t) for s in State.values for t in TRANSITIONS}
    assert len(rows) == len(seen)


REASONS = [
    {
        "field": "domain.registrant_name",
        "reason": "域名注册人与备案主体不一致",
        "suggested_fix": "在注册商处将域名过户到备案主体名下",
    }
]


def bring_to(state: str, *, principal, reviewer) -> Filing:
    """Return a filing (one SMS verifier) carried to `state` through the real services."""
    filing = factories.ready_filing(assignee=principal)
    if state == State.ENTRY:
        return filing
    if state == State.WITHDRAWN:
        return transitions.withdraw_filing(filing, by=principal)
    filing = transitions.submit_filing(filing, by=principal)
    if state == State.PROVIDER_REVIEW:
        return filing
    filing = transitions.pass_review(filing, by=reviewer)
    if state == State.SMS_VERIFICATION:
        return filing
    verifier = filing.sms_verifiers.get(stage_visit=filing.stage_visit)
    filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=principal)
    if state == State.BUREAU_REVIEW:
        return filing
    filing = transitions.approve_filing(filing, by=reviewer, icp_number="粤ICP备2026012345号")
    assert filing.state == State.PUBLISHED
    return filing


def attempt(filing: Filing, name: str, by, *, comment: str = "") -> Filing:
    if name == "expire_sms":
        if by is None:
            return transitions.expire_sms_window(filing)
        return dispatch.perform_transition(filing, name, by=by, comment=comment)
    verifier = SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit).first()
    return dispatch.perform_transition(
        filing,
        name,
        by=by,
        comment=comment,
        reasons=REASONS if name in ("return_to_entry", "reject", "fail_sms") else None,
        icp_number="粤ICP备2026012345号",
        psb_number="粤公网安备44030502000001号",
        verifier_id=verifier.pk if verifier else 0,
    )


def snapshot(filing: Filing) -> dict:
    row = Filing.objects.get(pk=filing.pk)
    return {
        "state": row.state,
        "version": row.version,
        "stage_visit": row.stage_visit,
        "round": row.round,
        "icp_number": row.icp_number,
        "psb_number": row.psb_number,
        "reviewer": row.reviewer_id,
        "events": list(FilingEvent.objects.filter(filing=filing).values_list("pk", flat=True)),
        "deadlines": list(
            Deadline.objects.filter(filing=filing)
            .order_by("pk")
            .values_list("pk", "kind", "due_at", "closed_at", "starts_at")
        ),
        "verifiers": list(
            SmsVerifier.objects.filter(filing=filing).order_by("pk").values_list("pk", "verified_at")
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "name", "role", "outcome"), list(_cases()))
def test_transition_table(state, name, role, outcome, principal, other_principal, reviewer, manager):
    filing = bring_to(state, principal=principal, reviewer=reviewer)
    actor = {
        "principal": principal,
        "other": other_principal,
        "reviewer": reviewer,
        "manager": manager,
        "anonymous": AnonymousUser(),
        "system": None,
    }[role]
    before = snapshot(filing)

    if outcome in ("-", "x"):
        expected = TransitionNotPossible if outcome == "-" else TransitionNotPermitted
        with pytest.raises(expected) as refusal:
            attempt(filing, name, actor, comment="尝试")
        assert str(refusal.value.message)  # a readable reason for the user
        # Nothing half-written: state, version, history, deadlines and SMS rounds are as they were.
        assert snapshot(filing) == before
        return

    result = attempt(filing, name, actor, comment="操作说明")
    row = Filing.objects.get(pk=filing.pk)
    assert result.state == row.state == outcome
    assert row.version > before["version"]
    new_events = list(FilingEvent.objects.filter(filing=filing).exclude(pk__in=before["events"]))
    # Exactly one history row for the transition itself; recording an SMS code also notes that step.
    main = [e for e in new_events if e.transition == name]
    assert len(main) == 1
    assert {e.transition for e in new_events} <= {name, "sms_verified"}
    event = main[0]
    assert event.from_state == state
    assert event.to_state == outcome
    assert event.actor_id == (actor.pk if actor is not None else None)
    if name == "expire_sms":
        assert event.reasons[0]["field"] == "sms" and event.reasons[0]["suggested_fix"]
    elif name != "complete_sms":
        assert event.comment == "操作说明"
    if name in ("return_to_entry", "reject", "fail_sms"):
        assert [{k: r[k] for k in ("field", "reason", "suggested_fix")} for r in event.reasons] == REASONS
    if outcome != state:
        assert row.stage_visit == before["stage_visit"] + 1
        assert event.stage_visit == row.stage_visit
        # The old stage's deadlines are closed, the new stage's opened.
        assert not Deadline.objects.filter(filing=filing, closed_at__isnull=True).exclude(
            stage_visit=row.stage_visit
        )


def test_transition_table_is_complete():
    cases = list(_cases())
    assert len(cases) == len(State.values) * len(TRANSITIONS) * len(ROLES)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["return_to_entry", "reject"])
def test_returns_and_rejections_need_structured_reasons(name, principal, reviewer):
    state = State.PROVIDER_REVIEW if name == "return_to_entry" else State.BUREAU_REVIEW
    filing = bring_to(state, principal=principal, reviewer=reviewer)
    before = snapshot(filing)
    for bad in (None, [], ["只写了一句话"], [{"field": "website.name", "reason": "  "}]):
        with pytest.raises(InvalidInput) as refusal:
            dispatch.perform_transition(filing, name, by=reviewer, comment="退回", reasons=bad)
        assert "reasons" in refusal.value.details
        assert snapshot(filing) == before

    dispatch.perform_transition(
        filing,
        name,
        by=reviewer,
        comment="请修改",
        reasons=[
            {"field": "website.name", "reason": "网站名称与内容不符", "suggested_fix": "修改网站名称"},
            {"field": "domain.name", "reason": "后缀不能备案"},
        ],
    )
    event = FilingEvent.objects.get(filing=filing, transition=name)
    assert event.reasons == [
        {
            "field": "website.name",
            "reason": "网站名称与内容不符",
            "suggested_fix": "修改网站名称",
            "code": "",
        },
        {"field": "domain.name", "reason": "后缀不能备案", "suggested_fix": "", "code": ""},
    ]
    assert event.comment == "请修改"
    assert Filing.objects.get(pk=filing.pk).state == State.ENTRY


@pytest.mark.django_db
def test_withdrawal_is_refused_once_with_the_bureau(principal, reviewer):
    filing = bring_to(State.BUREAU_REVIEW, principal=principal, reviewer=reviewer)
    with pytest.raises(TransitionNotPossible) as refusal:
        transitions.withdraw_filing(filing, by=principal)
    assert "管局审核" in str(refusal.value.message)
    assert Filing.objects.get(pk=filing.pk).state == State.BUREAU_REVIEW


@pytest.mark.django_db
def test_history_rows_cannot_be_changed_or_deleted(filing, principal):
    transitions.submit_filing(filing, by=principal, comment="请审核")
    event = FilingEvent.objects.get(filing=filing, transition="submit")
    assert (event.actor, event.from_state, event.to_state, event.comment) == (
        principal,
        State.ENTRY,
        State.PROVIDER_REVIEW,
        "请审核",
    )
    event.comment = "篡改"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        FilingEvent.objects.filter(pk=event.pk).update(comment="篡改")
    with pytest.raises(ValidationError):
        FilingEvent.objects.filter(pk=event.pk).delete()
    assert FilingEvent.objects.get(pk=event.pk).comment == "请审核"


@pytest.mark.django_db
def test_stale_copy_is_refused_with_a_conflict(filing, principal, reviewer):
    stale = Filing.objects.get(pk=filing.pk)
    transitions.submit_filing(filing, by=principal)
    with pytest.raises(ConflictError):
        transitions.withdraw_filing(stale, by=principal)
    assert Filing.objects.get(pk=filing.pk).state == State.PROVIDER_REVIEW
    assert FilingEvent.objects.filter(filing=filing, transition="withdraw").count() == 0


@pytest.mark.django_db
def test_two_verifiers_each_confirm_before_the_bureau(principal, reviewer):
    filing = factories.ready_filing(assignee=principal)
    website = filing.websites.get()
    website.principal = factories.PersonFactory(name="李网站")
    website.save()
    factories.add_required_materials(filing)
    filing = transitions.submit_filing(filing, by=principal)
    filing = transitions.pass_review(filing, by=reviewer)
    verifiers = list(filing.sms_verifiers.filter(stage_visit=filing.stage_visit).order_by("pk"))
    assert {v.person_id for v in verifiers} == {filing.subject_principal_id, website.principal_id}
    assert {v.mobile for v in verifiers} == {filing.subject_principal.mobile, website.principal.mobile}

    filing = transitions.record_sms_verification(filing, verifier_id=verifiers[0].pk, by=principal)
    assert filing.state == State.SMS_VERIFICATION
    # Recording the same verifier twice changes nothing.
    filing = transitions.record_sms_verification(filing, verifier_id=verifiers[0].pk, by=principal)
    assert filing.state == State.SMS_VERIFICATION
    assert FilingEvent.objects.filter(filing=filing, transition="sms_verified").count() == 1

    filing = transitions.record_sms_verification(filing, verifier_id=verifiers[1].pk, by=reviewer)
    assert filing.state == State.BUREAU_REVIEW
    assert FilingEvent.objects.filter(filing=filing, transition="sms_verified").count() == 2
    assert FilingEvent.objects.filter(filing=filing, transition="complete_sms").count() == 1


@pytest.mark.django_db
def test_verifier_of_another_filing_is_refused(principal, reviewer):
    first = bring_to(State.SMS_VERIFICATION, principal=principal, reviewer=reviewer)
    second = bring_to(State.SMS_VERIFICATION, principal=principal, reviewer=reviewer)
    foreign = second.sms_verifiers.get()
    with pytest.raises(InvalidInput):
        transitions.record_sms_verification(first, verifier_id=foreign.pk, by=principal)
    assert Filing.objects.get(pk=first.pk).state == State.SMS_VERIFICATION


@pytest.mark.django_db
def test_one_code_when_the_principals_share_a_phone(principal, reviewer):
    filing = factories.ready_filing(assignee=principal)
    same = filing.subject_principal
    website = filing.websites.get()
    # The same person entered twice (a second Person row): one phone, one code.
    website.principal = Person.objects.create(
        name=same.name, id_number=same.id_number, mobile=same.mobile, email=same.email
    )
    website.save()
    factories.add_required_materials(filing)
    filing = transitions.submit_filing(filing, by=principal)
    filing = transitions.pass_review(filing, by=reviewer)
    verifiers = filing.sms_verifiers.filter(stage_visit=filing.stage_visit)
    assert verifiers.count() == 1
    filing = transitions.record_sms_verification(filing, verifier_id=verifiers.get().pk, by=principal)
    assert filing.state == State.BUREAU_REVIEW


@pytest.mark.django_db
def test_new_access_sends_the_sms_to_the_website_principal_only(principal, reviewer):
    filing = factories.ready_filing(assignee=principal, filing_type=Filing.Type.NEW_ACCESS)
    # A new access carries the numbers the subject holds from its previous provider.
    Filing.objects.filter(pk=filing.pk).update(icp_number="粤ICP备2019012345号")
    website = filing.websites.get()
    website.principal = factories.PersonFactory(name="李网站")
    website.icp_number = "粤ICP备2019012345号-1"
    website.save()
    factories.add_required_materials(filing)
    filing = transitions.submit_filing(filing, by=principal)
    filing = transitions.pass_review(filing, by=reviewer)
    assert [v.person_id for v in filing.sms_verifiers.all()] == [website.principal_id]


@pytest.mark.django_db
def test_cancel_access_cannot_pass_review_into_sms(principal, reviewer):
    # Cancel access ends at the provider (tests/test_cancellations.py); it never goes to the SMS or the bureau.
    published = factories.published_filing(assignee=principal, reviewer=reviewer)
    filing = factories.cancel_website(published, principal, scope="access")
    filing = transitions.submit_filing(filing, by=principal)
    with pytest.raises(TransitionNotPossible, match="取消接入在服务商处完成"):
        transitions.pass_review(filing, by=reviewer)
    assert Filing.objects.get(pk=filing.pk).state == State.PROVIDER_REVIEW
    assert not SmsVerifier.objects.filter(filing=filing).exists()


@pytest.mark.django_db
def test_resubmission_after_sms_timeout_starts_a_new_sms_round(principal, reviewer):
    filing = bring_to(State.SMS_VERIFICATION, principal=principal, reviewer=reviewer)
    first_round = filing.sms_verifiers.get()
    filing = transitions.expire_sms_window(filing)
    assert filing.state == State.ENTRY
    filing = transitions.submit_filing(filing, by=principal)
    assert filing.round == 2
    filing = transitions.pass_review(filing, by=reviewer)
    current = filing.sms_verifiers.get(stage_visit=filing.stage_visit)
    assert current.pk != first_round.pk and current.verified_at is None
    with pytest.raises(InvalidInput):
        transitions.record_sms_verification(filing, verifier_id=first_round.pk, by=principal)
    filing = transitions.record_sms_verification(filing, verifier_id=current.pk, by=principal)
    assert filing.state == State.BUREAU_REVIEW


@pytest.mark.django_db
def test_public_security_number_is_recorded_once(principal, reviewer):
    filing = bring_to(State.PUBLISHED, principal=principal, reviewer=reviewer)
    assert filing.websites.get().icp_number == "粤ICP备2026012345号-1"
    with pytest.raises(InvalidInput):
        transitions.register_public_security(filing, by=principal, psb_number="")
    filing = transitions.register_public_security(
        filing, by=principal, psb_number="粤公网安备44030502000001号"
    )
    assert filing.psb_number == "粤公网安备44030502000001号" and filing.psb_registered_at
    with pytest.raises(TransitionNotPossible):
        transitions.register_public_security(filing, by=principal, psb_number="粤公网安备44030502000002号")
    assert Filing.objects.get(pk=filing.pk).psb_number == "粤公网安备44030502000001号"


@pytest.mark.django_db
def test_approval_needs_an_icp_number_of_the_filing_province(principal, reviewer):
    filing = bring_to(State.BUREAU_REVIEW, principal=principal, reviewer=reviewer)
    before = snapshot(filing)
    for bad in ("", "京ICP备2026012345号", "粤ICP证030173号", "粤ICP备12号"):
        with pytest.raises(InvalidInput):
            transitions.approve_filing(filing, by=reviewer, icp_number=bad)
        assert snapshot(filing) == before


@pytest.mark.django_db
def test_unknown_transition_name_is_refused(filing, principal):
    with pytest.raises(TransitionNotPossible):
        dispatch.perform_transition(filing, "publish_now", by=principal)
    with pytest.raises(InvalidInput):
        dispatch.perform_transition(filing, "complete_sms", by=principal)
