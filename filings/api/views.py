"""API views: validate input, call one service or selector, answer."""

from functools import partial

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from filings.api.pagination import NewestFirstPagination
from filings.api.parsers import JSONParser
from filings.api.queries import FilingListQuery, query_values
from filings.api.schema import rules_beyond_schema
from filings.api.serializers.cancellations import CancellationInput
from filings.api.serializers.filings import FilingDetailSerializer, FilingListSerializer
from filings.api.serializers.inputs import (
    FilingCreateInput,
    FilingUpdateInput,
    ServiceAnswerInput,
    TransitionInput,
)
from filings.api.serializers.subjects import ProvinceSerializer
from filings.api.serializers.verification import FaceCheckInput
from filings.exceptions import TransitionNotPermitted
from filings.kinds import Numbers, kind_of
from filings.models import REQUESTED_TRANSITIONS, Province
from filings.reads import selectors
from filings.services import (
    access,
    apps,
    authenticity,
    cancellations,
    changes,
    content,
    dispatch,
    drafts,
    transitions,
)


class ProvinceList(generics.ListAPIView):
    serializer_class = ProvinceSerializer
    queryset = Province.objects.all()
    pagination_class = None


# A website's or app's principal is either the subject's (same_as_subject_principal) or given in full.
PRINCIPAL_RULES = {
    f"{part}.principal.{field}": gettext_lazy("未选 same_as_subject_principal 时必填")
    for part in ("websites", "apps")
    for field in ("name", "id_number", "mobile")
}


class FilingListCreate(generics.ListAPIView):
    # Its input nests objects and lists, which only JSON carries (a form could not).
    parser_classes = [JSONParser]
    serializer_class = FilingListSerializer
    pagination_class = NewestFirstPagination

    @extend_schema(parameters=[FilingListQuery])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = query_values(FilingListQuery, self.request)
        return selectors.filing_list(
            self.request.user,
            state=query.get("state"),
            province=query.get("province"),
            overdue=query.get("overdue"),
            query=query.get("q"),
            domain=query.get("domain"),
            filing_type=query.get("filing_type"),
        )

    @extend_schema(
        request=FilingCreateInput,
        responses={201: FilingDetailSerializer},
        description=rules_beyond_schema(
            {
                "province": gettext_lazy(
                    "不指明已公示主体(subject_id)时必填,须为已知的省份代码(见 /api/v1/provinces/)"
                ),
                "subject": gettext_lazy("不指明已公示主体(subject_id)时必填"),
                "websites": gettext_lazy("APP备案以外的类型必填;域名、网站名称等须符合备案规则"),
                "existing_icp_number": gettext_lazy("新增接入必填,格式如 粤ICP备2023012345号"),
                "subject_id": gettext_lazy(
                    "APP备案可指明已公示备案的主体;不指明时随附主体信息(主体的首个备案)"
                ),
                "apps": gettext_lazy("APP备案必填;包名、公钥、签名须相互一致"),
                "subject.certificate_number": gettext_lazy(
                    "统一社会信用代码或身份证号码的校验位须正确;主体须向其住所所在省份的管局备案"
                ),
                **PRINCIPAL_RULES,
                "apps.platforms": gettext_lazy("包名格式随平台而定;签名须为公钥的 MD5 或 SHA-1"),
                "apps.mini_platform": gettext_lazy(
                    "小程序、快应用须为已登记的平台代码,appid 须符合该平台的格式"
                ),
            }
        ),
    )
    def post(self, request):
        if not request.user.has_perm("accounts.work_on_own_filings"):
            raise TransitionNotPermitted(_("只有服务负责人可以创建备案。"))
        data = FilingCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        kind = kind_of(values["filing_type"])
        if kind.made_of_apps:
            filing = apps.create_app_filing(
                by=request.user,
                subject_id=values.get("subject_id"),
                province_id=values["province"].pk if values.get("province") else None,
                subject=values.get("subject"),
                subject_principal=values["subject_principal"],
                apps=values["apps"],
            )
            detail = selectors.filing_detail(request.user, filing.pk)
            return Response(
                FilingDetailSerializer(detail, context={"request": request}).data,
                status=status.HTTP_201_CREATED,
            )
        if kind.numbers == Numbers.EXISTING:
            websites = [dict(w) for w in values["websites"]]
            filing = access.create_access_filing(
                by=request.user,
                province_id=values["province"].pk,
                subject=values["subject"],
                subject_principal=values["subject_principal"],
                websites=websites,
                icp_number=values["existing_icp_number"],
                website_numbers=[w.pop("icp_number", "") for w in websites],
                psb_number=values.get("existing_psb_number", ""),
            )
            detail = selectors.filing_detail(request.user, filing.pk)
            return Response(
                FilingDetailSerializer(detail, context={"request": request}).data,
                status=status.HTTP_201_CREATED,
            )
        filing = drafts.create_filing(
            by=request.user,
            province_id=values["province"].pk,
            filing_type=values["filing_type"],
            subject=values["subject"],
            subject_principal=values["subject_principal"],
            websites=values["websites"],
        )
        detail = selectors.filing_detail(request.user, filing.pk)
        return Response(
            FilingDetailSerializer(detail, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class FilingDetail(APIView):
    parser_classes = [JSONParser]

    @extend_schema(responses=FilingDetailSerializer)
    def get(self, request, pk: int):
        filing = selectors.filing_detail(request.user, pk)
        return Response(FilingDetailSerializer(filing, context={"request": request}).data)

    @extend_schema(
        request=FilingUpdateInput,
        responses=FilingDetailSerializer,
        description=rules_beyond_schema(
            {
                "subject.certificate_number": gettext_lazy("证件号码的校验位须正确,且与备案的省份一致"),
                "websites": gettext_lazy("域名、网站名称等须符合备案规则"),
                "apps": gettext_lazy("只用于APP备案;包名、公钥、签名须相互一致"),
                "apps.mini_platform": gettext_lazy(
                    "小程序、快应用须为已登记的平台代码,appid 须符合该平台的格式"
                ),
                **PRINCIPAL_RULES,
                "apps.platforms": gettext_lazy("包名格式随平台而定;签名须为公钥的 MD5 或 SHA-1"),
            },
            summary=gettext_lazy("修改草稿(信息填报阶段);version 须为读取时的版本号,否则答 409"),
        ),
    )
    def patch(self, request, pk: int):
        filing = selectors.filing_detail(request.user, pk)
        data = FilingUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if filing.kind.holds_apps(filing):
            apps.update_app_filing(
                filing,
                by=request.user,
                expected_version=values["version"],
                subject_principal=values.get("subject_principal"),
                apps=values.get("apps"),
                subject=values.get("subject"),
            )
        else:
            values.pop("apps", None)
            drafts.update_filing(filing, by=request.user, expected_version=values.pop("version"), **values)
        filing = selectors.filing_detail(request.user, pk)
        return Response(FilingDetailSerializer(filing, context={"request": request}).data)


class FilingTransition(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        request=TransitionInput,
        responses=FilingDetailSerializer,
        description=rules_beyond_schema(
            {
                "reasons": gettext_lazy("return_to_entry(退回)和 reject(驳回)须至少一条原因"),
                "verifier_id": gettext_lazy("complete_sms 必填,须为本轮短信核验的核验人"),
                "icp_number": gettext_lazy("approve 必填(变更、注销除外),格式如 粤ICP备2023012345号"),
                "website_numbers": gettext_lazy("approve:每个网站的备案号,如 粤ICP备2023012345号-1"),
                "app_numbers": gettext_lazy("approve:每个APP的备案号,如 粤ICP备2023012345号-1A"),
                "psb_number": gettext_lazy("register_public_security 必填,如 京公网安备11010502030143号"),
            },
            summary=gettext_lazy(
                "按名称执行状态转换;能否执行取决于备案当前阶段和用户角色(否则答 403 或 409)"
            ),
        ),
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=REQUESTED_TRANSITIONS)],
    )
    def post(self, request, pk: int, name: str):
        if name not in REQUESTED_TRANSITIONS:
            raise NotFound(_("没有名为“%(name)s”的操作。") % {"name": name})
        filing = selectors.filing_detail(request.user, pk)
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        dispatch.perform_transition(filing, name, by=request.user, **data.validated_data)
        filing = selectors.filing_detail(request.user, pk)
        return Response(FilingDetailSerializer(filing, context={"request": request}).data)


class FilingClaim(APIView):
    @extend_schema(request=None, responses=FilingDetailSerializer)
    def post(self, request, pk: int):
        filing = selectors.filing_detail(request.user, pk)
        transitions.claim_filing(filing, by=request.user)
        filing = selectors.filing_detail(request.user, pk)
        return Response(FilingDetailSerializer(filing, context={"request": request}).data)


class FilingChangeOpen(APIView):
    @extend_schema(
        request=None,
        responses={201: FilingDetailSerializer},
        description=rules_beyond_schema(
            {"target": gettext_lazy("同一主体同时只能有一个进行中的变更或注销")},
            summary=gettext_lazy("为已公示备案办理变更:生成一份草稿,用 PATCH 修改"),
        ),
    )
    def post(self, request, pk: int):
        """Open a change (变更备案) of a published filing: a draft copy to edit with PATCH."""
        target = selectors.filing_detail(request.user, pk)
        change = changes.open_change(target, by=request.user)
        detail = selectors.filing_detail(request.user, change.pk)
        return Response(
            FilingDetailSerializer(detail, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class FilingCancellationOpen(APIView):
    @extend_schema(
        request=CancellationInput,
        responses={201: FilingDetailSerializer},
        description=rules_beyond_schema(
            {
                "website_id": gettext_lazy("注销网站、取消接入须指明本备案的网站"),
                "app_id": gettext_lazy("注销APP须指明本备案的APP"),
                "scope": gettext_lazy("须是该备案可办理的注销或取消接入"),
                "confirm": gettext_lazy("须为 true"),
                "last_item": gettext_lazy(
                    "注销主体最后一个网站或APP时必填:cancel_subject(改为注销主体)或 keep_subject(保留主体)"
                ),
                "target": gettext_lazy("同一主体同时只能有一个进行中的变更或注销"),
            },
            summary=gettext_lazy("为已公示备案办理注销(网站、APP、主体)或取消接入"),
        ),
    )
    def post(self, request, pk: int):
        """Open a cancellation (注销网站/APP/主体) or a cancel access (取消接入) of a published filing."""
        target = selectors.filing_detail(request.user, pk)
        data = CancellationInput(data=request.data)
        data.is_valid(raise_exception=True)
        filing = cancellations.open_cancellation(target, by=request.user, **data.validated_data)
        detail = selectors.filing_detail(request.user, filing.pk)
        return Response(
            FilingDetailSerializer(detail, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class FilingFaceCheck(APIView):
    @extend_schema(
        request=FaceCheckInput,
        responses=FilingDetailSerializer,
        description=rules_beyond_schema(
            {
                "reason": gettext_lazy("核验未通过(failed)时必填"),
                "person_id": gettext_lazy("须为本备案需要核验的负责人(主体负责人、网站或APP负责人)"),
            },
            summary=gettext_lazy("记录真实性核验结果:通过,或未通过并说明原因(退回信息填报)"),
        ),
    )
    def post(self, request, pk: int):
        """Record the authenticity check (真实性核验): with `person_id`, one principal's face check
        during entry (each must pass before submission); without, the province's further step after
        the SMS (failed: back to entry)."""
        filing = selectors.filing_detail(request.user, pk)
        data = FaceCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        record = authenticity.record_face_check
        if data.validated_data.get("person_id"):
            record = partial(authenticity.record_entry_face_check, person_id=data.validated_data["person_id"])
        record(
            filing,
            by=request.user,
            passed=data.validated_data["outcome"] == "passed",
            reason=data.validated_data["reason"],
        )
        filing = selectors.filing_detail(request.user, pk)
        return Response(FilingDetailSerializer(filing, context={"request": request}).data)


class FilingServiceAnswer(APIView):
    @extend_schema(request=ServiceAnswerInput, responses=FilingDetailSerializer)
    def post(self, request, pk: int):
        """Answer whether a website or app provides a regulated service its name or description
        mentions (the checklist's prior_approval_question): "yes" needs the approval to submit."""
        filing = selectors.filing_detail(request.user, pk)
        data = ServiceAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        content.answer_service_question(
            filing,
            by=request.user,
            expected_version=values["version"],
            section=values["section"],
            item_id=values["item_id"],
            category=values["category"],
            provides=values["provides"],
        )
        filing = selectors.filing_detail(request.user, pk)
        return Response(FilingDetailSerializer(filing, context={"request": request}).data)
