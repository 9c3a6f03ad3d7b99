"""Reference data admins keep: the provincial bureaus and their rules, rule lists, waiting times,
the rejection catalogue and the holiday calendar."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
    flags_virtual_numbers = models.BooleanField(
        _("标记虚拟运营商号码"),
        default=True,
        help_text=_("负责人手机号码属于虚拟运营商号段(170、171、162、165、167)时提示"),
    )
    wants_local_numbers = models.BooleanField(
        _("负责人电话须为本省号码"),
        default=False,
        help_text=_("负责人的手机号码或应急电话归属地不在本省时提示"),
    )
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
