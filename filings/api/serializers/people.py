"""A person (subject, website or app principal) as the API shows and accepts one."""

from rest_framework import serializers

from filings.api.serializers.text import CertificateNumberInput, TextInput
from filings.formats.validators import validate_mobile, validate_phone
from filings.models import Person
from filings.rules import fields as entry_fields
from filings.rules.privacy import mask_email, mask_id_number, mask_phone


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", *entry_fields.PERSON_FIELDS]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("unmasked"):
            data["id_number"] = mask_id_number(data["id_number"])
            data["mobile"] = mask_phone(data["mobile"])
            data["emergency_phone"] = mask_phone(data["emergency_phone"])
            data["email"] = mask_email(data["email"])
        return data


class PersonInput(TextInput):
    name = serializers.CharField(max_length=64)
    id_kind = serializers.ChoiceField(choices=Person.IdKind.choices, default=Person.IdKind.RESIDENT_ID)
    id_number = CertificateNumberInput(max_length=32)
    id_valid_until = serializers.DateField(required=False, allow_null=True)
    mobile = serializers.CharField(max_length=20, validators=[validate_mobile])
    emergency_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, validators=[validate_phone]
    )
    email = serializers.EmailField(required=False, allow_blank=True)
    # A resident ID whose check character is wrong is saved with the draft, as on the entry page;
    # the filing's "warnings" name it at once and the checklist refuses submission until it is fixed.


class WebsitePrincipalInput(PersonInput):
    same_as_subject_principal = serializers.BooleanField(required=False, default=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ["name", "id_number", "mobile"]:
            self.fields[name].required = False

    def validate(self, attrs):
        if not attrs.get("same_as_subject_principal"):
            missing = [f for f in ["name", "id_number", "mobile"] if not attrs.get(f)]
            if missing:
                raise serializers.ValidationError(
                    {f: [self.fields[f].error_messages["required"]] for f in missing}
                )
        return super().validate(attrs)
