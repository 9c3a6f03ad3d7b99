"""The websites of a filing, their prior approvals (前置审批) and domains."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from filings.formats.validators import validate_domain_name
from filings.models.choices import OneLabelDisplay
from filings.models.fields import CertificateNumberField
from filings.models.filing import Filing
from filings.models.people import Person
from filings.models.rotation import RotationPhase


class FilingItem(OneLabelDisplay, models.Model):
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


# The services a site may provide only with a prior approval (前置审批), as Website.ServiceContent codes.
REGULATED_SERVICES = (
    "news",
    "publishing",
    "drugs_devices",
    "culture",
    "audio_video",
    "ride_hailing",
    "finance",
    "games",
    "education",
    "health",
)


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
        # Regulated services (前置审批, REGULATED_SERVICES): PriorApproval.Category is made of these.
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

    # Found through an index or constraint below that starts with it.
    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="websites", db_index=False
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
        indexes = [
            # A search for the start of a website's ICP number (…号-1) reads a range of this one.
            models.Index(
                fields=["icp_number"], opclasses=["varchar_pattern_ops"], name="website_icp_number_prefix"
            ),
            # The site-check rotation reads the live sites of a stretch of phases, in phase order
            # (the filing too, so that the index alone answers).
            models.Index(
                RotationPhase("id"),
                "id",
                "filing",
                condition=Q(cancelled_at__isnull=True, access_cancelled_at__isnull=True),
                name="website_rotation_phase",
            ),
        ]


class PriorApproval(OneLabelDisplay, models.Model):
    """A prior-approval item (前置审批) a website needs, with its licence."""

    # The regulated part of the service contents: a declared service and its approval share one code.
    Category = models.TextChoices(
        "Category",
        [(m.name, (m.value, m.label)) for m in Website.ServiceContent if m.value in REGULATED_SERVICES],
    )

    # Found through an index or constraint below that starts with it.
    website = models.ForeignKey(
        Website,
        verbose_name=_("网站"),
        on_delete=models.CASCADE,
        related_name="prior_approvals",
        db_index=False,
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


class Domain(OneLabelDisplay, models.Model):
    """A domain name of a website, stored in its IDNA-normalised Unicode form."""

    # Found through an index or constraint below that starts with it.
    website = models.ForeignKey(
        Website, verbose_name=_("网站"), on_delete=models.CASCADE, related_name="domains", db_index=False
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
