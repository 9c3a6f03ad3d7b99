"""The filing's subject and its province as the API shows and accepts them."""

from django.core.exceptions import ValidationError
from rest_framework import serializers

from filings.api.serializers.text import CertificateNumberInput, TextInput
from filings.formats.certificates import VALIDATORS as CERTIFICATE_VALIDATORS
from filings.models import Province, Subject
from filings.rules import fields as entry_fields
from filings.rules.privacy import mask_id_number


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "icp_abbreviation",
            "psb_abbreviation",
            "bureau_name",
            "bureau_review_workdays",
        ]


class SubjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subject
        fields = ["id", *entry_fields.SUBJECT_FIELDS]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.is_individual and not self.context.get("unmasked"):
            data["certificate_number"] = mask_id_number(data["certificate_number"])
        return data


class SubjectInput(TextInput):
    multiline = ("business_scope",)
    kind = serializers.ChoiceField(choices=Subject.Kind.choices)
    name = serializers.CharField(max_length=100)
    certificate_kind = serializers.ChoiceField(choices=Subject.CertificateKind.choices)
    certificate_number = CertificateNumberInput(max_length=32)
    licence_valid_from = serializers.DateField(required=False, allow_null=True)
    licence_valid_until = serializers.DateField(required=False, allow_null=True)
    licence_long_term = serializers.BooleanField(required=False, default=False)
    business_scope = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    city = serializers.CharField(max_length=32)
    registered_address = serializers.CharField(max_length=200)
    postal_address = serializers.CharField(max_length=200)
    legal_representative = serializers.CharField(max_length=64, required=False, allow_blank=True)

    def validate(self, attrs):
        validator = CERTIFICATE_VALIDATORS.get(attrs.get("certificate_kind"))
        if validator:
            try:
                validator(attrs.get("certificate_number", ""))
            except ValidationError as error:
                raise serializers.ValidationError({"certificate_number": error.messages}) from error
        return attrs
