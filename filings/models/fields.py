"""Model fields that store a value in one canonical form, however it arrives."""

from django import forms
from django.db import models

from filings.formats.certificates import normalise_certificate_number


class CertificateNumberFormField(forms.CharField):
    def to_python(self, value):
        return normalise_certificate_number(super().to_python(value))


class CertificateNumberField(models.CharField):
    """A certificate number stored upper case without spaces or hyphens.

    Normalised when read from a form or full_clean, when saved (also by bulk_create) and when used
    in a lookup or an update, so that forms, the API, the admin and imports all store one form."""

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_certificate_number(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return normalise_certificate_number(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = normalise_certificate_number(value)
            setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CertificateNumberFormField, **kwargs})
