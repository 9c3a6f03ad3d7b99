"""The SMS and face checks of a filing's principals as the API shows and records them."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from filings.models import AuthenticityCheck, SmsVerifier
from filings.rules.privacy import mask_phone


class SmsVerifierSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.name")
    mobile = serializers.SerializerMethodField()

    class Meta:
        model = SmsVerifier
        fields = ["id", "stage_visit", "person", "mobile", "sent_at", "verified_at"]

    def get_mobile(self, verifier) -> str:
        return verifier.mobile if self.context.get("unmasked") else mask_phone(verifier.mobile)


class AuthenticityCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuthenticityCheck
        fields = [
            "step",
            "stage_visit",
            "person",
            "in_own_app",
            "started_at",
            "expires_at",
            "outcome",
            "reason",
            "recorded_at",
        ]


class FaceCheckInput(serializers.Serializer):
    person_id = serializers.IntegerField(
        required=False, help_text=_("填报阶段:完成人脸核验的负责人(每位负责人提交初审前都须通过)")
    )
    outcome = serializers.ChoiceField(choices=[("passed", _("核验通过")), ("failed", _("核验未通过"))])
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
