"""What the filing API's writes accept: a new filing, an update, a service answer, a transition."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from filings.api.serializers.apps import AppInput
from filings.api.serializers.people import PersonInput
from filings.api.serializers.subjects import SubjectInput
from filings.api.serializers.text import CodeInput, TextInput
from filings.api.serializers.websites import WebsiteInput
from filings.formats.validators import MAX_REASON_LENGTH, MAX_REASONS
from filings.kinds import Numbers, kind_of
from filings.models import Filing, PriorApproval, Province


class FilingCreateInput(serializers.Serializer):
    filing_type = serializers.ChoiceField(choices=Filing.Type.choices, default=Filing.Type.FIRST)
    province = CodeInput(
        slug_field="code", queryset=Province.objects.all(), required=False, help_text=_("APP备案取主体的省份")
    )
    subject_id = serializers.IntegerField(
        required=False, help_text=_("APP备案:已公示备案的主体(不填则作为首次备案,填写province和subject)")
    )
    existing_icp_number = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text=_("新增接入:主体已有的备案号")
    )
    existing_psb_number = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text=_("新增接入:网站已有的公安联网备案号")
    )
    subject = SubjectInput(required=False)
    subject_principal = PersonInput()
    websites = WebsiteInput(many=True, required=False, max_length=20)
    apps = AppInput(many=True, required=False, max_length=20)

    def validate(self, attrs):
        # What each kind needs: an app filing names a published subject; the others bring their own.
        kind = kind_of(attrs["filing_type"])
        if kind.made_of_apps:
            # An app filing names a published subject, or is the subject's first filing with its data.
            needed = ["apps"] if attrs.get("subject_id") else ["province", "subject", "apps"]
        elif kind.numbers == Numbers.EXISTING:
            needed = ["province", "subject", "websites", "existing_icp_number"]
        else:
            needed = ["province", "subject", "websites"]
        missing = {k: [self.fields[k].error_messages["required"]] for k in needed if not attrs.get(k)}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class FilingUpdateInput(serializers.Serializer):
    version = serializers.IntegerField(help_text=_("读取时的版本号,用于防止覆盖他人的修改"))
    filing_type = serializers.ChoiceField(choices=Filing.Type.choices, required=False)
    subject = SubjectInput(required=False)
    subject_principal = PersonInput(required=False)
    websites = WebsiteInput(many=True, required=False, min_length=1, max_length=20)
    apps = AppInput(many=True, required=False, min_length=1, max_length=20)


class ServiceAnswerInput(serializers.Serializer):
    version = serializers.IntegerField(help_text=_("读取时的版本号,用于防止覆盖他人的修改"))
    section = serializers.ChoiceField(choices=[("website", _("网站")), ("app", _("应用"))])
    item_id = serializers.IntegerField()
    category = serializers.ChoiceField(choices=PriorApproval.Category.choices)
    provides = serializers.BooleanField(help_text=_("是否提供该类服务"))


class ReasonInput(TextInput):
    multiline = ("reason", "suggested_fix")
    field = serializers.CharField(max_length=100, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=MAX_REASON_LENGTH)
    suggested_fix = serializers.CharField(max_length=MAX_REASON_LENGTH, required=False, allow_blank=True)
    code = serializers.CharField(max_length=48, required=False, allow_blank=True)


class TransitionInput(TextInput):
    multiline = ("comment",)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    reasons = ReasonInput(many=True, required=False, default=list, max_length=MAX_REASONS)
    icp_number = serializers.CharField(max_length=32, required=False, allow_blank=True)
    website_numbers = serializers.DictField(child=serializers.CharField(max_length=40), required=False)
    app_numbers = serializers.DictField(child=serializers.CharField(max_length=40), required=False)
    psb_number = serializers.CharField(max_length=32, required=False, allow_blank=True)
    verifier_id = serializers.IntegerField(required=False)
