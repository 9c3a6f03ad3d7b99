"""Serializers of the filing API: what a filing looks like to each reader, and what writes accept."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from filings.formats.certificates import VALIDATORS as CERTIFICATE_VALIDATORS
from filings.formats.certificates import normalise_certificate_number
from filings.formats.validators import (
    MAX_REASON_LENGTH,
    MAX_REASONS,
    validate_mobile,
    validate_multiline,
    validate_phone,
    validate_single_line,
)
from filings.kinds import Approval, Numbers, kind_of
from filings.models import (
    App,
    AppPlatform,
    AppPriorApproval,
    AuthenticityCheck,
    Cancellation,
    Deadline,
    Domain,
    Filing,
    FilingEvent,
    Material,
    MiniProgramPlatform,
    Person,
    PriorApproval,
    Province,
    SmsVerifier,
    Subject,
    Website,
)
from filings.models import transition_rules as permissions
from filings.reads.selectors import available_transitions
from filings.rules import change_diff, proposals
from filings.rules import fields as entry_fields
from filings.rules.checks.people import id_number_warnings
from filings.rules.privacy import FIELD_MASKS, mask_email, mask_id_number, mask_phone


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


class SubjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subject
        fields = ["id", *entry_fields.SUBJECT_FIELDS]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.is_individual and not self.context.get("unmasked"):
            data["certificate_number"] = mask_id_number(data["certificate_number"])
        return data


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


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()
    comment = serializers.CharField(source="shown_comment", read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # The system's texts in the reader's language; their sources stay internal.
        data["reasons"] = [
            {k: v for k, v in r.items() if not k.endswith("_source")} if isinstance(r, dict) else r
            for r in instance.shown_reasons
        ]
        if not self.context.get("unmasked"):
            data["reasons"] = [self._masked(item) for item in data["reasons"] or []]
        return data

    @staticmethod
    def _masked(item):
        if not isinstance(item, dict):
            return item
        mask = FIELD_MASKS.get(str(item.get("field", "")).rsplit(".", 1)[-1])
        if mask is None:
            return item
        return {k: (mask(v) if k in ("old", "new") and isinstance(v, str) else v) for k, v in item.items()}

    class Meta:
        model = FilingEvent
        fields = [
            "id",
            "at",
            "actor",
            "transition",
            "from_state",
            "to_state",
            "comment",
            "reasons",
            "stage_visit",
        ]


class DeadlineSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="label")

    class Meta:
        model = Deadline
        fields = [
            "id",
            "stage",
            "stage_visit",
            "kind",
            "kind_label",
            "starts_at",
            "due_at",
            "workdays",
            "provisional",
            "closed_at",
        ]


class MaterialSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = [
            "id",
            "kind",
            "slot",
            "person",
            "website",
            "version",
            "content_type",
            "size",
            "width",
            "height",
            "dpi",
            "check_status",
            "check_results",
            "uploaded_at",
            "download_url",
        ]

    def get_download_url(self, material) -> str:
        return reverse("filings:material-download", args=[material.filing_id, material.pk])


class SmsVerifierSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.name")
    mobile = serializers.SerializerMethodField()

    class Meta:
        model = SmsVerifier
        fields = ["id", "stage_visit", "person", "mobile", "sent_at", "verified_at"]

    def get_mobile(self, verifier) -> str:
        return verifier.mobile if self.context.get("unmasked") else mask_phone(verifier.mobile)


class FilingListSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(read_only=True)
    filing_type_label = serializers.CharField(source="type_label")
    subject_name = serializers.CharField(source="subject.name")
    province = serializers.CharField(source="province.short_name")
    assignee = serializers.StringRelatedField()

    class Meta:
        model = Filing
        fields = [
            "id",
            "reference",
            "filing_type",
            "filing_type_label",
            "state",
            "state_label",
            "subject_name",
            "province",
            "assignee",
            "stage_entered_at",
            "icp_number",
            "updated_at",
        ]


class FilingDetailSerializer(FilingListSerializer):
    subject = SubjectSerializer()
    subject_principal = PersonSerializer()
    province = ProvinceSerializer()
    websites = WebsiteSerializer(many=True)
    apps = AppSerializer(many=True)
    events = EventSerializer(many=True)
    deadlines = DeadlineSerializer(many=True)
    materials = MaterialSerializer(many=True)
    sms_verifiers = SmsVerifierSerializer(many=True)
    available_transitions = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField(
        help_text=_("已保存但需要修改的字段,例如校验位不正确的身份证号码:字段路径 → 说明")
    )
    changes = serializers.SerializerMethodField(help_text=_("变更备案:与已公示备案逐项比较的修改"))
    cancellation = serializers.SerializerMethodField()
    authenticity_checks = serializers.SerializerMethodField()
    proposed_cancellations = serializers.SerializerMethodField(
        help_text=_("域名到期或服务器到期时建议办理的注销或取消接入")
    )

    class Meta(FilingListSerializer.Meta):
        fields = FilingListSerializer.Meta.fields + [
            "version",
            "round",
            "subject",
            "subject_principal",
            "websites",
            "apps",
            "psb_number",
            "submitted_at",
            "published_at",
            "psb_registered_at",
            "went_live_on",
            "events",
            "deadlines",
            "materials",
            "sms_verifiers",
            "available_transitions",
            "warnings",
            "target",
            "changes",
            "cancellation",
            "authenticity_checks",
            "proposed_cancellations",
        ]

    def to_representation(self, instance):
        request = self.context.get("request")
        self.context["unmasked"] = bool(request and permissions.sees_personal_data(request.user, instance))
        self.context["individual_subject"] = instance.subject.is_individual
        return super().to_representation(instance)

    def get_warnings(self, filing) -> dict[str, list[str]]:
        return id_number_warnings(filing)

    def get_proposed_cancellations(self, filing) -> list[dict]:
        return [
            {"scope": p.scope, "reason": p.reason, "website": p.website.pk, "why": p.why}
            for p in proposals.proposed_cancellations(filing, today=timezone.localdate())
        ]

    def get_authenticity_checks(self, filing) -> list[dict]:
        return AuthenticityCheckSerializer(filing.authenticity_checks.all(), many=True).data

    def get_cancellation(self, filing) -> dict | None:
        cancellation = getattr(filing, "cancellation", None)
        return CancellationSerializer(cancellation).data if cancellation else None

    def get_changes(self, filing) -> list[dict]:
        if filing.kind.approval != Approval.APPLY_CHANGE or filing.state == "published":
            return []
        unmasked = self.context.get("unmasked")
        rows = []
        for row in change_diff.change_diff(filing).rows:
            mask = FIELD_MASKS.get(row.field.rpartition(".")[2])
            old, new = (row.old, row.new) if unmasked or mask is None else (mask(row.old), mask(row.new))
            rows.append(
                {"section": row.section, "field": row.field, "label": row.label, "old": old, "new": new}
            )
        return rows

    def get_available_transitions(self, filing) -> list[str]:
        request = self.context.get("request")
        return available_transitions(filing, request.user) if request else []


# Input.


class CertificateNumberInput(serializers.CharField):
    """A certificate number, stored upper case without spaces or hyphens (as the model stores it)."""

    def to_internal_value(self, data):
        return normalise_certificate_number(super().to_internal_value(data))


class TextInput(serializers.Serializer):
    """Refuse control characters in every text field; the fields named in `multiline` keep line breaks."""

    multiline: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            targets = [field, getattr(field, "child", None)]
            for target in targets:
                if isinstance(target, serializers.CharField):
                    multiline = name in self.multiline and target is field
                    target.validators.append(validate_multiline if multiline else validate_single_line)
        return fields


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
            from django.core.exceptions import ValidationError

            try:
                validator(attrs.get("certificate_number", ""))
            except ValidationError as error:
                raise serializers.ValidationError({"certificate_number": error.messages}) from error
        return attrs


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
    mini_platform = serializers.SlugRelatedField(
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


class ProvinceCodeInput(serializers.SlugRelatedField):
    """A province by its code; a code PostgreSQL cannot even compare (a NUL byte) is just unknown."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class FilingCreateInput(serializers.Serializer):
    filing_type = serializers.ChoiceField(choices=Filing.Type.choices, default=Filing.Type.FIRST)
    province = ProvinceCodeInput(
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


class ServiceAnswerInput(serializers.Serializer):
    version = serializers.IntegerField(help_text=_("读取时的版本号,用于防止覆盖他人的修改"))
    section = serializers.ChoiceField(choices=[("website", _("网站")), ("app", _("应用"))])
    item_id = serializers.IntegerField()
    category = serializers.ChoiceField(choices=PriorApproval.Category.choices)
    provides = serializers.BooleanField(help_text=_("是否提供该类服务"))


class FaceCheckInput(serializers.Serializer):
    person_id = serializers.IntegerField(
        required=False, help_text=_("填报阶段:完成人脸核验的负责人(每位负责人提交初审前都须通过)")
    )
    outcome = serializers.ChoiceField(choices=[("passed", _("核验通过")), ("failed", _("核验未通过"))])
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


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
