"""Responsible people (负责人) named by filings, websites and apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from filings.formats.validators import validate_mobile, validate_phone
from filings.models.choices import OneLabelDisplay
from filings.models.fields import CertificateNumberField


class Person(OneLabelDisplay, models.Model):
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
