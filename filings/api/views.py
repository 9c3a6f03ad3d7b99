"""API views: validate input, call one service or selector, answer."""

from functools import partial

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from filings import selectors
from filings.api.pagination import NewestFirstPagination
from filings.api.serializers import (
    APP_TYPES,
    CancellationInput,
    FaceCheckInput,
    FilingCreateInput,
    FilingDetailSerializer,
    FilingListSerializer,
    FilingUpdateInput,
    ProvinceSerializer,
    ServiceAnswerInput,
    TransitionInput,
)
from filings.exceptions import TransitionNotPermitted
from filings.models import Filing, Province
from filings.services import access, apps, authenticity, cancellations, changes, content, drafts, transitions
from filings.states import State


class ProvinceList(generics.ListAPIView):
    serializer_class = ProvinceSerializer
    queryset = Province.objects.all()
    pagination_class = None


class FilingListCreate(generics.ListAPIView):
    serializer_class = FilingListSerializer
    pagination_class = NewestFirstPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=State.values),
            OpenApiParameter("province", str, description=_("省份代码或简称,如 44 或 粤")),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("q", str, description=_("主体或网站名称")),
            OpenApiParameter("domain", str),
            OpenApiParameter("filing_type", str, enum=Filing.Type.values),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        for name, value in params.items():
            if "\x00" in value:
                raise ValidationError({name: [_("参数含有不可见的控制字符。")]})
        state = params.get("state")
        if state and state not in State.values:
            raise ValidationError({"state": [_("未知的阶段“%(state)s”。") % {"state": state}]})
        overdue = params.get("overdue")
        filing_type = params.get("filing_type")
        if filing_type and filing_type not in Filing.Type.values:
            raise ValidationError({"filing_type": [_("未知的备案类型“%(t)s”。") % {"t": filing_type}]})
        return selectors.filing_list(
            self.request.user,
            state=state,
            province=params.get("province"),
            overdue=None if overdue in (None, "") else overdue.lower() in ("1", "true", "yes"),
            query=params.get("q"),
            domain=params.get("domain"),
            filing_type=filing_type or None,
        )

    @extend_schema(request=FilingCreateInput, responses={201: FilingDetailSerializer})
    def post(self, request):
        if not request.user.has_perm("accounts.work_on_own_filings"):
            raise TransitionNotPermitted(_("只有服务负责人可以创建备案。"))
        data = FilingCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["filing_type"] in APP_TYPES:
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
        if values["filing_type"] == Filing.Type.NEW_ACCESS:
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
    @extend_schema(responses=FilingDetailSerializer)
    def get(self, request, pk: int):
        filing = selectors.filing_detail(request.user, pk)
        return Response(FilingDetailSerializer(filing, context={"request": request}).data)

    @extend_schema(request=FilingUpdateInput, responses=FilingDetailSerializer)
    def patch(self, request, pk: int):
        filing = selectors.filing_detail(request.user, pk)
        data = FilingUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if filing.filing_type in APP_TYPES:
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
    @extend_schema(
        request=TransitionInput,
        responses=FilingDetailSerializer,
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=selectors.USER_TRANSITIONS)],
    )
    def post(self, request, pk: int, name: str):
        if name not in selectors.USER_TRANSITIONS:
            raise NotFound(_("没有名为“%(name)s”的操作。") % {"name": name})
        filing = selectors.filing_detail(request.user, pk)
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = data.validated_data["comment"]
        if name == "approve" and filing.filing_type == Filing.Type.CHANGE:
            changes.approve_change(filing, by=request.user, comment=comment)
        elif name == "approve" and filing.filing_type == Filing.Type.CANCEL:
            cancellations.approve_cancellation(filing, by=request.user, comment=comment)
        elif name == "finish_at_provider":
            cancellations.finish_access_cancellation(filing, by=request.user, comment=comment)
        else:
            transitions.perform_transition(filing, name, by=request.user, **data.validated_data)
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
    @extend_schema(request=None, responses={201: FilingDetailSerializer})
    def post(self, request, pk: int):
        """Open a change (变更备案) of a published filing: a draft copy to edit with PATCH."""
        target = selectors.filing_detail(request.user, pk)
        change = changes.open_change(target, by=request.user)
        detail = selectors.filing_detail(request.user, change.pk)
        return Response(
            FilingDetailSerializer(detail, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class FilingCancellationOpen(APIView):
    @extend_schema(request=CancellationInput, responses={201: FilingDetailSerializer})
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
    @extend_schema(request=FaceCheckInput, responses=FilingDetailSerializer)
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
