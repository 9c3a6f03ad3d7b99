"""API of what may get published filings cancelled: open rectifications (the compliance view) and,
per filing, its last site checks, open rectifications and numbers out of service."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Perm
from filings.api.queries import query_values
from filings.api.schema import rules_beyond_schema
from filings.models import Deadline, Province
from filings.models import transition_rules as permissions
from filings.models.deadlines import RECTIFICATION_KINDS
from filings.models.site_watch import Failure
from filings.reads import compliance, keyset, selectors
from filings.rules import contact_flags
from filings.rules.privacy import mask_phone

RULES = {
    "after": gettext_lazy("须为上一页答复中的 next"),
    "province": gettext_lazy("须为已知的省份代码(见 /api/v1/provinces/)"),
}


class SeesAllFilings(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(Perm.VIEW_ALL))


class RectificationQuery(serializers.Serializer):
    after = serializers.CharField(required=False, max_length=200, allow_blank=True)
    province = serializers.CharField(required=False, max_length=2, allow_blank=True)
    kind = serializers.ChoiceField(choices=RECTIFICATION_KINDS, required=False)


class RectificationOut(serializers.Serializer):
    id = serializers.IntegerField()
    filing = serializers.IntegerField()
    subject = serializers.CharField(required=False)
    icp_number = serializers.CharField(required=False)
    province = serializers.CharField(required=False)
    kind = serializers.ChoiceField(choices=RECTIFICATION_KINDS)
    label = serializers.CharField()
    starts_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()


class RectificationPageOut(serializers.Serializer):
    next = serializers.CharField(
        allow_null=True, help_text=gettext_lazy("下一页的位置(作为 after 传回);没有更多时为 null")
    )
    results = RectificationOut(many=True)


class SiteCheckOut(serializers.Serializer):
    id = serializers.IntegerField()
    website = serializers.IntegerField()
    url = serializers.CharField()
    checked_at = serializers.DateTimeField()
    passed = serializers.BooleanField()
    resolves = serializers.BooleanField()
    answered = serializers.BooleanField()
    in_provider_ranges = serializers.BooleanField(allow_null=True)
    failures = serializers.ListField(child=serializers.ChoiceField(choices=Failure.choices))
    problems = serializers.ListField(child=serializers.CharField())


class NumberOut(serializers.Serializer):
    person = serializers.CharField()
    number = serializers.CharField()


class FlaggedNumberOut(serializers.Serializer):
    person = serializers.CharField()
    field = serializers.ChoiceField(
        choices=[("mobile", gettext_lazy("手机号码")), ("emergency_phone", gettext_lazy("应急电话"))]
    )
    number = serializers.CharField(help_text=gettext_lazy("无权查看个人信息者看到的号码已遮蔽"))
    code = serializers.ChoiceField(
        choices=[
            (contact_flags.VIRTUAL_OPERATOR, gettext_lazy("虚拟运营商号段")),
            (contact_flags.NOT_LOCAL, gettext_lazy("非本省号码")),
        ]
    )
    message = serializers.CharField()


class FilingComplianceOut(serializers.Serializer):
    site_checks = SiteCheckOut(many=True)
    rectifications = RectificationOut(many=True)
    numbers_out_of_service = NumberOut(
        many=True, help_text=gettext_lazy("已停机或空号的号码:请提交变更备案更新")
    )
    expired_domains = serializers.ListField(child=serializers.CharField())
    flagged_numbers = FlaggedNumberOut(
        many=True, help_text=gettext_lazy("本省数据要求标记的号码:虚拟运营商号段、归属地不在本省")
    )


def rectification_json(d: Deadline, *, now) -> dict:
    filing = d.filing
    return {
        "id": d.pk,
        "filing": d.filing_id,
        "subject": filing.subject.name,
        "icp_number": filing.icp_number,
        "province": d.province.code,
        "kind": d.kind,
        "label": d.label,
        "starts_at": d.starts_at,
        "due_at": d.due_at,
        "overdue": d.due_at < now,
    }


class RectificationList(APIView):
    permission_classes = [SeesAllFilings]

    @extend_schema(
        parameters=[RectificationQuery],
        responses={200: RectificationPageOut},
        summary=gettext_lazy("公示后未完成的整改"),
        description=rules_beyond_schema(
            RULES,
            summary=gettext_lazy(
                "已公示备案未完成的整改(页脚、无法访问、接入地址、域名到期、确认联系电话),按起算时间最早的在前,分页读取。"
            ),
        ),
    )
    def get(self, request):
        params = query_values(RectificationQuery, request)
        province_id = None
        if params.get("province"):
            province = Province.objects.filter(code=params["province"]).first()
            if province is None:
                raise ValidationError(
                    {"province": [_("未知的省份代码“%(code)s”。") % {"code": params["province"]}]}
                )
            province_id = province.pk
        after = None
        if params.get("after"):
            try:
                after = keyset.Position.parse(
                    params["after"], queryset=Deadline.objects.all(), order=compliance.OLDEST_FIRST
                )
            except ValueError:
                raise ValidationError({"after": [_("分页位置无效,请从第一页重新读取。")]}) from None
        page = compliance.rectification_page(province_id=province_id, kind=params.get("kind"), after=after)
        now = timezone.now()
        return Response(
            {
                "next": page.next.token() if page.next else None,
                "results": [rectification_json(d, now=now) for d in page.rows],
            }
        )


class FilingCompliance(APIView):
    @extend_schema(
        responses={200: FilingComplianceOut},
        summary=gettext_lazy("备案的巡检与整改"),
        description=gettext_lazy(
            "已公示备案最近的网站巡检、未完成的整改、已停机的联系电话、本省数据要求标记的号码和已到期的域名;其他阶段的备案各项为空。"
        ),
    )
    def get(self, request, pk: int):
        filing = selectors.filing_detail(request.user, pk)
        unmasked = permissions.sees_personal_data(request.user, filing)
        now = timezone.now()
        data = compliance.filing_compliance(filing, today=timezone.localdate(now))
        rows = (
            list(compliance.open_rectifications().filter(filing=filing).order_by(*compliance.OLDEST_FIRST))
            if data
            else []
        )
        return Response(
            {
                "site_checks": [
                    {
                        "id": c.pk,
                        "website": c.website_id,
                        "url": c.url,
                        "checked_at": c.checked_at,
                        "passed": c.passed,
                        "resolves": c.resolves,
                        "answered": c.answered,
                        "in_provider_ranges": c.in_provider_ranges,
                        "failures": c.failures,
                        "problems": c.shown_problems,
                    }
                    for c in data.get("site_checks", [])
                ],
                "rectifications": [rectification_json(d, now=now) for d in rows],
                "numbers_out_of_service": [
                    {"person": p.name, "number": n} for p, n in data.get("numbers_out_of_service", [])
                ],
                "expired_domains": [d.name for d in data.get("expired_domains", [])],
                "flagged_numbers": [
                    {
                        "person": f.person.name,
                        "field": f.field,
                        "number": f.number if unmasked else mask_phone(f.number),
                        "code": f.code,
                        "message": f.message,
                    }
                    for f in data.get("flagged_numbers", [])
                ],
            }
        )
