"""The data of ICP filings: reference data, subjects, people, websites, domains, the filing itself
with its state machine, its history, deadlines, SMS verifiers and uploaded materials."""

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

import filings.models.transition_rules as transition_perms
import filings.models.wording as wording
from filings.formats.validators import validate_domain_name, validate_mobile, validate_phone
from filings.kinds import FilingKind, kind_of
from filings.kinds.states import OPEN_STATES, WITHDRAWABLE_STATES, State
from filings.models.fields import CertificateNumberField

# 《非经营性互联网信息服务备案管理办法》(信息产业部令第33号) Art. 12.
NATIONAL_BUREAU_WORKDAYS = 20


class Province(models.Model):
    """One of the 31 provincial communications bureaus (通信管理局) and its rules."""

    code = models.CharField(_("行政区划代码"), max_length=2, unique=True)
    name = models.CharField(_("省份"), max_length=16, unique=True)
    short_name = models.CharField(_("简称"), max_length=8)
    bureau_name = models.CharField(_("管局名称"), max_length=32)
    icp_abbreviation = models.CharField(
        _("ICP备案号简称"), max_length=1, unique=True, help_text=_("用于“粤ICP备…号”,例如四川为“蜀”")
    )
    psb_abbreviation = models.CharField(
        _("公安联网备案号简称"),
        max_length=1,
        help_text=_("用于“粤公网安备…号”;四川、甘肃、贵州与ICP备案号简称不同(川、甘、贵)"),
    )
    bureau_review_workdays = models.PositiveSmallIntegerField(
        _("管局审核时限(工作日)"),
        default=NATIONAL_BUREAU_WORKDAYS,
        help_text=_(
            "《非经营性互联网信息服务备案管理办法》第十二条规定为20个工作日;只有注明出处时才能填写更长的时限"
        ),
    )
    bureau_review_source = models.CharField(
        _("管局审核时限出处"),
        max_length=200,
        blank=True,
        help_text=_("时限不是20个工作日时,填写公布该时限的文件或网页"),
    )
    typical_bureau_workdays = models.PositiveSmallIntegerField(
        _("管局审核通常用时(工作日)"), default=7, help_text=_("没有历史数据时用于预计公示日期")
    )
    extra_materials = models.JSONField(
        _("额外必需材料"), default=list, blank=True, help_text=_('材料类型代码列表,例如 ["pledge"]')
    )
    max_domains_per_filing = models.PositiveSmallIntegerField(_("每个备案最多域名数"), null=True, blank=True)
    max_domains_per_website = models.PositiveSmallIntegerField(_("每个网站最多域名数"), null=True, blank=True)
    same_city_addresses = models.BooleanField(_("证件地址与通信地址须在同一城市"), default=False)
    personal_local_id_only = models.BooleanField(_("个人备案仅限本地身份证"), default=False)
    accepts_residence_permit = models.BooleanField(_("个人备案接受居住证"), default=False)
    local_business_licence_only = models.BooleanField(_("仅接受本省营业执照"), default=False)
    principal_must_be_legal_rep = models.BooleanField(_("主体负责人须为法定代表人"), default=True)
    accepts_authorisation_letter = models.BooleanField(_("接受授权书代替法定代表人"), default=False)
    face_check_in_own_app = models.BooleanField(_("在管局自有应用中人脸核验"), default=False)
    face_check_hours = models.PositiveSmallIntegerField(
        _("真实性核验有效时间(小时)"),
        null=True,
        blank=True,
        help_text=_("初审通过后负责人须在此时间内完成人脸核验;留空表示本省不要求真实性核验"),
    )
    minimum_age = models.PositiveSmallIntegerField(_("负责人最低年龄"), null=True, blank=True)
    footer_shows_subject_number = models.BooleanField(_("页脚展示主体备案号"), default=False)
    footer_fix_workdays = models.PositiveSmallIntegerField(
        _("页脚整改期限(工作日)"),
        default=5,
        help_text=_("页脚检查未通过后,给服务负责人整改的工作日数,期满仍未通过才算超期"),
    )
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("省份管局")
        verbose_name_plural = _("省份管局")
        constraints = [
            models.CheckConstraint(
                condition=Q(bureau_review_workdays__lte=NATIONAL_BUREAU_WORKDAYS)
                | ~Q(bureau_review_source=""),
                name="province_longer_bureau_limit_has_source",
            )
        ]

    def __str__(self) -> str:
        return gettext(self.name)  # the seeded names are in the catalogue (reference_data.py)

    def clean(self) -> None:
        if self.bureau_review_workdays > NATIONAL_BUREAU_WORKDAYS and not self.bureau_review_source:
            raise ValidationError(
                {
                    "bureau_review_source": _("全国规定的管局审核时限为%(n)s个工作日;更长的时限须注明出处。")
                    % {"n": NATIONAL_BUREAU_WORKDAYS}
                }
            )


class RuleTerm(models.Model):
    """One entry of a rule list: a refused TLD, a forbidden word, a prior-approval keyword…"""

    class Kind(models.TextChoices):
        ALLOWED_TLD = "allowed_tld", _("可备案的顶级域(工信部批准)")
        DENIED_TLD = "denied_tld", _("不可备案的顶级域")
        APPROVED_REGISTRAR = "approved_registrar", _("工信部批准的域名注册服务机构")
        RESERVED_NAME_PREFIX = "reserved_name_prefix", _("网站名称不得使用的开头")
        INDIVIDUAL_NAME_WORD = "individual_name_word", _("个人网站名称禁用词")
        SENSITIVE_WORD = "sensitive_word", _("敏感词")
        PRIOR_APPROVAL_KEYWORD = "prior_approval_keyword", _("前置审批关键词")

    kind = models.CharField(_("类别"), max_length=32, choices=Kind.choices)
    value = models.CharField(_("内容"), max_length=64)
    category = models.CharField(
        _("分类"), max_length=32, blank=True, help_text=_("前置审批关键词所属的审批类别")
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("适用省份"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("留空表示全国适用"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "value"]
        verbose_name = _("规则词条")
        verbose_name_plural = _("规则词条")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "value"], condition=Q(province__isnull=True), name="rule_term_unique_national"
            ),
            models.UniqueConstraint(fields=["kind", "value", "province"], name="rule_term_unique_provincial"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class DurationRule(models.Model):
    """A waiting time or term a pre-check enforces, one definition read by the check, its message
    and the rejection catalogue (whose texts name it as {real_name_wait} or {server_term})."""

    class Code(models.TextChoices):
        REAL_NAME_WAIT = "real_name_wait", _("域名实名认证后等待时间")
        SERVER_TERM = "server_term", _("服务器最短服务期(含续费)")

    class Unit(models.TextChoices):
        DAYS = "days", _("自然日")
        WORKDAYS = "workdays", _("工作日")
        MONTHS = "months", _("个月")

    code = models.CharField(_("规则"), max_length=32, choices=Code.choices, unique=True)
    amount = models.PositiveSmallIntegerField(_("数量"))
    unit = models.CharField(_("单位"), max_length=16, choices=Unit.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")

    def __str__(self) -> str:
        return f"{self.get_code_display()}: {self.amount} {self.get_unit_display()}"


class RejectionReason(models.Model):
    """A common reason for a return or rejection, chosen by reviewers from a catalogue."""

    code = models.SlugField(_("代码"), max_length=48, unique=True)
    field = models.CharField(_("字段"), max_length=64, help_text=_("例如 domain.registrant_name"))
    reason = models.CharField(_("原因"), max_length=200)
    suggested_fix = models.CharField(_("修改建议"), max_length=300)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("常见退回原因")
        verbose_name_plural = _("常见退回原因")

    def __str__(self) -> str:
        return gettext(self.reason)  # the seeded reasons are in the catalogue (reference_data.py)


class CalendarYear(models.Model):
    """A year whose official holiday notice an admin has entered as CalendarDay rows."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    official = models.BooleanField(_("已录入国务院放假通知"), default=True)
    notice = models.CharField(_("通知来源"), max_length=200, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("日历年份")
        verbose_name_plural = _("日历年份")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An admin's override of one day: a statutory holiday or a make-up working day (调休)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=32, blank=True, help_text=_("例如 春节、国庆节调休上班"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("日历日")
        verbose_name_plural = _("日历日")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Subject(models.Model):
    """The filing subject (备案主体): an organisation or an individual."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        INDIVIDUAL = "individual", _("个人")
        PUBLIC_INSTITUTION = "public_institution", _("事业单位")
        GOVERNMENT = "government", _("政府机关")
        SOCIAL_ORGANISATION = "social_organisation", _("社会团体")
        PRIVATE_NON_ENTERPRISE = "private_non_enterprise", _("民办非企业单位")
        FOUNDATION = "foundation", _("基金会")
        LAW_FIRM = "law_firm", _("律师执业机构")
        MILITARY = "military", _("国防机构")

    class CertificateKind(models.TextChoices):
        USCC = "uscc", _("统一社会信用代码证书")
        RESIDENT_ID = "resident_id", _("居民身份证")
        RESIDENCE_PERMIT = "residence_permit", _("居住证")
        HMT_RESIDENCE_PERMIT = "hmt_residence_permit", _("港澳台居民居住证")
        FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence", _("外国人永久居留身份证")
        HK_MACAO_PERMIT = "hk_macao_permit", _("港澳居民来往内地通行证")
        TAIWAN_PERMIT = "taiwan_permit", _("台湾居民来往大陆通行证")
        PASSPORT = "passport", _("护照")
        OTHER = "other", _("其他证件")

    kind = models.CharField(_("主体性质"), max_length=32, choices=Kind.choices)
    name = models.CharField(_("主体名称"), max_length=100)
    certificate_kind = models.CharField(_("证件类型"), max_length=32, choices=CertificateKind.choices)
    certificate_number = CertificateNumberField(_("证件号码"), max_length=32)
    licence_valid_from = models.DateField(_("证件有效期起"), null=True, blank=True)
    licence_valid_until = models.DateField(_("证件有效期止"), null=True, blank=True)
    licence_long_term = models.BooleanField(_("长期有效"), default=False)
    business_scope = models.TextField(_("经营范围"), blank=True, validators=[MaxLengthValidator(2000)])
    province = models.ForeignKey(Province, verbose_name=_("所在省份"), on_delete=models.PROTECT)
    city = models.CharField(_("城市"), max_length=32)
    registered_address = models.CharField(_("证件地址"), max_length=200)
    postal_address = models.CharField(_("通信地址"), max_length=200)
    legal_representative = models.CharField(_("法定代表人"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("备案主体")
        verbose_name_plural = _("备案主体")
        indexes = [
            models.Index(fields=["certificate_number"]),
            # The same certificate number in any letter case is the same subject (checks.py).
            models.Index(Upper("certificate_number"), name="subject_certificate_upper"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_individual(self) -> bool:
        return self.kind == self.Kind.INDIVIDUAL


class Person(models.Model):
    """A responsible person (负责人): the subject's principal or a website's principal."""

    class IdKind(models.TextChoices):
        RESIDENT_ID = "resident_id", _("居民身份证")
        RESIDENCE_PERMIT = "residence_permit", _("居住证")
        HMT_RESIDENCE_PERMIT = "hmt_residence_permit", _("港澳台居民居住证")
        FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence", _("外国人永久居留身份证")
        HK_MACAO_PERMIT = "hk_macao_permit", _("港澳居民来往内地通行证")
        TAIWAN_PERMIT = "taiwan_permit", _("台湾居民来往大陆通行证")
        PASSPORT = "passport", _("护照")

    name = models.CharField(_("姓名"), max_length=64)
    id_kind = models.CharField(
        _("证件类型"), max_length=32, choices=IdKind.choices, default=IdKind.RESIDENT_ID
    )
    id_number = CertificateNumberField(_("证件号码"), max_length=32)
    id_valid_until = models.DateField(_("证件有效期止"), null=True, blank=True, help_text=_("留空表示长期"))
    mobile = models.CharField(_("手机号码"), max_length=20, validators=[validate_mobile])
    emergency_phone = models.CharField(_("应急电话"), max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(_("电子邮箱"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("负责人")
        verbose_name_plural = _("负责人")
        indexes = [models.Index(fields=["mobile"]), models.Index(fields=["emergency_phone"])]

    def __str__(self) -> str:
        return self.name


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
    province = models.ForeignKey(
        Province, verbose_name=_("备案省份"), on_delete=models.PROTECT, related_name="filings"
    )
    subject_principal = models.ForeignKey(
        Person, verbose_name=_("主体负责人"), on_delete=models.PROTECT, related_name="principal_of_filings"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务负责人"),
        on_delete=models.PROTECT,
        related_name="assigned_filings",
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
    state = FSMField(_("阶段"), default=State.ENTRY, choices=State.choices, protected=True, db_index=True)
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
            models.Index(fields=["state", "-updated_at", "-id"], name="filing_state_recent"),
            models.Index(fields=["province", "-updated_at", "-id"], name="filing_province_recent"),
            models.Index(fields=["province", "state"]),
            models.Index(fields=["state", "stage_entered_at"]),
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

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

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


class FilingItem(models.Model):
    """What a website and an app of a filing share: their place in the filing and their cancellation."""

    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    cancelled_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    # The principal's answers, per prior-approval category its name or description mentions, to
    # whether it provides that service: {"news": "no"} (content_rules).
    service_answers = models.JSONField(_("是否提供前置审批类服务"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["filing", "position"]

    def __str__(self) -> str:
        return self.name


class Website(FilingItem):
    """A website of a filing (a filing can hold several)."""

    class ServiceContent(models.TextChoices):
        CORPORATE = "corporate", _("企业官网")
        PERSONAL = "personal", _("博客/个人空间")
        PORTAL = "portal", _("综合门户")
        ECOMMERCE = "ecommerce", _("网上购物")
        SEARCH = "search", _("搜索引擎")
        COMMUNITY = "community", _("网络社区")
        SOFTWARE = "software", _("软件下载")
        GOVERNMENT = "government", _("政务服务")
        # Regulated services (前置审批), with the codes of PriorApproval.Category.
        NEWS = "news", _("新闻")
        PUBLISHING = "publishing", _("出版")
        DRUGS_DEVICES = "drugs_devices", _("药品和医疗器械")
        CULTURE = "culture", _("文化")
        AUDIO_VIDEO = "audio_video", _("广播电影电视")
        RIDE_HAILING = "ride_hailing", _("网络预约车")
        FINANCE = "finance", _("金融")
        GAMES = "games", _("游戏")
        EDUCATION = "education", _("教育")
        HEALTH = "health", _("医疗保健")
        OTHER = "other", _("其他")

    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="websites"
    )
    name = models.CharField(_("网站名称"), max_length=64)
    homepage = models.URLField(_("首页地址"), max_length=300)
    service_content = models.CharField(
        _("服务内容"), max_length=32, choices=ServiceContent.choices, default=ServiceContent.CORPORATE
    )
    description = models.TextField(_("内容描述"), blank=True, validators=[MaxLengthValidator(1000)])
    languages = models.JSONField(_("网站语言"), default=list, blank=True)
    principal = models.ForeignKey(
        Person, verbose_name=_("网站负责人"), on_delete=models.PROTECT, related_name="principal_of_websites"
    )
    server_provider = models.CharField(_("接入服务商"), max_length=100)
    server_ip = models.GenericIPAddressField(_("服务器IP"), null=True, blank=True)
    server_valid_from = models.DateField(
        _("服务器开通日期"),
        null=True,
        blank=True,
        help_text=_("包年包月服务器的购买(开通)日期;服务期按开通日到到期日计算,续费计入"),
    )
    server_valid_until = models.DateField(_("服务器到期日"))
    icp_number = models.CharField(_("网站备案号"), max_length=40, blank=True)
    access_cancelled_at = models.DateTimeField(_("取消接入时间"), null=True, blank=True)
    # In a change (变更备案): the published website this draft copy will replace on approval.
    source = models.ForeignKey(
        "self",
        verbose_name=_("变更的原网站"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="change_copies",
    )

    class Meta(FilingItem.Meta):
        verbose_name = _("网站")
        verbose_name_plural = _("网站")
        constraints = [models.UniqueConstraint(fields=["filing", "position"], name="website_position_unique")]


class PriorApproval(models.Model):
    """A prior-approval item (前置审批) a website needs, with its licence."""

    class Category(models.TextChoices):
        NEWS = "news", _("新闻")
        PUBLISHING = "publishing", _("出版")
        DRUGS_DEVICES = "drugs_devices", _("药品和医疗器械")
        CULTURE = "culture", _("文化")
        AUDIO_VIDEO = "audio_video", _("广播电影电视")
        RIDE_HAILING = "ride_hailing", _("网络预约车")
        FINANCE = "finance", _("金融")
        GAMES = "games", _("游戏")
        EDUCATION = "education", _("教育")
        HEALTH = "health", _("医疗保健")

    website = models.ForeignKey(
        Website, verbose_name=_("网站"), on_delete=models.CASCADE, related_name="prior_approvals"
    )
    category = models.CharField(_("前置审批类别"), max_length=32, choices=Category.choices)
    licence_number = models.CharField(_("审批文号"), max_length=64)

    class Meta:
        verbose_name = _("前置审批")
        verbose_name_plural = _("前置审批")
        constraints = [
            models.UniqueConstraint(fields=["website", "category"], name="prior_approval_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.licence_number}"


class Domain(models.Model):
    """A domain name of a website, stored in its IDNA-normalised Unicode form."""

    website = models.ForeignKey(
        Website, verbose_name=_("网站"), on_delete=models.CASCADE, related_name="domains"
    )
    name = models.CharField(_("域名"), max_length=253, validators=[validate_domain_name])
    registrar = models.CharField(_("注册商"), max_length=100, blank=True)
    registrant_name = models.CharField(_("注册人名称"), max_length=100)
    registrant_certificate_number = CertificateNumberField(_("注册人证件号码"), max_length=32, blank=True)
    real_name_verified_at = models.DateField(_("实名认证日期"), null=True, blank=True)
    expires_on = models.DateField(_("域名到期日"), null=True, blank=True)

    class Meta:
        ordering = ["website", "name"]
        verbose_name = _("域名")
        verbose_name_plural = _("域名")
        constraints = [models.UniqueConstraint(fields=["website", "name"], name="domain_unique_per_website")]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def tld(self) -> str:
        return self.name.rsplit(".", 1)[-1]


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("历史记录只能追加,不能修改。"))

    def delete(self):
        raise ValidationError(_("历史记录只能追加,不能删除。"))


class FilingEvent(models.Model):
    """An append-only history row: one transition (or a recorded step) of a filing."""

    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    transition = models.CharField(_("操作"), max_length=48)
    from_state = models.CharField(_("原阶段"), max_length=32, choices=State.choices, blank=True)
    to_state = models.CharField(_("新阶段"), max_length=32, choices=State.choices)
    comment = models.TextField(_("说明"), blank=True)
    # A comment the system wrote, as its untranslated source (filings.models.wording); empty for a person's.
    comment_source = models.JSONField(_("说明原文"), default=dict, blank=True)
    # [{"field": "domain.registrant_name", "reason": "…", "suggested_fix": "…", "code": "…"}], and
    # "reason_source"/"suggested_fix_source" for texts the system or the catalogue wrote.
    reasons = models.JSONField(_("退回原因"), default=list, blank=True)
    stage_visit = models.PositiveIntegerField(_("阶段序号"), default=1)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("备案历史")
        verbose_name_plural = _("备案历史")
        indexes = [models.Index(fields=["filing", "at"]), models.Index(fields=["to_state", "at"])]

    def __str__(self) -> str:
        return f"{self.filing_id} {self.transition} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError(_("历史记录只能追加,不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("历史记录只能追加,不能删除。"))

    @staticmethod
    def comment_fields(comment: "str | wording.Said") -> dict:
        """Return the comment's fields to store: its words and, for the system's text, its source."""
        text, source = wording.text_and_source(comment)
        return {"comment": text[:2000], "comment_source": source}

    @classmethod
    def record_step(
        cls,
        filing: Filing,
        *,
        transition: str,
        by: Any,
        comment: "str | wording.Said",
        at: datetime | None = None,
        reasons: list[dict] | None = None,
    ) -> "FilingEvent":
        """Append the history row of a step that leaves the filing in its stage (an edit, an upload,
        a check, a verifier's confirmation); an actor without a pk (the scheduler) is stored as none."""
        return cls.objects.create(
            filing=filing,
            actor=by if getattr(by, "pk", None) else None,
            at=at or timezone.now(),
            transition=transition,
            from_state=filing.state,
            to_state=filing.state,
            **cls.comment_fields(comment),
            reasons=reasons or [],
            stage_visit=filing.stage_visit,
        )

    @property
    def shown_comment(self) -> str:
        """Return the comment in the reader's language when the system wrote it, else as written."""
        return wording.say(self.comment_source, self.comment)

    @property
    def shown_reasons(self) -> list:
        """Return the reasons with the system's and the catalogue's texts in the reader's language."""
        return [wording.shown_reason(r) if isinstance(r, dict) else r for r in self.reasons]


# A draft untouched this long is overdue; the stale-entry thresholds count back from it.
STALE_ENTRY_DAYS = 30


class Deadline(models.Model):
    """A deadline computed when a filing entered a stage."""

    class Kind(models.TextChoices):
        # Limits counted in working days are data (a province's bureau limit, the review targets):
        # the label names the kind and Deadline.label adds the stored number of working days.
        PREREVIEW_TARGET = "prereview_target", _("初审目标")
        PREREVIEW_OVERDUE = "prereview_overdue", _("初审超期")
        SMS_WINDOW = "sms_window", _("短信核验时限(24小时)")
        FACE_CHECK = "face_check", _("真实性核验时限")
        BUREAU_REVIEW = "bureau_review", _("管局审核时限")
        PUBLIC_SECURITY = "public_security", _("公安联网备案(30天)")
        STALE_ENTRY = "stale_entry", _("信息填报停滞")
        # Opened by a failed footer check of a published site, closed by the next passing one.
        FOOTER_FIX = "footer_fix", _("页脚备案号整改")

    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="deadlines"
    )
    # The filing's province (fixed when the filing is created), so that lists of one province's
    # deadlines walk an index in due order instead of checking every row's filing.
    province = models.ForeignKey(
        Province, verbose_name=_("省份"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    stage = models.CharField(_("阶段"), max_length=32, choices=State.choices)
    stage_visit = models.PositiveIntegerField(_("阶段序号"))
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    starts_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("截止时间"))
    workdays = models.PositiveSmallIntegerField(_("工作日数"), null=True, blank=True)
    provisional = models.BooleanField(
        _("暂定"), default=False, help_text=_("计算跨越了尚无官方放假安排的年份,录入后将重新计算")
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("截止时间")
        verbose_name_plural = _("截止时间")
        constraints = [
            models.UniqueConstraint(fields=["filing", "stage_visit", "kind"], name="deadline_once_per_visit"),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(closed_at__isnull=True), name="deadline_open_due"),
            # "Is this filing overdue?" for each row a list walks: answered from the index alone.
            models.Index(
                fields=["filing", "due_at"],
                condition=Q(closed_at__isnull=True),
                name="deadline_open_filing_due",
            ),
            # The reviewer queues: one kind's open deadlines, nearest first.
            # Many deadlines share a due time (23:59:59 of a working day): id breaks the tie in the index.
            models.Index(
                fields=["kind", "due_at", "id"],
                condition=Q(closed_at__isnull=True),
                name="deadline_open_kind_due",
            ),
            models.Index(
                fields=["due_at", "id"], condition=Q(closed_at__isnull=True), name="deadline_open_due_id"
            ),
            models.Index(
                fields=["due_at", "id"],
                condition=Q(closed_at__isnull=True, provisional=True),
                name="deadline_open_provisional_id",
            ),
            models.Index(fields=["filing", "closed_at"]),
            # The same lists and queues narrowed to one province.
            models.Index(
                fields=["province", "due_at", "id"],
                condition=Q(closed_at__isnull=True),
                name="deadline_open_province_due",
            ),
            models.Index(
                fields=["kind", "province", "due_at", "id"],
                condition=Q(closed_at__isnull=True),
                name="deadline_open_kind_prov_due",
            ),
            models.Index(
                fields=["province", "due_at", "id"],
                condition=Q(closed_at__isnull=True, provisional=True),
                name="deadline_open_prov_provis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.due_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.province_id is None:
            self.province_id = self.filing.province_id
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def label(self) -> str:
        """Return the kind with the limit this deadline was computed with, e.g. 管局审核时限(30个工作日)."""
        return deadline_label(self.Kind(self.kind).label, self.workdays)


def deadline_label(kind_label: str, workdays: int | None) -> str:
    if workdays is None:
        return str(kind_label)
    return _("%(kind)s(%(n)s个工作日)") % {"kind": kind_label, "n": workdays}


class SmsVerifier(models.Model):
    """A person who must confirm the MIIT SMS code in one SMS round (one row per phone)."""

    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="sms_verifiers"
    )
    stage_visit = models.PositiveIntegerField(_("阶段序号"))
    person = models.ForeignKey(Person, verbose_name=_("核验人"), on_delete=models.PROTECT, related_name="+")
    mobile = models.CharField(_("手机号码"), max_length=20)
    sent_at = models.DateTimeField(_("短信发送时间"))
    verified_at = models.DateTimeField(_("核验完成时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["filing", "stage_visit", "id"]
        verbose_name = _("短信核验人")
        verbose_name_plural = _("短信核验人")
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "stage_visit", "mobile"], name="sms_verifier_once_per_phone"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.mobile}"


def material_upload_to(instance: "Material", filename: str) -> str:
    # The user's filename is never part of the path.
    return f"materials/{instance.filing_id}/{uuid.uuid4().hex}"


class Material(models.Model):
    """One uploaded version of a material; versions are never overwritten."""

    class Kind(models.TextChoices):
        BUSINESS_LICENCE = "business_licence", _("营业执照/主体证件")
        ID_FRONT = "id_front", _("身份证人像面")
        ID_BACK = "id_back", _("身份证国徽面")
        CONSTRUCTION_PLAN = "construction_plan", _("网站建设方案书")
        PLEDGE = "pledge", _("互联网信息服务备案承诺书")
        PRIOR_APPROVAL = "prior_approval", _("前置审批文件")
        AUTHORISATION = "authorisation", _("授权书")
        RESIDENCE_PERMIT = "residence_permit", _("居住证")
        OTHER = "other", _("其他材料")

    class CheckStatus(models.TextChoices):
        PASS = "pass", _("通过")
        WARNING = "warning", _("提示")
        FAIL = "fail", _("未通过")

    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.PROTECT, related_name="materials"
    )
    kind = models.CharField(_("材料类型"), max_length=32, choices=Kind.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("对应负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    website = models.ForeignKey(
        Website,
        verbose_name=_("对应网站"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Which person or website the material belongs to ("person:12", "website:3", or "" for the filing).
    slot = models.CharField(max_length=32, blank=True, editable=False)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    file = models.FileField(_("文件"), upload_to=material_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=64)
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    dpi = models.PositiveIntegerField(null=True, blank=True)
    check_status = models.CharField(_("检查结果"), max_length=16, choices=CheckStatus.choices)
    # [{"code": "dpi", "status": "fail", "message": "…", "advice": "…"}]
    check_results = models.JSONField(_("检查详情"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        ordering = ["filing", "kind", "-version"]
        verbose_name = _("材料")
        verbose_name_plural = _("材料")
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "kind", "slot", "version"], name="material_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"
