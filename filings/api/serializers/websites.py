"""A website with its domains and prior approvals as the API shows and accepts it."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from filings.api.serializers.people import PersonSerializer, WebsitePrincipalInput
from filings.api.serializers.text import CertificateNumberInput, TextInput
from filings.models import Domain, PriorApproval, Website
from filings.rules import fields as entry_fields
from filings.rules.privacy import mask_id_number


class DomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["id", *entry_fields.DOMAIN_FIELDS]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # An individual registers domains with a resident ID number.
        if self.context.get("individual_subject") and not self.context.get("unmasked"):
            data["registrant_certificate_number"] = mask_id_number(data["registrant_certificate_number"])
        return data


class PriorApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriorApproval
        fields = ["id", "category", "licence_number"]


class WebsiteSerializer(serializers.ModelSerializer):
    principal = PersonSerializer()
    domains = DomainSerializer(many=True)
    prior_approvals = PriorApprovalSerializer(many=True)

    class Meta:
        model = Website
        fields = [
            "id",
            "position",
            *entry_fields.WEBSITE_FIELDS,
            "principal",
            "icp_number",
            "cancelled_at",
            "access_cancelled_at",
            "domains",
            "prior_approvals",
            "service_answers",
        ]


class DomainInput(TextInput):
    id = serializers.IntegerField(required=False)
    name = serializers.CharField(max_length=253)
    registrar = serializers.CharField(max_length=100, required=False, allow_blank=True)
    registrant_name = serializers.CharField(max_length=100)
    registrant_certificate_number = CertificateNumberInput(max_length=32, required=False, allow_blank=True)
    real_name_verified_at = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)


class PriorApprovalInput(TextInput):
    category = serializers.ChoiceField(choices=PriorApproval.Category.choices)
    licence_number = serializers.CharField(max_length=64)


class WebsiteInput(TextInput):
    multiline = ("description",)
    id = serializers.IntegerField(required=False)
    name = serializers.CharField(max_length=64)
    homepage = serializers.URLField(max_length=300)
    service_content = serializers.ChoiceField(choices=Website.ServiceContent.choices, default="corporate")
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=16), required=False, max_length=10
    )
    principal = WebsitePrincipalInput()
    server_provider = serializers.CharField(max_length=100)
    server_ip = serializers.IPAddressField(required=False, allow_null=True)
    server_valid_from = serializers.DateField(required=False, allow_null=True)
    server_valid_until = serializers.DateField()
    domains = DomainInput(many=True, max_length=50)
    prior_approvals = PriorApprovalInput(many=True, required=False, max_length=10)
    icp_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text=_("新增接入:网站已有的备案号")
    )
