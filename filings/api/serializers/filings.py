"""A filing as each reader sees it: a row of a list, or the whole filing with its parts and history."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from filings.api.serializers.apps import AppSerializer
from filings.api.serializers.cancellations import CancellationSerializer
from filings.api.serializers.history import DeadlineSerializer, EventSerializer
from filings.api.serializers.materials import MaterialSerializer
from filings.api.serializers.people import PersonSerializer
from filings.api.serializers.subjects import ProvinceSerializer, SubjectSerializer
from filings.api.serializers.verification import AuthenticityCheckSerializer, SmsVerifierSerializer
from filings.api.serializers.websites import WebsiteSerializer
from filings.kinds import Approval
from filings.models import Filing
from filings.models import transition_rules as permissions
from filings.reads.selectors import available_transitions
from filings.rules import change_diff, proposals
from filings.rules.checks.people import id_number_warnings
from filings.rules.privacy import FIELD_MASKS


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
