"""Forms of the principal's pages: filing entry, material uploads, submission and SMS records.

They apply the API's field rules (filings.formats.validators) and hand plain dicts to filings.services.
A draft is saved with whatever the database needs to store each thing entered (see FilingEntry);
what is still missing is the pre-submission checklist's business, not the form's.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from filings.formats.certificates import VALIDATORS as CERTIFICATE_VALIDATORS
from filings.formats.certificates import certificate_problem
from filings.formats.validators import psb_example, validate_multiline, validate_single_line
from filings.kinds import kind_of
from filings.models import (
    Deadline,
    Domain,
    Filing,
    Material,
    Person,
    PriorApproval,
    Province,
    Subject,
    Website,
)
from filings.reads import keyset, search
from filings.rules import fields as entry_fields
from filings.rules.privacy import mask_id_number

DATE_INPUT = {"type": "date"}


def refuse_control_characters(fields: dict[str, forms.Field], *, multiline: tuple[str, ...] = ()) -> None:
    """Refuse control characters in every text field; text areas and `multiline` keep line breaks."""
    for name, field in fields.items():
        if isinstance(field, forms.CharField):
            lines = name in multiline or isinstance(field.widget, forms.Textarea)
            field.validators.append(validate_multiline if lines else validate_single_line)


class AccessibleFormMixin:
    """Give every control the ids of its help text and errors, so screen readers announce them."""

    row_exclude: tuple[str, ...] = ("DELETE",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_control_characters(self.fields)

    def rows(self) -> list[dict]:
        rows = []
        for bound in self.visible_fields():
            if bound.name in self.row_exclude:
                continue
            help_id = f"{bound.auto_id}-help" if bound.help_text else ""
            error_id = f"{bound.auto_id}-errors" if bound.errors else ""
            notes = getattr(self, "attention", {}).get(bound.name, [])
            notes_id = f"{bound.auto_id}-notes" if notes else ""
            described = " ".join(i for i in (help_id, error_id, notes_id) if i)
            attrs = bound.field.widget.attrs
            if described:
                attrs["aria-describedby"] = described
            if bound.errors:
                attrs["aria-invalid"] = "true"
            if bound.field.required:
                attrs["aria-required"] = "true"
            rows.append(
                {
                    "field": bound,
                    "help_id": help_id,
                    "error_id": error_id,
                    "notes": notes,
                    "notes_id": notes_id,
                    "wide": isinstance(bound.field.widget, forms.Textarea),
                    "checkbox": isinstance(bound.field.widget, forms.CheckboxInput),
                }
            )
        return rows

    def flag(self, name: str, message: str) -> None:
        """Mark a field the reviewer or a check named, with the reason to show beside it."""
        self.attention = getattr(self, "attention", {})
        if name in self.fields:
            self.attention.setdefault(name, []).append(message)

    @property
    def flagged(self) -> bool:
        return bool(getattr(self, "attention", {}))


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


class SubjectForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Subject
        fields = entry_fields.SUBJECT_FIELDS
        widgets = {
            "licence_valid_from": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            "licence_valid_until": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            "business_scope": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        # The same check-character rules as filings.api.serializers.subjects.SubjectInput.
        validator = CERTIFICATE_VALIDATORS.get(data.get("certificate_kind"))
        number = data.get("certificate_number")
        if validator and number:
            try:
                validator(number)
            except ValidationError as error:
                self.add_error("certificate_number", error)
        return data

    def _post_clean(self):
        # Validation only: the service saves, so the form never touches the instance it was given.
        pass


class PersonForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = entry_fields.PERSON_FIELDS
        widgets = {"id_valid_until": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d")}

    def id_number_problem(self) -> str | None:
        """Return why the ID number entered (or stored) fails its check, or None. The draft is
        saved anyway; the field shows this at once, and the checklist refuses submission."""
        if self.is_bound:
            values = getattr(self, "cleaned_data", {})
        else:
            values = {name: self.initial.get(name) for name in ("id_kind", "id_number")}
        return certificate_problem(values.get("id_kind", Person.IdKind.RESIDENT_ID), values.get("id_number"))

    def _post_clean(self):
        pass


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


class PriorApprovalForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = PriorApproval
        fields = ["category", "licence_number"]

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


WebsiteFormSetBase = forms.formset_factory(
    WebsiteForm, extra=0, can_delete=True, max_num=20, validate_max=True
)
DomainFormSetBase = forms.formset_factory(
    DomainForm, formset=DomainFormSet, extra=0, can_delete=True, max_num=50, validate_max=True
)
ApprovalFormSetBase = forms.formset_factory(
    PriorApprovalForm, formset=PriorApprovalFormSet, extra=0, can_delete=True, max_num=10, validate_max=True
)


def person_initial(person: Person | None) -> dict:
    if person is None:
        return {}
    return {name: getattr(person, name) for name in entry_fields.PERSON_FIELDS}


def _model_initial(instance: Any, fields: list[str]) -> dict:
    return {name: getattr(instance, name) for name in fields}


def _management_total(data: Any, prefix: str) -> int:
    try:
        return max(0, int(data.get(f"{prefix}-TOTAL_FORMS", 0)))
    except (TypeError, ValueError):
        return 0


def _blank(form: forms.Form) -> bool:
    return form.empty_permitted and not form.has_changed()


class FilingEntry:
    """The whole entry form of a filing: subject, subject principal, websites with their principal,
    domains and prior approvals. Bound forms are built from POST data, unbound ones from a filing
    loaded by selectors.filing_detail (no further queries).

    What a draft needs: the subject and its principal as the database stores them (name, certificate,
    address, mobile…). Websites are optional until submission, but a website that is started must
    have its name, homepage, server provider and expiry date, and each domain its name and
    registrant. Everything else (materials, dates, the rules) is checked by the checklist.
    """

    def __init__(
        self,
        data: Any = None,
        *,
        province: Province,
        filing: Filing | None = None,
        subject: Subject | None = None,
        subject_principal: Person | None = None,
    ):
        self.province = province
        self.filing = filing
        self.subject_locked = filing is None and subject is not None
        subject = filing.subject if filing else subject
        subject_principal = filing.subject_principal if filing else subject_principal
        self.subject_form = SubjectForm(
            data,
            prefix="subject",
            initial=_model_initial(subject, entry_fields.SUBJECT_FIELDS) if subject else {"city": ""},
        )
        if self.subject_locked:
            for field in self.subject_form.fields.values():
                field.disabled = True
        self.principal_form = PersonForm(
            data, prefix="subject_principal", initial=person_initial(subject_principal)
        )
        websites = list(filing.websites.all()) if filing else []
        initial = [self._website_initial(w) for w in websites]
        self.websites = WebsiteFormSetBase(data, prefix="websites", initial=initial or None)
        if not websites and data is None:
            # A new filing shows one website to fill in (optional for a draft).
            self.websites.extra = 1
        for index, form in enumerate(self.websites.forms):
            self._attach_children(form, websites[index] if index < len(websites) else None, data)
        self.empty_website = self._attach_children(self.websites.empty_form, None, None)
        self.empty_domain = DomainForm(
            prefix="websites-__website__-domains-__prefix__", use_required_attribute=False
        )
        self.empty_approval = PriorApprovalForm(
            prefix="websites-__website__-approvals-__prefix__", use_required_attribute=False
        )
        self.non_field_errors: list[str] = []

    def _website_initial(self, website: Website) -> dict:
        initial = _model_initial(website, WebsiteForm._meta.fields)
        initial["id"] = website.pk
        initial["same_as_subject_principal"] = website.principal_id == self.filing.subject_principal_id
        return initial

    def _attach_children(self, form: WebsiteForm, website: Website | None, data: Any) -> WebsiteForm:
        form.use_required_attribute = False
        form.website = website
        same = website is not None and website.principal_id == self.filing.subject_principal_id
        form.principal_form = PersonForm(
            data,
            prefix=f"{form.prefix}-principal",
            initial=person_initial(None if website is None or same else website.principal),
            use_required_attribute=False,
        )
        domains = list(website.domains.all()) if website else []
        form.domains = DomainFormSetBase(
            data,
            prefix=f"{form.prefix}-domains",
            initial=[{**_model_initial(d, entry_fields.DOMAIN_FIELDS), "id": d.pk} for d in domains] or None,
        )
        if not domains and data is None:
            form.domains.extra = 1
        approvals = list(website.prior_approvals.all()) if website else []
        form.approvals = ApprovalFormSetBase(
            data,
            prefix=f"{form.prefix}-approvals",
            initial=[{"category": a.category, "licence_number": a.licence_number} for a in approvals] or None,
        )
        for child in [*form.domains.forms, *form.approvals.forms]:
            child.use_required_attribute = False
        return form

    # Adding a row without JavaScript: the "add" buttons submit the form with add_row naming the
    # formset; the page comes back with one more empty row and everything typed so far.

    @staticmethod
    def with_added_row(data: Any, target: str) -> Any | None:
        """Return a copy of the posted data with one more form in the `target` formset ("websites",
        "websites-0-domains", "websites-0-approvals"), or None when there is no such formset."""
        formsets = {"websites": WebsiteFormSetBase}
        total = _management_total(data, "websites")
        for index in range(min(total, WebsiteFormSetBase.max_num)):
            formsets[f"websites-{index}-domains"] = DomainFormSetBase
            formsets[f"websites-{index}-approvals"] = ApprovalFormSetBase
        formset = formsets.get(target)
        if formset is None:
            return None
        count = _management_total(data, target)
        data = data.copy()
        data[f"{target}-TOTAL_FORMS"] = str(min(count + 1, formset.max_num))
        if target == "websites" and count < formset.max_num:
            # The new website's own rows start as a new filing's do: one domain, no approval.
            for child, rows in (("domains", 1), ("approvals", 0)):
                data[f"websites-{count}-{child}-TOTAL_FORMS"] = str(rows)
                data[f"websites-{count}-{child}-INITIAL_FORMS"] = "0"
        return data

    def hide_errors(self) -> None:
        """Show the posted values without judging them (the user has not asked to save yet)."""
        # Django has no switch for this: a bound form validates when its errors are first read,
        # so they are set to "none" before the template reads them.
        formsets = [self.websites]
        every_form = [self.subject_form, self.principal_form]
        for website in self.websites.forms:
            formsets += [website.domains, website.approvals]
            every_form += [website, website.principal_form, *website.domains.forms, *website.approvals.forms]
        for form in every_form:
            form._errors = ErrorDict()
        for formset in formsets:
            formset._errors = [ErrorDict() for _form in formset.forms]
            formset._non_form_errors = formset.error_class()

    # Validation.

    def _website_in_use(self, form: WebsiteForm) -> bool:
        if self.websites.can_delete and form.prefix and form.data.get(f"{form.prefix}-DELETE"):
            return False
        children = [*form.domains.forms, *form.approvals.forms]
        if form.is_bound and not form.data.get(f"{form.prefix}-same_as_subject_principal"):
            children.append(form.principal_form)
        return not _blank(form) or any(child.has_changed() for child in children)

    def is_valid(self) -> bool:
        valid = self.subject_form.is_valid() or self.subject_locked
        valid = self.principal_form.is_valid() and valid
        valid = self.websites.management_form.is_valid() and valid
        for form in self.websites.forms:
            if not self._website_in_use(form):
                continue
            form.empty_permitted = False
            valid = form.is_valid() and valid
            if not form.cleaned_data.get("same_as_subject_principal"):
                valid = form.principal_form.is_valid() and valid
            valid = form.domains.is_valid() and valid
            valid = form.approvals.is_valid() and valid
        if self.websites.is_bound and self.websites.total_form_count() > 20:
            self.non_field_errors.append(str(_("一个备案最多20个网站。")))
            valid = False
        return valid

    def websites_in_use(self) -> list[WebsiteForm]:
        return [form for form in self.websites.forms if self._website_in_use(form)]

    def payload(self) -> dict:
        """Return the data drafts.create_filing and drafts.update_filing take."""
        websites = []
        for form in self.websites_in_use():
            data = {
                k: v for k, v in form.cleaned_data.items() if k not in ("DELETE", "same_as_subject_principal")
            }
            if not data.get("id"):
                data.pop("id", None)
            data["languages"] = form.website.languages if form.website else ["zh-hans"]
            if form.cleaned_data.get("same_as_subject_principal"):
                data["principal"] = {"same_as_subject_principal": True}
            else:
                data["principal"] = dict(form.principal_form.cleaned_data)
            data["domains"] = [
                {k: v for k, v in d.cleaned_data.items() if k != "DELETE" and not (k == "id" and not v)}
                for d in form.domains.forms
                if d.cleaned_data and not form.domains._should_delete_form(d)
            ]
            data["prior_approvals"] = [
                {"category": a.cleaned_data["category"], "licence_number": a.cleaned_data["licence_number"]}
                for a in form.approvals.forms
                if a.cleaned_data and not form.approvals._should_delete_form(a)
            ]
            websites.append(data)
        subject = {} if self.subject_locked else dict(self.subject_form.cleaned_data)
        return {
            "subject": subject,
            "subject_principal": dict(self.principal_form.cleaned_data),
            "websites": websites,
        }

    def add_service_errors(self, details: Any, fallback: str) -> None:
        """Put a service's InvalidInput details ("websites.0.domains.1.name": [...]) on the fields."""
        if not isinstance(details, dict):
            self.non_field_errors.append(fallback)
            return
        in_use = self.websites_in_use()
        for key, messages in details.items():
            text = " ".join(str(m) for m in (messages if isinstance(messages, list) else [messages]))
            form, field = self._form_for_path(key.split("."), in_use)
            if form is not None and field in form.fields:
                form.add_error(field, text)
            else:
                self.non_field_errors.append(text)

    def _form_for_path(self, parts: list[str], in_use: list[WebsiteForm]) -> tuple[Any, str]:
        head = parts[0]
        if head == "subject" and len(parts) == 2:
            return self.subject_form, parts[1]
        if head == "subject_principal" and len(parts) == 2:
            return self.principal_form, parts[1]
        if head == "websites" and len(parts) >= 3 and parts[1].isdigit() and int(parts[1]) < len(in_use):
            website = in_use[int(parts[1])]
            rest = parts[2:]
            if rest[0] == "principal" and len(rest) == 2:
                return website.principal_form, rest[1]
            if rest[0] in ("domains", "prior_approvals") and len(rest) == 3 and rest[1].isdigit():
                formset = website.domains if rest[0] == "domains" else website.approvals
                kept = [f for f in formset.forms if f.cleaned_data and not formset._should_delete_form(f)]
                index = int(rest[1])
                return (kept[index], rest[2]) if index < len(kept) else (None, "")
            if len(rest) == 1:
                return website, rest[0]
        return None, ""

    def flag_id_numbers(self) -> list[tuple[str, str]]:
        """Mark every person's resident ID that fails its check; return (whose, why) for each."""
        people = [(_("主体负责人"), self.principal_form)]
        for form in self.websites.forms:
            if form.is_bound:
                data = getattr(form, "cleaned_data", {})
                if not self._website_in_use(form) or data.get("same_as_subject_principal", True):
                    continue
                name = data.get("name", "")
            elif form.website is not None:  # a stored website; its form is empty when principals are shared
                name = form.website.name
            else:
                continue
            people.append((_("网站“%(name)s”的负责人") % {"name": name}, form.principal_form))
        flagged = []
        for whose, person_form in people:
            problem = person_form.id_number_problem()
            if problem:
                person_form.flag("id_number", problem)
                flagged.append((str(whose), problem))
        return flagged

    # Pointing at the fields a return's reasons or a failed check name.

    def flag(self, field: str, message: str, object_id: int | None = None) -> list[Any]:
        """Mark the form fields matching a reason's or check's field code; return the marked fields."""
        marked = []
        section, _sep, name = field.partition(".")
        targets: list[tuple[Any, str]] = []
        if section == "subject":
            targets.append((self.subject_form, name))
        elif section == "subject_principal":
            targets.append((self.principal_form, name))
        elif section == "website_principal":
            for website in self.websites.forms:
                person_id = website.website.principal_id if website.website else None
                if object_id and person_id != object_id:
                    continue
                if person_id and self.filing and person_id == self.filing.subject_principal_id:
                    targets.append((self.principal_form, name))
                else:
                    targets.append((website.principal_form, name))
        elif section == "website":
            name = {"prior_approvals": "description"}.get(name, name)
            for website in self.websites.forms:
                if not object_id or (website.website and website.website.pk == object_id):
                    targets.append((website, name))
        elif section == "domain":
            for website in self.websites.forms:
                for domain in website.domains.forms:
                    if not object_id or domain.initial.get("id") == object_id:
                        targets.append((domain, name))
        for form, name in targets:
            if name in form.fields:
                form.flag(name, message)
                marked.append(form[name])
        return marked


class AccessNumbersForm(AccessibleFormMixin, forms.Form):
    """The numbers a new access (新增接入) brings from the provider the subject filed through."""

    icp_number = forms.CharField(
        label=_("原主体备案号"),
        max_length=32,
        help_text=_("在原接入服务商处取得的主体备案号,例如 粤ICP备2023012345号"),
    )
    website_numbers = forms.CharField(
        label=_("原网站备案号"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("按下方网站的顺序,每行一个,例如 粤ICP备2023012345号-1"),
    )
    psb_number = forms.CharField(
        label=_("已有的公安联网备案号"),
        required=False,
        max_length=32,
        help_text=_("网站已办理公安联网备案时填写,沿用原号,无需重新办理。"),
    )

    def clean_website_numbers(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["website_numbers"].splitlines() if line.strip()]


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
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
        help_text=_(
            "公安联网备案须在网站开通之日起30日内办理;默认为备案公示日期,网站实际开通日不同时请修改。"
        ),
    )


class PublicSecurityForm(AccessibleFormMixin, forms.Form):
    psb_number = forms.CharField(
        label=_("公安联网备案号"),
        max_length=40,
        help_text=_("格式为省份简称+公网安备+14位数字+号,例如 京公网安备11010502030143号"),
    )

    def __init__(self, *args, province: Province | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if province is not None:
            self.fields["psb_number"].help_text = _(
                "格式为省份简称+公网安备+14位数字+号,前6位是本省的行政区划代码,例如 %(example)s"
            ) % {"example": psb_example(province.psb_abbreviation, province.code)}


class FilingFilterForm(forms.Form):
    q = forms.CharField(
        label=_("名称、证件号或备案号"),
        required=False,
        min_length=search.MIN_QUERY_LENGTH,
        max_length=100,
        error_messages={"min_length": _("请至少输入 %(limit_value)d 个字符再搜索。")},
    )
    filing_type = forms.ChoiceField(
        label=_("备案类型"), required=False, choices=[("", _("全部类型")), *Filing.Type.choices]
    )
    domain = forms.CharField(
        label=_("域名"),
        required=False,
        min_length=search.MIN_QUERY_LENGTH,
        max_length=253,
        error_messages={"min_length": _("请至少输入 %(limit_value)d 个字符再搜索。")},
    )
    state = forms.ChoiceField(label=_("阶段"), required=False)
    province = forms.ChoiceField(label=_("省份"), required=False)
    overdue = forms.BooleanField(label=_("只看已超期"), required=False)
    # Where the page starts (filings/reads/keyset.py); the pager's links carry it.
    after = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, provinces=(), **kwargs):
        super().__init__(*args, **kwargs)
        from filings.kinds.states import State

        self.fields["state"].choices = [("", _("全部阶段")), *State.choices]
        self.fields["province"].choices = [("", _("全部省份"))] + [(p.code, _(p.name)) for p in provinces]

    def clean(self) -> dict:
        data = super().clean()
        token = data.get("after")
        if not token:
            data["after"] = None
            return data
        # The overdue list is read in the order of its deadlines (filings/reads/selectors.py).
        queryset, order = (
            (Deadline.objects.all(), keyset.SOONEST_DUE)
            if data.get("overdue")
            else (Filing.objects.all(), keyset.NEWEST_FIRST)
        )
        try:
            data["after"] = keyset.Position.parse(token, queryset=queryset, order=order)
        except ValueError:
            self.add_error("after", ValidationError(_("分页位置无效,请从第一页重新浏览。"), code="invalid"))
        return data
