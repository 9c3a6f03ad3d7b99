"""What the stats and review-queue endpoints answer, for the OpenAPI schema (the views build plain dicts)."""

from django.utils.translation import gettext_lazy
from rest_framework import serializers


class _Counts(serializers.DictField):
    child = serializers.IntegerField()


class ProvinceCountsOut(serializers.Serializer):
    province = serializers.CharField()
    name = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())


class StageCountsOut(serializers.Serializer):
    refreshed_at = serializers.DateTimeField(allow_null=True)
    totals = serializers.DictField(child=serializers.IntegerField())
    awaiting_public_security = serializers.IntegerField()
    provinces = ProvinceCountsOut(many=True)


class DurationOut(serializers.Serializer):
    visits = serializers.IntegerField()
    median_workdays = serializers.IntegerField(allow_null=True)
    p90_workdays = serializers.IntegerField(allow_null=True)


class ReasonCountOut(serializers.Serializer):
    reason = serializers.CharField()
    count = serializers.IntegerField()


class ProvinceStatsOut(serializers.Serializer):
    province = serializers.CharField(allow_null=True)
    durations = serializers.DictField(child=DurationOut())
    exits = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    returned_share = serializers.FloatField(allow_null=True)
    rejected_share = serializers.FloatField(allow_null=True)
    top_reasons = ReasonCountOut(many=True)


class DurationsOut(serializers.Serializer):
    period_days = serializers.IntegerField()
    percentile_method = serializers.CharField()
    national = ProvinceStatsOut()
    provinces = ProvinceStatsOut(many=True)


class FlowOut(serializers.Serializer):
    entered = serializers.IntegerField()
    left = serializers.IntegerField()


class WeekFlowsOut(serializers.Serializer):
    week = serializers.DateField()
    stages = serializers.DictField(child=FlowOut())


class ExpectationOut(serializers.Serializer):
    date = serializers.DateField()
    basis = serializers.CharField()


class DeadlineFilingOut(serializers.Serializer):
    id = serializers.IntegerField()
    subject = serializers.CharField()
    province = serializers.CharField()
    state = serializers.CharField()
    reviewer = serializers.IntegerField(allow_null=True)


class DeadlineOut(serializers.Serializer):
    filing = DeadlineFilingOut()
    kind = serializers.CharField()
    due_at = serializers.DateTimeField()
    provisional = serializers.BooleanField()
    urgency = serializers.CharField(allow_null=True)
    expected_publication = ExpectationOut(allow_null=True)


class DeadlinePageOut(serializers.Serializer):
    next = serializers.CharField(
        allow_null=True, help_text=gettext_lazy("下一页的位置:作为 after 参数传回;最后一页为 null")
    )
    results = DeadlineOut(many=True)


class QueuePageOut(DeadlinePageOut):
    queue = serializers.CharField()
    overdue = serializers.IntegerField()


class ExpectedFilingOut(serializers.Serializer):
    filing = serializers.IntegerField()
    subject = serializers.CharField()
    province = serializers.CharField()
    state = serializers.CharField()
    stage_entered_at = serializers.DateTimeField()
    expected_publication = ExpectationOut(allow_null=True)


class ExpectedPageOut(serializers.Serializer):
    next = serializers.CharField(
        allow_null=True, help_text=gettext_lazy("下一页的位置:作为 after 参数传回;最后一页为 null")
    )
    results = ExpectedFilingOut(many=True)


class FooterCheckOut(serializers.Serializer):
    website = serializers.IntegerField()
    url = serializers.CharField()
    status = serializers.CharField()
    checked_at = serializers.DateTimeField()
    expected_icp = serializers.CharField()
    expected_psb = serializers.CharField(allow_null=True)
    icp_found = serializers.BooleanField()
    icp_linked = serializers.BooleanField()
    psb_found = serializers.BooleanField(allow_null=True)
    problems = serializers.ListField(child=serializers.CharField())
