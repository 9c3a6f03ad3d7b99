"""API for bureau packages: build one for a filing (a worker's job; read the package again for its status),
read a package with its items and checksums, and download its zip. Reviewers only."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from filings.api.downloads import stored_file_download
from filings.api.materials import STORAGE_UNAVAILABLE
from filings.models import BureauPackage
from filings.reads import packages, selectors
from filings.services import packages as package_service


class PackageItemSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    material_id = serializers.IntegerField()
    material_version = serializers.IntegerField()
    sha256 = serializers.CharField()
    bytes = serializers.IntegerField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    dpi = serializers.IntegerField(allow_null=True)


class PackageSerializer(serializers.ModelSerializer):
    items = PackageItemSerializer(many=True, read_only=True)
    problems = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = BureauPackage
        fields = [
            "id",
            "filing",
            "province_code",
            "status",
            "filename",
            "size",
            "sha256",
            "items",
            "problems",
            "created_at",
            "finished_at",
        ]


class FilingPackages(APIView):
    @extend_schema(
        request=None,
        responses={202: PackageSerializer},
        description=_(
            "为提交初审后(服务商初审、短信核验、管局审核、已公示)的备案生成管局材料包:按该省管局的命名、"
            "顺序、格式和大小限制转换全部现行材料,附封面 PDF(备案信息和每个文件的 SHA-256)。由后台任务生成,"
            "状态见材料包详情。检查清单有未通过项时返回 400,errors 列出每一项。仅初审员可用。"
        ),
    )
    def post(self, request, pk: int):
        filing = selectors.filing_detail(request.user, pk)
        package = package_service.request_package(filing, by=request.user)
        return Response(PackageSerializer(package).data, status=status.HTTP_202_ACCEPTED)


class PackageDetail(APIView):
    @extend_schema(
        responses=PackageSerializer,
        description=_(
            "材料包的状态;完成后列出每个文件的名称、尺寸、dpi 和 SHA-256,未能生成时 problems 说明原因。"
        ),
    )
    def get(self, request, pk: int):
        return Response(PackageSerializer(packages.package_for(request.user, pk)).data)


class PackageFile(APIView):
    @extend_schema(
        responses={(200, "application/zip"): bytes, 503: STORAGE_UNAVAILABLE},
        description=_("下载已完成的材料包(zip)。仅初审员可用。"),
    )
    def get(self, request, pk: int):
        package = packages.package_for(request.user, pk, done=True)
        return stored_file_download(package.file, content_type="application/zip", filename=package.filename)
