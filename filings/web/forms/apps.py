"""The entry form of an APP filing: the subject's principal, one app with its own principal, a row per
platform for a native app (package name, public key, MD5 fingerprint) or the platform and appid of a
mini-program or quick app, and its prior approvals."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from filings.formats.validators import normalise_fingerprint, validate_backend_address, validate_package_name
from filings.models import App, AppPlatform, Filing, MiniProgramPlatform, Person
from filings.rules import app_rules
from filings.web.forms.base import AccessibleFormMixin
from filings.web.forms.parts import PersonForm, PriorApprovalForm, SubjectForm, person_initial

APPROVAL_ROWS = 2


class AppForm(AccessibleFormMixin, forms.ModelForm):
    same_as_subject_principal = forms.BooleanField(
        label=_("应用负责人与主体负责人为同一人"), required=False, initial=True
    )
    backend_addresses = forms.CharField(
        label=_("后端域名或IP"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("应用后端实际使用的域名或IP地址,每行一个。"),
    )
    mini_platform = forms.ModelChoiceField(
        label=_("小程序/快应用平台"),
        queryset=MiniProgramPlatform.objects.all(),
        to_field_name="code",
        required=False,
        help_text=_("小程序或快应用填写:所在平台和平台分配的AppID(快应用为包名),不需要签名证书。"),
    )
    appid = forms.CharField(label=_("AppID/快应用包名"), required=False, max_length=255)
    row_exclude = ("same_as_subject_principal",)

    class Meta:
        model = App
        fields = ["kind", "name", "service_content", "description", "access_provider"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    @property
    def native(self) -> bool:
        return app_rules.is_native((self.cleaned_data or {}).get("kind", App.Kind.APP))

    def clean_backend_addresses(self) -> list[str]:
        addresses = [line.strip() for line in self.cleaned_data["backend_addresses"].split() if line.strip()]
        problems = []
        for address in addresses:
            try:
                validate_backend_address(address.lower())
            except ValidationError as error:
                problems += [m for m in error.messages if m not in problems]
        if problems:
            raise ValidationError(problems)
        return addresses

    def clean(self):
        # The rules services.apps applies, told here too so that they show with the other fields' errors.
        data = super().clean()
        kind = data.get("kind")
        if kind and not app_rules.is_native(kind):
            platform = data.get("mini_platform")
            problem = app_rules.appid_problem(kind, platform, (data.get("appid") or "").strip())
            if problem:
                self.add_error(
                    "appid" if platform is not None and platform.app_kind == kind else "mini_platform",
                    problem,
                )
        return data

    def _post_clean(self):
        pass


class PlatformForm(AccessibleFormMixin, forms.Form):
    package_name = forms.CharField(label=_("包名/Bundle ID"), required=False, max_length=255)
    public_key = forms.CharField(
        label=_("签名证书公钥"), required=False, max_length=4096, widget=forms.Textarea(attrs={"rows": 2})
    )
    fingerprint = forms.CharField(
        label=_("证书MD5/SHA-1指纹"),
        required=False,
        max_length=80,
        help_text=_("签名证书的MD5指纹:32位十六进制字符,可带冒号(仅“其他”平台可填40位SHA-1)。"),
    )

    def __init__(self, *args, platform: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.platform = platform
        self.label = AppPlatform.Platform(platform).label

    @property
    def in_use(self) -> bool:
        return any((self.cleaned_data or {}).get(name) for name in self.fields)

    def clean(self):
        data = super().clean()
        if any(data.get(name) for name in self.fields):
            for name in self.fields:
                if not data.get(name):
                    self.add_error(name, _("填写该平台时此项必填。"))
            # The rules services.apps applies, told here too so that they show with the other errors.
            if data.get("fingerprint"):
                problem = app_rules.fingerprint_problem(
                    self.platform, normalise_fingerprint(data["fingerprint"])
                )
                if problem:
                    self.add_error("fingerprint", problem)
            if data.get("package_name"):
                try:
                    validate_package_name(data["package_name"].strip(), platform=self.platform)
                except ValidationError as error:
                    self.add_error("package_name", error.messages)
        return data


class ApprovalRowForm(PriorApprovalForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.fields["category"].choices = [("", "—"), *self.fields["category"].choices[1:]]


class AppEntry:
    """An APP filing's whole entry form, bound from POST or filled from a draft."""

    def __init__(
        self,
        data: Any = None,
        *,
        filing: Filing | None = None,
        subject_principal: Person | None = None,
        new_subject: bool = False,
    ):
        app = filing.apps.all()[0] if filing and filing.apps.all() else None
        # An app filing that is the subject's first carries the subject's own data.
        self.subject_form = (
            SubjectForm(
                data,
                prefix="subject",
                initial=model_to_dict(filing.subject, fields=SubjectForm._meta.fields) if filing else None,
            )
            if new_subject
            else None
        )
        self.app = app
        principal = filing.subject_principal if filing else subject_principal
        self.principal_form = PersonForm(data, prefix="subject_principal", initial=person_initial(principal))
        same = app is None or principal is None or app.principal_id == principal.pk
        initial = {"same_as_subject_principal": same}
        if app:
            initial.update({name: getattr(app, name) for name in AppForm._meta.fields})
            initial["backend_addresses"] = "\n".join(app.backend_addresses)
            initial["mini_platform"] = app.mini_platform.code if app.mini_platform else None
            initial["appid"] = app.appid
        self.app_form = AppForm(data, prefix="app", initial=initial)
        self.app_principal_form = PersonForm(
            data,
            prefix="app_principal",
            initial=person_initial(None if same or app is None else app.principal),
            use_required_attribute=False,
        )
        existing = {p.platform: p for p in app.platforms.all()} if app else {}
        self.platforms = [
            PlatformForm(
                data,
                prefix=f"platform-{code}",
                platform=code,
                initial={n: getattr(existing[code], n) for n in ["package_name", "public_key", "fingerprint"]}
                if code in existing
                else {},
            )
            for code in AppPlatform.Platform.values
        ]
        approvals = list(app.prior_approvals.all()) if app else []
        self.approvals = [
            ApprovalRowForm(
                data,
                prefix=f"approval-{index}",
                initial={
                    "category": approvals[index].category,
                    "licence_number": approvals[index].licence_number,
                }
                if index < len(approvals)
                else {},
                use_required_attribute=False,
            )
            for index in range(max(APPROVAL_ROWS, len(approvals)))
        ]
        self.non_field_errors: list[str] = []

    def _forms(self) -> list[forms.Form]:
        every = [self.principal_form, self.app_form, *self.platforms, *self.approvals]
        if self.subject_form is not None:
            every.append(self.subject_form)
        if self.app_form.is_bound and not self.app_form.data.get("app-same_as_subject_principal"):
            every.append(self.app_principal_form)
        return every

    def is_valid(self) -> bool:
        # Every form is validated (not stopping at the first), so that all errors show at once.
        forms_in_use = self._forms()
        results = [form.is_valid() for form in forms_in_use]
        valid = all(results)
        if self.app_principal_form not in forms_in_use:
            # Not judged: the template would otherwise validate it when it reads its errors.
            self.app_principal_form._errors = ErrorDict()
        if valid and self.app_form.native and not any(p.in_use for p in self.platforms):
            self.non_field_errors.append(str(_("请至少填写一个平台的包名、公钥和MD5证书指纹。")))
            return False
        return valid

    def payload(self) -> dict:
        """Return the data services.apps takes."""
        app = dict(self.app_form.cleaned_data)
        app["mini_platform"] = app["mini_platform"].code if app["mini_platform"] else None
        same = app.pop("same_as_subject_principal")
        app["principal"] = (
            {"same_as_subject_principal": True} if same else dict(self.app_principal_form.cleaned_data)
        )
        if self.app:
            app["id"] = self.app.pk
        app["platforms"] = (
            [{"platform": p.platform, **p.cleaned_data} for p in self.platforms if p.in_use]
            if self.app_form.native
            else []
        )
        app["prior_approvals"] = [
            a.cleaned_data
            for a in self.approvals
            if a.cleaned_data.get("category") and a.cleaned_data.get("licence_number")
        ]
        payload = {"subject_principal": dict(self.principal_form.cleaned_data), "apps": [app]}
        if self.subject_form is not None:
            payload["subject"] = dict(self.subject_form.cleaned_data)
        return payload

    def add_service_errors(self, details: Any, fallback: str) -> None:
        """Put a service's InvalidInput details ("apps.0.platforms.1.fingerprint") on the fields."""
        if not isinstance(details, dict):
            self.non_field_errors.append(fallback)
            return
        used = [p for p in self.platforms if p.in_use]
        for key, messages in details.items():
            text = " ".join(str(m) for m in (messages if isinstance(messages, list) else [messages]))
            parts = key.split(".")
            form, field = None, ""
            if parts[0] == "subject_principal" and len(parts) == 2:
                form, field = self.principal_form, parts[1]
            elif parts[0] == "subject" and len(parts) == 2 and self.subject_form is not None:
                form, field = self.subject_form, parts[1]
            elif parts[:2] == ["apps", "0"] and len(parts) == 3:
                form, field = self.app_form, parts[2]
            elif parts[:3] == ["apps", "0", "principal"] and len(parts) == 4:
                form, field = self.app_principal_form, parts[3]
            elif parts[:3] == ["apps", "0", "platforms"] and len(parts) == 5 and parts[3].isdigit():
                index = int(parts[3])
                form, field = (used[index], parts[4]) if index < len(used) else (None, "")
            if form is not None and field in form.fields:
                form.add_error(field, text)
            else:
                self.non_field_errors.append(text)
