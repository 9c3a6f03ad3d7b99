"""The small forms of a filing's pages: a material's upload, the submission, a withdrawal, the go-live
date and the public-security number."""

from django import forms
from django.utils.translation import gettext_lazy as _

from filings.formats.validators import psb_example
from filings.models import Material, Province
from filings.web.forms.base import DATE_INPUT, AccessibleFormMixin, PlainDateInput, PlainTextInput


class MaterialUploadForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=Material.Kind.choices)
    person_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    website_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("选择文件"),
        help_text=_("JPG、PNG 或 PDF,不超过 10 MB;营业执照扫描件须不低于 300 dpi 且四角完整。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )


class SubmitForm(AccessibleFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("提交说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回后重新提交时,请说明改了什么。"),
    )


class CommentForm(AccessibleFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class WentLiveForm(AccessibleFormMixin, forms.Form):
    went_live_on = forms.DateField(
        label=_("网站开通日期"),
        widget=PlainDateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
        help_text=_(
            "公安联网备案须在网站开通之日起30日内办理;默认为备案公示日期,网站实际开通日不同时请修改。"
        ),
    )


class PublicSecurityForm(AccessibleFormMixin, forms.Form):
    psb_number = forms.CharField(
        label=_("公安联网备案号"),
        max_length=40,
        widget=PlainTextInput,
        help_text=_("格式为省份简称+公网安备+14位数字+号,例如 京公网安备11010502030143号"),
    )

    def __init__(self, *args, province: Province | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if province is not None:
            self.fields["psb_number"].help_text = _(
                "格式为省份简称+公网安备+14位数字+号,前6位是本省的行政区划代码,例如 %(example)s"
            ) % {"example": psb_example(province.psb_abbreviation, province.code)}
