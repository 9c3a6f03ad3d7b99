"""A cancellation (of a subject, website or app, or of access) as the API shows and accepts it."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from filings.models import Cancellation
from filings.rules import proposals


class CancellationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cancellation
        fields = [
            "scope",
            "website",
            "app",
            "reason",
            "explanation",
            "next_provider",
            "confirmed_at",
            "applied_at",
        ]


class CancellationInput(serializers.Serializer):
    scope = serializers.ChoiceField(choices=Cancellation.Scope.choices)
    website_id = serializers.IntegerField(required=False, allow_null=True)
    app_id = serializers.IntegerField(required=False, allow_null=True)
    reason = serializers.ChoiceField(choices=Cancellation.Reason.choices)
    explanation = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    next_provider = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    confirm = serializers.BooleanField(help_text=_("确认办理所选对象的注销或取消接入"))
    last_item = serializers.ChoiceField(
        choices=proposals.LastItemChoice.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("注销主体最后一个网站或APP时:改为注销主体,或保留主体(成为空壳主体)"),
    )
