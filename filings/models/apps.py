"""Apps, mini-programs and quick apps filed like websites (APP备案, since September 2023)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from filings.formats.validators import validate_fingerprint
from filings.models.choices import OneLabelDisplay
from filings.models.filing import Filing
from filings.models.people import Person
from filings.models.websites import FilingItem, PriorApproval, Website


class MiniProgramPlatform(models.Model):
    """A platform mini-programs or quick apps run on (WeChat, Alipay, …) and the form of the id it
    gives them: an appid, or a quick app's package name. Data an admin keeps current."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("平台名称"), max_length=32)
    app_kind = models.CharField(
        _("应用类型"), max_length=16, choices=[("mini_program", _("小程序")), ("quick_app", _("快应用"))]
    )
    id_label = models.CharField(_("标识名称"), max_length=32, default="AppID")
    id_pattern = models.CharField(_("标识格式(正则表达式)"), max_length=200)
    id_example = models.CharField(_("标识示例"), max_length=64)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["app_kind", "position", "code"]
        verbose_name = _("小程序/快应用平台")
        verbose_name_plural = _("小程序/快应用平台")

    def __str__(self) -> str:
        return gettext(self.name)


class App(FilingItem):
    """An app, mini-program or quick app of a filing, numbered -NA, -NX or -NK when approved."""

    class Kind(models.TextChoices):
        APP = "app", _("APP")
        MINI_PROGRAM = "mini_program", _("小程序")
        QUICK_APP = "quick_app", _("快应用")

    # Found through an index or constraint below that starts with it.
    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="apps", db_index=False
    )
    kind = models.CharField(_("应用类型"), max_length=16, choices=Kind.choices, default=Kind.APP)
    name = models.CharField(_("应用名称"), max_length=64)
    service_content = models.CharField(
        _("服务内容"),
        max_length=32,
        choices=Website.ServiceContent.choices,
        default=Website.ServiceContent.OTHER,
    )
    description = models.TextField(_("内容描述"), blank=True, max_length=1000)
    principal = models.ForeignKey(
        Person, verbose_name=_("应用负责人"), on_delete=models.PROTECT, related_name="principal_of_apps"
    )
    access_provider = models.CharField(_("接入服务商"), max_length=100)
    # A mini-program or quick app names its platform and the id that platform gave it; it has no
    # package signing certificate. A native app has neither and lists its platforms (AppPlatform).
    mini_platform = models.ForeignKey(
        MiniProgramPlatform,
        verbose_name=_("小程序/快应用平台"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appid = models.CharField(_("AppID/快应用包名"), max_length=255, blank=True)
    # Domains or IP addresses the app's back end is reached at, as the ministry's form lists them.
    backend_addresses = models.JSONField(_("后端域名或IP"), default=list, blank=True)
    icp_number = models.CharField(_("应用备案号"), max_length=40, blank=True)
    # In a change (变更备案): the published app this draft copy will replace on approval.
    source = models.ForeignKey(
        "self",
        verbose_name=_("变更的原应用"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="change_copies",
    )

    class Meta(FilingItem.Meta):
        verbose_name = _("应用")
        verbose_name_plural = _("应用")
        constraints = [models.UniqueConstraint(fields=["filing", "position"], name="app_position_unique")]
        # A search for the start of an app's ICP number (…号-1) reads a range of this one.
        indexes = [
            models.Index(
                fields=["icp_number"], opclasses=["varchar_pattern_ops"], name="app_icp_number_prefix"
            )
        ]

    def clean(self) -> None:
        super().clean()
        # The filing's pages read no apps for a type whose declaration holds none: an app attached
        # to such a filing (in the admin) would be kept but never shown.
        if self.filing_id is not None and not self.filing.kind.may_hold_apps:
            raise ValidationError(
                {
                    "filing": _("“%(type)s”不含 APP、小程序或快应用,请选择 APP 备案或变更备案。")
                    % {"type": self.filing.get_filing_type_display()}
                }
            )


class AppPlatform(OneLabelDisplay, models.Model):
    """One platform an app ships on, with its package name and signing certificate."""

    class Platform(models.TextChoices):
        ANDROID = "android", _("Android")
        IOS = "ios", _("iOS")
        HARMONY = "harmony", _("HarmonyOS")
        OTHER = "other", _("其他")

    # Found through an index or constraint below that starts with it.
    app = models.ForeignKey(
        App, verbose_name=_("应用"), on_delete=models.CASCADE, related_name="platforms", db_index=False
    )
    platform = models.CharField(_("平台"), max_length=16, choices=Platform.choices)
    package_name = models.CharField(_("包名/Bundle ID"), max_length=255)
    public_key = models.TextField(_("签名证书公钥"), max_length=4096)
    # Stored as lower-case hex without separators: 32 characters for MD5, 40 for SHA-1.
    fingerprint = models.CharField(_("证书MD5/SHA-1指纹"), max_length=40, validators=[validate_fingerprint])

    class Meta:
        ordering = ["app", "platform"]
        verbose_name = _("应用平台")
        verbose_name_plural = _("应用平台")
        constraints = [models.UniqueConstraint(fields=["app", "platform"], name="app_platform_unique")]
        indexes = [models.Index(fields=["package_name"])]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.package_name}"


class AppPriorApproval(models.Model):
    """A prior-approval item (前置审批) an app needs, with its licence."""

    # Found through an index or constraint below that starts with it.
    app = models.ForeignKey(
        App, verbose_name=_("应用"), on_delete=models.CASCADE, related_name="prior_approvals", db_index=False
    )
    category = models.CharField(_("前置审批类别"), max_length=32, choices=PriorApproval.Category.choices)
    licence_number = models.CharField(_("审批文号"), max_length=64)

    class Meta:
        verbose_name = _("应用前置审批")
        verbose_name_plural = _("应用前置审批")
        constraints = [models.UniqueConstraint(fields=["app", "category"], name="app_prior_approval_unique")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.licence_number}"
