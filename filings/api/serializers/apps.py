"""An app (native app, mini-program or quick app) with its platforms as the API shows and accepts it."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from filings.api.serializers.people import PersonSerializer, WebsitePrincipalInput
from filings.api.serializers.text import CodeInput, TextInput
from filings.api.serializers.websites import PriorApprovalInput, PriorApprovalSerializer
from filings.models import App, AppPlatform, AppPriorApproval, MiniProgramPlatform, Website
from filings.rules import fields as entry_fields


class AppPlatformSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppPlatform
        fields = ["id", *entry_fields.APP_PLATFORM_FIELDS]


class AppPriorApprovalSerializer(PriorApprovalSerializer):
    class Meta(PriorApprovalSerializer.Meta):
        model = AppPriorApproval


class AppSerializer(serializers.ModelSerializer):
    principal = PersonSerializer()
    mini_platform = serializers.SlugRelatedField(slug_field="code", read_only=True)
    platforms = AppPlatformSerializer(many=True)
    prior_approvals = AppPriorApprovalSerializer(many=True)

    class Meta:
        model = App
        fields = [
            "id",
            "position",
            *entry_fields.APP_FIELDS,
            "principal",
            "icp_number",
            "cancelled_at",
            "platforms",
            "prior_approvals",
            "service_answers",
        ]


class AppPlatformInput(TextInput):
    platform = serializers.ChoiceField(choices=AppPlatform.Platform.choices)
    package_name = serializers.CharField(max_length=255)
    public_key = serializers.CharField(max_length=4096)
    fingerprint = serializers.CharField(max_length=80, help_text=_("MD5(32位)或SHA-1(40位)十六进制,可带冒号"))


class AppInput(TextInput):
    multiline = ("description",)
    id = serializers.IntegerField(required=False)
    kind = serializers.ChoiceField(choices=App.Kind.choices, default=App.Kind.APP)
    name = serializers.CharField(max_length=64)
    service_content = serializers.ChoiceField(choices=Website.ServiceContent.choices, default="other")
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    principal = WebsitePrincipalInput()
    access_provider = serializers.CharField(max_length=100)
    backend_addresses = serializers.ListField(child=serializers.CharField(max_length=253), max_length=20)
    platforms = AppPlatformInput(
        many=True, required=False, max_length=4, help_text=_("原生APP:每个平台的包名、公钥和MD5指纹")
    )
    mini_platform = CodeInput(
        slug_field="code",
        queryset=MiniProgramPlatform.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("小程序或快应用:所在平台(wechat、alipay、baidu、bytedance、qq、kuaishou、quick_app)"),
    )
    appid = serializers.CharField(
        max_length=255, required=False, allow_blank=True, help_text=_("小程序的AppID,快应用的包名")
    )
    prior_approvals = PriorApprovalInput(many=True, required=False, max_length=10)

    def validate(self, attrs):
        # A native app lists its platforms; a mini-program or quick app names its platform instead.
        if attrs.get("kind", App.Kind.APP) == App.Kind.APP and not attrs.get("platforms"):
            raise serializers.ValidationError(
                {"platforms": [_("原生APP请至少填写一个平台的包名、公钥和MD5指纹。")]}
            )
        if attrs.get("mini_platform") is not None:
            attrs["mini_platform"] = attrs["mini_platform"].code
        return attrs
