"""API of reaching a published filing's responsible people: reviewers' call records, and the SMS
gateway's delivery reports (authenticated by the shared secret the gateway is configured with)."""

import hmac

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from filings.api.schema import rules_beyond_schema
from filings.formats.validators import validate_phone
from filings.models import CallAttempt
from filings.models import transition_rules as permissions
from filings.models.contacts import CALL_OUTCOMES
from filings.reads import compliance, selectors
from filings.rules.privacy import mask_phone
from filings.services import contacts

SECRET_HEADER = "X-Beian-Sms-Secret"


class CallAttemptInput(serializers.Serializer):
    person_id = serializers.IntegerField(help_text=_("被拨打的负责人(主体负责人或网站负责人)"))
    number = serializers.CharField(
        max_length=20, validators=[validate_phone], help_text=_("拨打的号码:该负责人的手机号码或应急电话")
    )
    outcome = serializers.ChoiceField(choices=CALL_OUTCOMES)
    called_at = serializers.DateTimeField(required=False, help_text=_("拨打时间,缺省为现在"))


class CallAttemptOut(serializers.Serializer):
    id = serializers.IntegerField()
    person_id = serializers.IntegerField()
    person = serializers.CharField()
    number = serializers.CharField(help_text=_("无权查看个人信息者看到的号码已遮蔽"))
    channel = serializers.ChoiceField(choices=CallAttempt.Channel.choices)
    outcome = serializers.ChoiceField(choices=CallAttempt.Outcome.choices)
    outcome_label = serializers.CharField()
    called_at = serializers.DateTimeField()


def call_attempt_json(attempt: CallAttempt, *, unmasked: bool) -> dict:
    return {
        "id": attempt.pk,
        "person_id": attempt.person_id,
        "person": attempt.person.name,
        "number": attempt.number if unmasked else mask_phone(attempt.number),
        "channel": attempt.channel,
        "outcome": attempt.outcome,
        "outcome_label": str(attempt.get_outcome_display()),
        "called_at": attempt.called_at,
    }


class FilingCalls(APIView):
    @extend_schema(
        responses={200: CallAttemptOut(many=True)},
        summary=_("备案的联系记录"),
        description=_("已公示备案最近的电话核实与未送达短信(最新在前,最多50条);其他阶段的备案为空。"),
    )
    def get(self, request, pk: int):
        filing = selectors.filing_detail(request.user, pk)
        unmasked = permissions.sees_personal_data(request.user, filing)
        return Response(
            [call_attempt_json(a, unmasked=unmasked) for a in compliance.recent_contact_attempts(filing)]
        )

    @extend_schema(
        request=CallAttemptInput,
        responses={201: CallAttemptOut},
        summary=_("记录电话核实"),
        description=rules_beyond_schema(
            {
                "unknown_person": _("person_id 须为本备案的主体负责人或网站负责人"),
                "unknown_number": _("number 须为该负责人登记的手机号码或应急电话"),
                "called_in_future": _("called_at 不能晚于现在"),
                "called_before_filing": _("called_at 不能早于备案创建时间"),
            },
            summary=_(
                "初审员记录对已公示备案负责人的一次电话核实;一周内对同一人两次未接通(含未送达的短信)"
                "时,服务负责人收到确认联系电话的任务;号码停机时建议办理变更备案。只有初审员可以记录(403),"
                "只有已公示的备案可以记录(409)。"
            ),
        ),
    )
    def post(self, request, pk: int):
        filing = selectors.filing_detail(request.user, pk)
        data = CallAttemptInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        attempt = contacts.record_call_attempt(
            filing,
            person_id=values["person_id"],
            number=values["number"],
            outcome=values["outcome"],
            called_at=values.get("called_at"),
            by=request.user,
        )
        return Response(call_attempt_json(attempt, unmasked=True), status=status.HTTP_201_CREATED)


class HasGatewaySecret(BasePermission):
    """The request carries the SMS gateway's shared secret (BEIAN_SMS_REPORT_SECRET); with no secret
    configured, no request does."""

    def has_permission(self, request, view):
        expected = settings.BEIAN_SMS_REPORT_SECRET
        given = request.headers.get(SECRET_HEADER, "")
        return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


class DeliveryReportInput(serializers.Serializer):
    message_id = serializers.CharField(
        max_length=64, help_text=_("短信在网关的编号;同一回执重复推送只记录一次")
    )
    mobile = serializers.RegexField(r"^1[3-9]\d{9}$", max_length=11, help_text=_("接收短信的手机号码"))
    status = serializers.ChoiceField(
        choices=[
            (contacts.DeliveryStatus.DELIVERED, _("已送达")),
            (contacts.DeliveryStatus.FAILED, _("未送达(关机、不在服务区、拒收等)")),
            (contacts.DeliveryStatus.INVALID_NUMBER, _("空号或停机")),
        ]
    )
    reported_at = serializers.DateTimeField(help_text=_("运营商回执时间"))


class DeliveryReportsInput(serializers.Serializer):
    reports = DeliveryReportInput(many=True, max_length=500)


class DeliveryReportsOut(serializers.Serializer):
    received = serializers.IntegerField()
    recorded = serializers.IntegerField(help_text=_("记入负责人联系记录的未送达短信数"))


class SmsDeliveryReports(APIView):
    authentication_classes: list = []
    permission_classes = [HasGatewaySecret]

    @extend_schema(
        auth=[],
        parameters=[
            OpenApiParameter(
                SECRET_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description=_("与短信网关约定的密钥(环境变量 BEIAN_SMS_REPORT_SECRET);不符时答 403"),
            )
        ],
        request=DeliveryReportsInput,
        responses={200: DeliveryReportsOut},
        summary=_("短信送达回执"),
        description=_(
            "短信网关推送的送达回执。未送达或空号停机的短信记入已公示备案中使用该号码的负责人的联系记录,"
            "与未接通的电话一样计数;空号停机时建议办理变更备案。"
        ),
    )
    def post(self, request):
        data = DeliveryReportsInput(data=request.data)
        data.is_valid(raise_exception=True)
        reports = [contacts.DeliveryReport(**row) for row in data.validated_data["reports"]]
        recorded = contacts.record_sms_delivery_reports(reports)
        return Response({"received": len(reports), "recorded": recorded})
