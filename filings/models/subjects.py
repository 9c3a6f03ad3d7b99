"""The filing subject (备案主体): the organisation or individual that files."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.models.choices import OneLabelDisplay
from filings.models.fields import CertificateNumberField
from filings.models.reference import Province


class Subject(OneLabelDisplay, models.Model):
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
