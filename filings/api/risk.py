"""API of the rejection-risk estimate of a filing in entry or pre-review."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from filings.api.schema import ErrorSerializer
from filings.exceptions import NotApplicable
from filings.reads import selectors
from filings.reads.risk import ESTIMATED_STATES, rejection_risk
from filings.rules.checks import run_submission_checks


class LikelyReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=gettext_lazy("退回原因目录的代码(目录之外的原因为其文字)"))
    reason = serializers.CharField()
    suggested_fix = serializers.CharField(help_text=gettext_lazy("目录中的修改建议;目录之外的原因为空"))
    chance = serializers.FloatField(help_text=gettext_lazy("估计因此原因被退回的概率(0–1)"))


class RiskSerializer(serializers.Serializer):
    summary = serializers.CharField(
        help_text=gettext_lazy("一句话说明,例如 浙江同类备案 18% 曾被退回,最常见原因:…(改法:…)")
    )
    enough = serializers.BooleanField(help_text=gettext_lazy("历史是否足够;不足时不给出概率"))
    cases = serializers.IntegerField(help_text=gettext_lazy("估算所依据的本省同类已审结提交数"))
    minimum = serializers.IntegerField(help_text=gettext_lazy("给出估算所需的最少已审结提交数"))
    chance = serializers.FloatField(help_text=gettext_lazy("被服务商或管局退回的概率(0–1)"))
    returned = serializers.FloatField(help_text=gettext_lazy("被服务商初审退回的概率"))
    rejected = serializers.FloatField(help_text=gettext_lazy("被管局退回的概率"))
    reasons = LikelyReasonSerializer(many=True, help_text=gettext_lazy("最可能的三个原因,各附修改建议"))
    features = serializers.DictField(
        child=serializers.CharField(), help_text=gettext_lazy("估算所用的备案特征")
    )


class FilingRisk(APIView):
    @extend_schema(
        responses={
            200: RiskSerializer,
            409: OpenApiResponse(
                ErrorSerializer, description=gettext_lazy("备案不在信息填报或服务商初审阶段")
            ),
        },
        summary=gettext_lazy("退回风险估算"),
        description=gettext_lazy(
            "按本省同类备案的历史审结结果,估算信息填报或服务商初审阶段的备案被退回的概率和最可能的原因;其他阶段答 409。"
        ),
    )
    def get(self, request, pk: int):
        filing = selectors.filing_detail(request.user, pk)
        if filing.state not in ESTIMATED_STATES:
            raise NotApplicable(_("只有信息填报或服务商初审阶段的备案才估算退回风险。"))
        risk = rejection_risk(filing, run_submission_checks(filing))
        return Response(RiskSerializer(risk).data)
