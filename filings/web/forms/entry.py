"""The entry form of a website filing, and the numbers a new access brings.

It applies the API's field rules (filings.formats.validators) and hands plain dicts to filings.services.
A draft is saved with whatever the database needs to store each thing entered (see FilingEntry);
what is still missing is the pre-submission checklist's business, not the form's.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from filings.formats.validators import filed_domain
from filings.models import Filing, Person, Province, Subject, Website
from filings.rules import fields as entry_fields
from filings.web.forms.base import AccessibleFormMixin
from filings.web.forms.parts import PersonForm, PriorApprovalForm, SubjectForm, model_initial, person_initial
from filings.web.forms.websites import (
    ApprovalFormSetBase,
    DomainForm,
    DomainFormSetBase,
    WebsiteForm,
    WebsiteFormSetBase,
)


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
            initial=model_initial(subject, entry_fields.SUBJECT_FIELDS) if subject else {"city": ""},
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
        initial = model_initial(website, WebsiteForm._meta.fields)
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
            initial=[{**model_initial(d, entry_fields.DOMAIN_FIELDS), "id": d.pk} for d in domains] or None,
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
            else:
                # Not judged: the template would otherwise validate it when it reads its errors, and
                # show "required" on fields the principal was told are not needed.
                form.principal_form._errors = ErrorDict()
            valid = form.domains.is_valid() and valid
            valid = self._domains_as_filed_are_valid(form) and valid
            valid = form.approvals.is_valid() and valid
        # More websites than a filing may hold: the formset's own limit (validate_max).
        valid = not self.websites.non_form_errors() and valid
        return valid

    def _domains_as_filed_are_valid(self, form: "WebsiteForm") -> bool:
        """Refuse here what the draft service would refuse of a website's domains (a domain named twice,
        however written; more domains than the province allows), so that these show with every other
        error of the form instead of after them."""
        kept = [
            d
            for d in form.domains.forms
            if getattr(d, "cleaned_data", None) and not form.domains._should_delete_form(d)
        ]
        valid = True
        limit = self.province.max_domains_per_website if self.province else None
        if limit and len(kept) > limit:
            form.add_error(
                None,
                _("%(province)s每个网站最多%(n)s个域名。")
                % {"province": self.province.short_name, "n": limit},
            )
            valid = False
        seen: set[str] = set()
        for domain_form in kept:
            try:
                name = filed_domain(domain_form.cleaned_data.get("name") or "")
            except ValidationError:
                continue  # the field's own validation says what is wrong with it
            if name in seen:
                domain_form.add_error("name", _("域名重复。"))
                valid = False
            seen.add(name)
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
