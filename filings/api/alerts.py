"""The alerts API: a user's own alerts (managers see all) and acknowledging one."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from filings.api.pagination import NewestRaisedPagination
from filings.api.queries import AlertListQuery, query_values
from filings.models import Alert, Notification
from filings.models.alerts import threshold_label
from filings.reads import selectors
from filings.rules.workdays import SHANGHAI
from filings.services import alerts as alert_services


class AlertSerializer(serializers.ModelSerializer):
    filing = serializers.SerializerMethodField()
    threshold = serializers.CharField(source="threshold.code")
    threshold_label = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="kind_label")
    stage_display = serializers.CharField(source="stage_label")
    severity_display = serializers.CharField(source="severity_label")
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

    def to_representation(self, alert: Alert) -> dict:
        # The fields above, written directly: through each field's get_attribute and
        # to_representation, 24 fields of 50 alerts were most of an inbox page's time.
        as_time = self.fields["raised_at"].to_representation
        times = {
            name: (as_time(value) if (value := getattr(alert, name)) is not None else None)
            for name in ("due_at", "deadline_at", "raised_at", "acknowledged_at", "withdrawn_at")
        }
        return {
            "id": alert.pk,
            "filing": self.get_filing(alert),
            "kind": alert.kind,
            "kind_display": alert.kind_label,
            "stage": alert.stage,
            "stage_display": alert.stage_label,
            "stage_visit": alert.stage_visit,
            "threshold": alert.threshold.code,
            "threshold_label": self.get_threshold_label(alert),
            "occurrence": alert.occurrence,
            "severity": alert.severity,
            "severity_display": alert.severity_label,
            "escalated": alert.escalated,
            "due_at": times["due_at"],
            "deadline_at": times["deadline_at"],
            "provisional": alert.provisional,
            "raised_at": times["raised_at"],
            "title": alert.title,
            "message": alert.message,
            "unread": self.get_unread(alert),
            "acknowledged_by": str(alert.acknowledged_by) if alert.acknowledged_by_id else None,
            "acknowledged_at": times["acknowledged_at"],
            "withdrawn_at": times["withdrawn_at"],
            "withdrawn_reason": alert.shown_withdrawn_reason,
        }

    def get_filing(self, alert: Alert) -> dict:
        return {
            "id": alert.filing_id,
            "subject": alert.filing.subject.name,
            "url": alert.filing.get_absolute_url(),
        }

    def get_unread(self, alert: Alert) -> bool:
        return bool(getattr(alert, "unread", False))


def _visible_alerts(request):
    unread = Notification.objects.filter(alert=OuterRef("pk"), user=request.user, read_at__isnull=True)
    return selectors.alerts_for_user(request.user).annotate(unread=Exists(unread))


class AlertList(generics.ListAPIView):
    """Newest raised first, a page at a time from the position in `cursor` (the `next` link); no
    page counts the list."""

    serializer_class = AlertSerializer
    pagination_class = NewestRaisedPagination

    @extend_schema(parameters=[AlertListQuery])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = query_values(AlertListQuery, self.request)
        alerts = selectors.alerts_for_user(self.request.user)
        if "unread" in query:
            alerts = selectors.alerts_read_or_not(alerts, self.request.user, unread=query["unread"])
        if "acknowledged" in query:
            alerts = alerts.filter(acknowledged_at__isnull=not query["acknowledged"])
        alerts = alerts.filter(withdrawn_at__isnull=not query.get("withdrawn", False))
        if "severity" in query:
            alerts = alerts.filter(severity=query["severity"])
        if "kind" in query:
            alerts = alerts.filter(kind=query["kind"])
        if "filing" in query:
            alerts = alerts.filter(filing_id=query["filing"])
        return alerts.order_by("-raised_at", "-id")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        # Whether each is unread is looked up for the page's rows only.
        unread = selectors.unread_alert_ids(self.request.user, [alert.pk for alert in page])
        for alert in page:
            alert.unread = alert.pk in unread
        return page


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
