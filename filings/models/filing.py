"""The filing itself and its state machine: the transitions, and the tables of their names read by
labels, the admin, the API and the pages."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

import filings.models.transition_rules as transition_perms
from filings.kinds import FilingKind, kind_of
from filings.kinds.states import OPEN_STATES, WITHDRAWABLE_STATES, State
from filings.models.people import Person
from filings.models.reference import Province
from filings.models.subjects import Subject


def walks_sms(filing: "Filing") -> bool:
    return filing.kind.walks_sms


def finishes_at_provider(filing: "Filing") -> bool:
    return filing.kind.last_open_stage == State.PROVIDER_REVIEW


class Filing(ConcurrentTransitionMixin, models.Model):
    """One ICP filing carried through the five stages."""

    class Type(models.TextChoices):
        FIRST = "first", _("首次备案")
        NEW_WEBSITE = "new_website", _("新增网站")
        NEW_ACCESS = "new_access", _("新增接入")
        NEW_APP = "new_app", _("APP备案")
        CHANGE = "change", _("变更备案")
        CANCEL = "cancel", _("注销备案")
        CANCEL_ACCESS = "cancel_access", _("取消接入")

    reference = models.UUIDField(_("编号"), default=uuid.uuid4, unique=True, editable=False)
    filing_type = models.CharField(_("备案类型"), max_length=16, choices=Type.choices, default=Type.FIRST)
    subject = models.ForeignKey(
        Subject, verbose_name=_("备案主体"), on_delete=models.PROTECT, related_name="filings"
    )
    # No index of its own for this key, the assignee's and the stage: the list indexes below start
    # with each (every index is written again by each transition, the state being in most).
    province = models.ForeignKey(
        Province, verbose_name=_("备案省份"), on_delete=models.PROTECT, related_name="filings", db_index=False
    )
    subject_principal = models.ForeignKey(
        Person, verbose_name=_("主体负责人"), on_delete=models.PROTECT, related_name="principal_of_filings"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务负责人"),
        on_delete=models.PROTECT,
        related_name="assigned_filings",
        db_index=False,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("初审员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_filings",
    )
    # The published filing a change, cancellation or access move acts on.
    target = models.ForeignKey(
        "self",
        verbose_name=_("所办理的已公示备案"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followups",
    )
    state = FSMField(_("阶段"), default=State.ENTRY, choices=State.choices, protected=True)
    # Each entry into a stage is a new visit; alerts and SMS rounds belong to one visit.
    stage_visit = models.PositiveIntegerField(_("阶段序号"), default=1)
    stage_entered_at = models.DateTimeField(_("进入当前阶段时间"), default=timezone.now)
    # Bumped by every save, so that two people editing the same draft cannot overwrite each other.
    version = models.PositiveIntegerField(_("版本"), default=1)
    round = models.PositiveSmallIntegerField(_("提交轮次"), default=0)
    icp_number = models.CharField(_("主体备案号"), max_length=32, blank=True)
    psb_number = models.CharField(_("公安备案号"), max_length=32, blank=True)
    submitted_at = models.DateTimeField(_("最近提交时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    psb_registered_at = models.DateTimeField(_("公安联网备案时间"), null=True, blank=True)
    # The public-security registration is due 30 days after the site goes live (网站开通之日),
    # which the principal records; it starts as the publication date.
    went_live_on = models.DateField(_("网站开通日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    # Everything a search looks in, in lower case (subject name and certificate number, ICP numbers,
    # website, domain and app names, package names), one per line. Kept by PostgreSQL triggers
    # (migration 0020), so no write has to remember it; empty on SQLite, where search joins tables.
    search_document = models.TextField(default="", editable=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("备案")
        verbose_name_plural = _("备案")
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=Q(state__in=OPEN_STATES),
                name="one_open_filing_per_subject",
                violation_error_message=_("该主体已有一个进行中的备案,请先完成或撤回。"),
            ),
        ]
        # Lists are read newest first (ordering), a page at a time from a position (keyset):
        # one index per way of narrowing them, each ending in the ordering.
        indexes = [
            models.Index(fields=["-updated_at", "-id"], name="filing_recent"),
            models.Index(fields=["assignee", "-updated_at", "-id"], name="filing_assignee_recent"),
            # A principal's list narrowed to a stage, and its count to 1,001: the largest customer
            # holds 50,000 filings, and without it the count read 55,000 open filings (37 ms).
            models.Index(
                fields=["assignee", "state", "-updated_at", "-id"], name="filing_assignee_state_recent"
            ),
            models.Index(fields=["state", "-updated_at", "-id"], name="filing_state_recent"),
            models.Index(fields=["province", "-updated_at", "-id"], name="filing_province_recent"),
            # The open-filing list narrowed to a province, a stage at a time in the order it shows
            # them: a province's first page in bureau review read 431 filings of every province
            # for its 51 through (state, stage_entered_at), and 51 through this one.
            models.Index(
                fields=["province", "state", "stage_entered_at", "id"], name="filing_province_state_entered"
            ),
            models.Index(fields=["state", "stage_entered_at"]),
            # A search for the start of an ICP number (京ICP备2025) reads a range of this one, and
            # sorts what it finds by time from the index alone (a principal's own too).
            models.Index(
                fields=["icp_number"],
                opclasses=["varchar_pattern_ops"],
                include=["updated_at", "id", "assignee"],
                name="filing_icp_number_prefix",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject.name} · {self.get_filing_type_display()}"

    def get_absolute_url(self) -> str:
        return f"/filings/{self.pk}/"

    # Django's get_FOO_display() translates every choice to look one up; these translate one.
    @property
    def type_label(self) -> str:
        return self.Type(self.filing_type).label

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def kind(self) -> FilingKind:
        """Return the declaration of this filing's type (filings.kinds)."""
        return kind_of(self.filing_type)

    @property
    def cancellation_or_none(self):
        """Return what a cancellation filing cancels; other filings have none (and are not asked)."""
        return getattr(self, "cancellation", None) if self.kind.cancels else None

    # Transitions change only this row; services do the locking, history and notifications.

    @transition(
        field=state,
        source=State.ENTRY,
        target=State.PROVIDER_REVIEW,
        permission=transition_perms.is_assignee,
        custom={"label": _("提交初审"), "requested": True, "in_admin": True},
    )
    def submit(self) -> None:
        self.round += 1
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=WITHDRAWABLE_STATES,
        target=State.WITHDRAWN,
        permission=transition_perms.is_assignee,
        custom={"label": _("撤回"), "requested": True, "in_admin": True},
    )
    def withdraw(self) -> None:
        pass

    @transition(
        field=state,
        source=State.PROVIDER_REVIEW,
        target=State.SMS_VERIFICATION,
        permission=transition_perms.is_reviewer,
        conditions=[walks_sms],
        custom={"label": _("初审通过"), "requested": True, "in_admin": True},
    )
    def pass_review(self) -> None:
        pass

    @transition(
        field=state,
        source=State.PROVIDER_REVIEW,
        target=State.ENTRY,
        permission=transition_perms.is_reviewer,
        custom={"label": _("初审退回"), "requested": True, "in_admin": True},
    )
    def return_to_entry(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SMS_VERIFICATION,
        target=State.BUREAU_REVIEW,
        permission=transition_perms.is_verifier_or_reviewer,
        custom={"label": _("短信核验完成"), "requested": True, "in_admin": False},
    )
    def complete_sms(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SMS_VERIFICATION,
        target=State.ENTRY,
        permission=transition_perms.is_system,
        custom={"label": _("短信核验超时"), "requested": False, "in_admin": False},
    )
    def expire_sms(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SMS_VERIFICATION,
        target=State.ENTRY,
        permission=transition_perms.is_reviewer,
        custom={"label": _("短信核验失败"), "requested": True, "in_admin": True},
    )
    def fail_sms(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SMS_VERIFICATION,
        target=State.ENTRY,
        permission=transition_perms.is_assignee_or_reviewer,
        custom={"label": _("真实性核验未通过"), "requested": False, "in_admin": False},
    )
    def fail_face_check(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SMS_VERIFICATION,
        target=State.ENTRY,
        permission=transition_perms.is_system,
        custom={"label": _("真实性核验超时"), "requested": False, "in_admin": False},
    )
    def expire_face_check(self) -> None:
        pass

    @transition(
        field=state,
        source=State.BUREAU_REVIEW,
        target=State.PUBLISHED,
        permission=transition_perms.is_reviewer,
        custom={"label": _("管局审核通过"), "requested": True, "in_admin": True},
    )
    def approve(self) -> None:
        self.published_at = timezone.now()
        self.went_live_on = timezone.localdate(self.published_at)

    @transition(
        field=state,
        source=State.BUREAU_REVIEW,
        target=State.ENTRY,
        permission=transition_perms.is_reviewer,
        custom={"label": _("管局退回"), "requested": True, "in_admin": True},
    )
    def reject(self) -> None:
        pass

    @transition(
        field=state,
        source=State.PROVIDER_REVIEW,
        target=State.PUBLISHED,
        permission=transition_perms.is_reviewer,
        conditions=[finishes_at_provider],
        custom={"label": _("取消接入完成"), "requested": True, "in_admin": False},
    )
    def finish_at_provider(self) -> None:
        """Cancel access (取消接入) ends at the provider: no SMS, no bureau review."""
        self.published_at = timezone.now()

    @transition(
        field=state,
        source=State.PUBLISHED,
        target=State.PUBLISHED,
        permission=transition_perms.is_assignee_or_reviewer,
        custom={"label": _("公安联网备案"), "requested": True, "in_admin": True},
    )
    def register_public_security(self) -> None:
        self.psb_registered_at = timezone.now()


# The state machine's transitions, read by labels, the admin, the API and the pages (names once).
_by_name = {t.name: t for t in Filing._meta.get_field("state").get_all_transitions(Filing)}
TRANSITIONS = {name: _by_name[name] for name in vars(Filing) if name in _by_name}  # in declaration order
TRANSITION_LABELS = {name: t.custom["label"] for name, t in TRANSITIONS.items()}
# Transitions a user may ask for by name (the scheduler's expiries and recorded steps are not).
REQUESTED_TRANSITIONS = [name for name, t in TRANSITIONS.items() if t.custom["requested"]]
ADMIN_TRANSITIONS = {name for name, t in TRANSITIONS.items() if t.custom["in_admin"]}
