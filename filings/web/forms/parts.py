"""Forms of the parts every entry form holds: the subject, a person, a prior approval.

They validate only: the services save, so a form never touches the instance it was given.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from filings.formats.certificates import VALIDATORS as CERTIFICATE_VALIDATORS
from filings.formats.certificates import certificate_problem
from filings.models import Person, PriorApproval, Subject
from filings.rules import fields as entry_fields
from filings.web.forms.base import DATE_INPUT, AccessibleFormMixin


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


class PriorApprovalForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = PriorApproval
        fields = ["category", "licence_number"]

    def _post_clean(self):
        pass


def person_initial(person: Person | None) -> dict:
    if person is None:
        return {}
    return {name: getattr(person, name) for name in entry_fields.PERSON_FIELDS}


def model_initial(instance: Any, fields: list[str]) -> dict:
    """Return the form initial of the given fields of a stored row."""
    return {name: getattr(instance, name) for name in fields}
