"""The alerts API: a user's own alerts (managers see all) and acknowledging one."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from filings import selectors
from filings.models import Alert, Deadline, Notification, Severity
from filings.models.alerts import threshold_label
from filings.services import alerts as alert_services
from filings.workdays import SHANGHAI

TRUE_VALUES = ("1", "true", "yes")
FALSE_VALUES = ("0", "false", "no")


class AlertSerializer(serializers.ModelSerializer):
    filing = serializers.SerializerMethodField()
    threshold = serializers.CharField(source="threshold.code")
    threshold_label = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display")
    stage_display = serializers.CharField(source="get_stage_display")
    severity_display = serializers.CharField(source="get_severity_display")
    title = serializers.CharField()
    message = serializers.CharField()
    unread = serializers.SerializerMethodField()
    acknowledged_by = serializers.StringRelatedField(allow_null=True)
    due_at = serializers.DateTimeField(default_timezone=SHANGHAI)
    deadline_at = serializers.DateTimeField(default_timezone=SHANGHAI)
    raised_at = serializers.DateTimeField(default_timezone=SHANGHAI)
    acknowledged_at = serializers.DateTimeField(default_timezone=SHANGHAI, allow_null=True)
    withdrawn_at = serializers.DateTimeField(default_timezone=SHANGHAI, allow_null=True)
    withdrawn_reason = serializers.CharField(source="shown_withdrawn_reason", read_only=True)

    def get_threshold_label(self, alert) -> str:
        return threshold_label(alert.threshold)

    class Meta:
        model = Alert
        fields = [
            "id",
            "filing",
            "kind",
            "kind_display",
            "stage",
            "stage_display",
            "stage_visit",
            "threshold",
            "threshold_label",
            "occurrence",
            "severity",
            "severity_display",
            "escalated",
            "due_at",
            "deadline_at",
            "provisional",
            "raised_at",
            "title",
            "message",
            "unread",
            "acknowledged_by",
            "acknowledged_at",
            "withdrawn_at",
            "withdrawn_reason",
        ]

    def get_filing(self, alert: Alert) -> dict:
        return {
            "id": alert.filing_id,
            "subject": alert.filing.subject.name,
            "url": alert.filing.get_absolute_url(),
        }

    def get_unread(self, alert: Alert) -> bool:
        return bool(getattr(alert, "unread", False))


def _flag(params, name: str) -> bool | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    if value.lower() in TRUE_VALUES:
        return True
    if value.lower() in FALSE_VALUES:
        return False
    raise ValidationError({name: [_("请填写 true 或 false。")]})


def _visible_alerts(request):
    unread = Notification.objects.filter(alert=OuterRef("pk"), user=request.user, read_at__isnull=True)
    return selectors.alerts_for_user(request.user).annotate(unread=Exists(unread))


class AlertList(generics.ListAPIView):
    serializer_class = AlertSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("unread", bool, description=_("只看未读")),
            OpenApiParameter("acknowledged", bool),
            OpenApiParameter("withdrawn", bool, description=_("默认不含已撤销的提醒")),
            OpenApiParameter("severity", str, enum=Severity.values),
            OpenApiParameter("kind", str, enum=Deadline.Kind.values),
            OpenApiParameter("filing", int),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        alerts = _visible_alerts(self.request)
        unread, acknowledged = _flag(params, "unread"), _flag(params, "acknowledged")
        withdrawn = _flag(params, "withdrawn")
        if unread is not None:
            alerts = alerts.filter(unread=unread)
        if acknowledged is not None:
            alerts = alerts.filter(acknowledged_at__isnull=not acknowledged)
        alerts = (
            alerts.filter(withdrawn_at__isnull=not withdrawn)
            if withdrawn is not None
            else alerts.filter(withdrawn_at__isnull=True)
        )
        severity, kind, filing = params.get("severity"), params.get("kind"), params.get("filing")
        if severity:
            if severity not in Severity.values:
                raise ValidationError({"severity": [_("未知的级别“%(v)s”。") % {"v": severity}]})
            alerts = alerts.filter(severity=severity)
        if kind:
            if kind not in Deadline.Kind.values:
                raise ValidationError({"kind": [_("未知的截止类型“%(v)s”。") % {"v": kind}]})
            alerts = alerts.filter(kind=kind)
        if filing:
            if not filing.isdigit():
                raise ValidationError({"filing": [_("请填写备案编号(数字)。")]})
            alerts = alerts.filter(filing_id=int(filing))
        return alerts.order_by("-raised_at", "-id")


def _get_visible(request, pk: int) -> Alert:
    try:
        return _visible_alerts(request).get(pk=pk)
    except Alert.DoesNotExist as error:
        raise NotFound(_("找不到该提醒。")) from error


class AlertDetail(APIView):
    @extend_schema(responses=AlertSerializer)
    def get(self, request, pk: int):
        return Response(AlertSerializer(_get_visible(request, pk)).data)


class AlertAcknowledge(APIView):
    @extend_schema(request=None, responses=AlertSerializer)
    def post(self, request, pk: int):
        """Acknowledge the alert (the first acknowledgement stands; repeating it changes nothing)."""
        alert = _get_visible(request, pk)
        alert_services.acknowledge_alert(alert, by=request.user)
        return Response(AlertSerializer(_get_visible(request, pk)).data)
