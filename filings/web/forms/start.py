"""The first step of a new filing: its type, its province and, for a further filing, the subject."""

from django import forms
from django.utils.translation import gettext_lazy as _

from filings.kinds import kind_of
from filings.models import Filing, Province, Subject
from filings.rules.privacy import mask_id_number
from filings.web.forms.base import AccessibleFormMixin


class FilingStartForm(AccessibleFormMixin, forms.Form):
    """The first step of a new filing: its type and province, which decide the rest of the form."""

    filing_type = forms.ChoiceField(
        label=_("备案类型"),
        # Every type that files something new; changes and cancellations start on a published filing.
        choices=[
            (code, Filing.Type(code).label) for code in Filing.Type.values if not kind_of(code).acts_on_target
        ],
        initial=Filing.Type.FIRST,
    )
    province = forms.ModelChoiceField(
        label=_("备案省份"),
        queryset=Province.objects.all(),
        to_field_name="code",
        help_text=_(
            "由备案主体所在省份的管局受理,与服务器所在地无关:单位为营业执照住所所在地,"
            "个人为身份证住址所在地(部分省份接受本省居住证)。"
        ),
    )
    subject_search = forms.CharField(
        label=_("查找已备案主体"),
        required=False,
        max_length=100,
        help_text=_("新增网站时:输入主体名称的一部分或完整证件号,点“查找主体”。"),
    )
    subject = forms.ModelChoiceField(
        label=_("已备案主体"),
        queryset=Subject.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("新增网站时选择已备案的主体;APP备案可选择已备案的主体,不选则作为首次备案填写主体信息。"),
    )

    def __init__(self, *args, subjects=None, shown_subjects=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Any of the user's published subjects is accepted; only the few found are offered, so a
        # customer with thousands of subjects gets a short list rather than a giant select.
        self.fields["subject"].queryset = subjects if subjects is not None else Subject.objects.none()
        self.fields["subject"].widget.choices = [
            (
                s.pk,
                f"{s.name}({mask_id_number(s.certificate_number) if s.is_individual else s.certificate_number})",
            )
            for s in shown_subjects
        ]

    def clean(self):
        data = super().clean()
        filing_type = data.get("filing_type")
        if filing_type and kind_of(filing_type).needs_published_subject and not data.get("subject"):
            self.add_error(
                "subject", _("%(type)s需要选择一个已备案的主体。") % {"type": Filing.Type(filing_type).label}
            )
        return data
