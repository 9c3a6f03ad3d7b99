"""Forms of a website in the entry form: the website, its domains and its prior approvals."""

from django import forms
from django.utils.translation import gettext_lazy as _

from filings.models import Domain, Website
from filings.rules import fields as entry_fields
from filings.web.forms.base import DATE_INPUT, AccessibleFormMixin
from filings.web.forms.parts import PriorApprovalForm


class WebsiteForm(AccessibleFormMixin, forms.ModelForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    same_as_subject_principal = forms.BooleanField(
        label=_("网站负责人与主体负责人为同一人"), required=False, initial=True
    )
    homepage = forms.URLField(label=_("首页地址"), max_length=300, assume_scheme="https")
    row_exclude = ("DELETE", "same_as_subject_principal")

    def clean_server_ip(self):
        # The model stores "no address" as NULL; an empty string would read as a change on every save.
        return self.cleaned_data.get("server_ip") or None

    class Meta:
        model = Website
        fields = [f for f in entry_fields.WEBSITE_FIELDS if f != "languages"]
        widgets = {
            "server_valid_from": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            "server_valid_until": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def _post_clean(self):
        pass


class DomainForm(AccessibleFormMixin, forms.ModelForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Domain
        fields = entry_fields.DOMAIN_FIELDS
        widgets = {
            "real_name_verified_at": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            "expires_on": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
        }

    def _post_clean(self):
        pass


class UniqueFieldFormSet(forms.BaseFormSet):
    unique_field = ""
    duplicate_message = ""

    def clean(self):
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            value = form.cleaned_data.get(self.unique_field)
            if value and value in seen:
                form.add_error(self.unique_field, self.duplicate_message)
            seen.add(value)


class DomainFormSet(UniqueFieldFormSet):
    unique_field = "name"
    duplicate_message = _("同一网站的域名不能重复。")


class PriorApprovalFormSet(UniqueFieldFormSet):
    unique_field = "category"
    duplicate_message = _("同一类前置审批只需填写一次。")


class WebsiteFormSet(forms.BaseFormSet):
    # The filing's limit in its own words, instead of Django's "submit at most 20 forms".
    default_error_messages = {"too_many_forms": _("一个备案最多20个网站。")}


WebsiteFormSetBase = forms.formset_factory(
    WebsiteForm, formset=WebsiteFormSet, extra=0, can_delete=True, max_num=20, validate_max=True
)
DomainFormSetBase = forms.formset_factory(
    DomainForm, formset=DomainFormSet, extra=0, can_delete=True, max_num=50, validate_max=True
)
ApprovalFormSetBase = forms.formset_factory(
    PriorApprovalForm, formset=PriorApprovalFormSet, extra=0, can_delete=True, max_num=10, validate_max=True
)
