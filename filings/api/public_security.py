"""API for the public-security registration after publication: the go-live date and corrections."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from filings.api.schema import rules_beyond_schema
from filings.api.serializers.filings import FilingDetailSerializer
from filings.reads import selectors
from filings.services import public_security


class PublicSecurityInput(serializers.Serializer):
    version = serializers.IntegerField(required=False, help_text=_("读取时的版本号,用于防止覆盖他人的修改"))
    went_live_on = serializers.DateField(required=False, help_text=_("网站开通日期,公安联网备案期限由此起算"))
    psb_number = serializers.CharField(
        max_length=40,
        required=False,
        help_text=_("更正已记录的公安联网备案号,例如 京公网安备11010502030143号"),
    )


class FilingPublicSecurity(APIView):
    @extend_schema(
        request=PublicSecurityInput,
        responses=FilingDetailSerializer,
        description=rules_beyond_schema(
            {
                "went_live_on": _("不能早于公示日期,也不能晚于今天"),
                "psb_number": _("格式如 京公网安备11010502030143号,省份简称须与备案一致"),
            }
        ),
    )
    def patch(self, request, pk: int):
        filing = selectors.filing_detail(request.user, pk)
        data = PublicSecurityInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        version = values.get("version")
        if "went_live_on" in values:
            filing = public_security.set_went_live_on(
                filing, by=request.user, went_live_on=values["went_live_on"], expected_version=version
            )
            version = None
        if "psb_number" in values:
            public_security.correct_public_security_number(
                filing, by=request.user, psb_number=values["psb_number"], expected_version=version
            )
        filing = selectors.filing_detail(request.user, pk)
        return Response(FilingDetailSerializer(filing, context={"request": request}).data)
