"""API for bureau result imports: upload a result file (its preview comes back), read an import's
rows, and apply it (a worker's job; read the import again for its progress). Reviewers only."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from filings.api.schema import rules_beyond_schema
from filings.models import BureauImport, BureauImportRow
from filings.reads import bureau_imports
from filings.services import bureau_import


class ResultFileInput(serializers.Serializer):
    file = serializers.FileField(help_text=_("CSV(UTF-8 或 GBK 编码)或 Excel(.xlsx),不超过 10 MB"))


class ImportRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = BureauImportRow
        fields = [
            "line",
            "filing",
            "action",
            "reference",
            "certificate_number",
            "domain",
            "icp_number",
            "reasons",
            "decided_on",
            "status",
            "message",
        ]


class ImportSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    counts = serializers.SerializerMethodField()
    rows = serializers.SerializerMethodField()

    class Meta:
        model = BureauImport
        fields = [
            "id",
            "filename",
            "status",
            "rows_total",
            "rows_done",
            "percent",
            "error",
            "created_at",
            "finished_at",
            "counts",
            "rows",
        ]

    def get_counts(self, upload) -> dict[str, int]:
        return bureau_imports.row_counts(upload)

    @extend_schema_field(ImportRowSerializer(many=True))
    def get_rows(self, upload) -> list:
        return ImportRowSerializer(bureau_imports.import_rows(upload), many=True).data


UPLOAD_RULES = {
    "file": _(
        "须为可读取的 CSV(UTF-8 或 GBK)或 .xlsx 文件,不超过 10 MB;表头须有“审核结果”“审核日期”,"
        "以及“备案编号”或“证件号码”与“网站域名”,不得有无法识别的列;至少一行结果"
    ),
}


class BureauImports(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ResultFileInput},
        responses={201: ImportSerializer},
        description=rules_beyond_schema(
            UPLOAD_RULES,
            summary=_(
                "上传管局审核结果文件,返回预览:每行匹配的备案、将做什么(status 为 ready),或不能导入的原因"
                "(公式、重复行、备案号与省份不符、备案不在管局审核中等)。仅初审员可用。"
            ),
        ),
    )
    def post(self, request):
        data = ResultFileInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > bureau_import.MAX_FILE_BYTES:
            bureau_import.refuse_too_large()
        result = bureau_import.upload_results(by=request.user, name=upload.name, data=upload.read())
        return Response(ImportSerializer(result).data, status=status.HTTP_201_CREATED)


def _import(pk: int) -> BureauImport:
    try:
        return BureauImport.objects.get(pk=pk)
    except BureauImport.DoesNotExist as error:
        raise NotFound(_("找不到该导入。")) from error


class BureauImportDetail(APIView):
    @extend_schema(
        responses=ImportSerializer,
        description=_("导入的状态、进度和各行(失败和不能导入的行在前,最多 500 行)。初审员和管理者可用。"),
    )
    def get(self, request, pk: int):
        bureau_import.refuse_unless_staff(request.user)
        return Response(ImportSerializer(_import(pk)).data)


class BureauImportApply(APIView):
    @extend_schema(
        request=None,
        responses={202: ImportSerializer},
        description=_(
            "由后台任务导入尚未导入的行(每行与手工录入的审核结果经过同一流程);已导入的行不会重复导入,"
            "中断后可再次调用;没有可导入的行时答 409。进度见导入详情。仅初审员可用。"
        ),
    )
    def post(self, request, pk: int):
        upload = bureau_import.request_apply(_import(pk), by=request.user)
        return Response(ImportSerializer(upload).data, status=status.HTTP_202_ACCEPTED)
