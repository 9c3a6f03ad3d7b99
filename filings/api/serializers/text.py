"""Text inputs of the API: control characters refused, certificate numbers stored as the model stores them,
rows named by their code."""

from rest_framework import serializers

from filings.formats.certificates import normalise_certificate_number
from filings.formats.validators import control_character_checks


class CertificateNumberInput(serializers.CharField):
    """A certificate number, stored upper case without spaces or hyphens (as the model stores it)."""

    def to_internal_value(self, data):
        return normalise_certificate_number(super().to_internal_value(data))


class TextInput(serializers.Serializer):
    """Refuse control characters in every text field; the fields named in `multiline` keep line breaks.
    Ours replaces the framework's own refusal of a NUL byte, which would say the same a second time."""

    multiline: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            targets = [field, getattr(field, "child", None)]
            for target in targets:
                if isinstance(target, serializers.CharField):
                    multiline = name in self.multiline and target is field
                    target.validators = control_character_checks(target.validators, multiline=multiline)
        return fields


class CodeInput(serializers.SlugRelatedField):
    """A row (a province, a mini-program platform) by its code; a code PostgreSQL cannot even compare
    (a NUL byte) is just unknown."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)
