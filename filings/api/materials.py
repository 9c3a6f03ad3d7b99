"""API for a filing's materials: upload a new version (the page's checks), list every version with
its check results, and download a version (only for those who may see the filing)."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from filings.api.downloads import stored_file_download
from filings.api.schema import ErrorSerializer, rules_beyond_schema
from filings.api.serializers.materials import MaterialSerializer
from filings.models import Material
from filings.reads import selectors
from filings.services import materials

STORAGE_UNAVAILABLE = OpenApiResponse(ErrorSerializer, description=_("存储服务暂时不可用,请稍后重试"))
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


class MaterialUploadInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Material.Kind.choices)
    person_id = serializers.IntegerField(required=False, allow_null=True, help_text=_("证件所属负责人"))
    website_id = serializers.IntegerField(required=False, allow_null=True, help_text=_("前置审批所属网站"))
    file = serializers.FileField(help_text=_("JPG、PNG 或 PDF,不超过 10 MB"))


class ApiMaterialSerializer(MaterialSerializer):
    file_url = serializers.SerializerMethodField()

    class Meta(MaterialSerializer.Meta):
        fields = [*MaterialSerializer.Meta.fields, "original_name", "file_url"]

    def get_file_url(self, material) -> str:
        return f"/api/v1/filings/{material.filing_id}/materials/{material.pk}/file/"


def _slots(materials) -> list[dict]:
    """Group the versions by what they are for (kind and person or website), newest first."""
    groups: dict[tuple[str, str], list] = {}
    for material in sorted(materials, key=lambda m: (m.kind, m.slot, -m.version)):
        groups.setdefault((material.kind, material.slot), []).append(material)
    return [
        {
            "kind": kind,
            "kind_label": str(Material.Kind(kind).label),
            "slot": slot,
            "latest_status": versions[0].check_status,
            "versions": ApiMaterialSerializer(versions, many=True).data,
        }
        for (kind, slot), versions in groups.items()
    ]


class FilingMaterials(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        responses=inline_serializer(
            "MaterialSlot",
            {
                "kind": serializers.CharField(),
                "kind_label": serializers.CharField(),
                "slot": serializers.CharField(),
                "latest_status": serializers.CharField(),
                "versions": ApiMaterialSerializer(many=True),
            },
            many=True,
        )
    )
    def get(self, request, pk: int):
        filing = selectors.filing_detail(request.user, pk)
        return Response(_slots(filing.materials.all()))

    @extend_schema(
        request={"multipart/form-data": MaterialUploadInput},
        responses={201: ApiMaterialSerializer, 503: STORAGE_UNAVAILABLE},
        description=rules_beyond_schema(
            {
                "file": _("须为真实的 JPG、PNG 或 PDF 文件,不含主动内容,清晰度和尺寸符合要求"),
                "kind": _("须是该备案需要的材料"),
                "person_id": _("证件类材料须指明本备案的负责人"),
                "website_id": _("前置审批须指明本备案的网站"),
            }
        ),
    )
    def post(self, request, pk: int):
        filing = selectors.filing_detail(request.user, pk)
        data = MaterialUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        material = materials.upload_material(
            filing,
            by=request.user,
            kind=values["kind"],
            upload=values["file"],
            person_id=values.get("person_id"),
            website_id=values.get("website_id"),
        )
        return Response(ApiMaterialSerializer(material).data, status=status.HTTP_201_CREATED)


class FilingMaterialFile(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes, 503: STORAGE_UNAVAILABLE})
    def get(self, request, pk: int, material_id: int):
        filing = selectors.filing_detail(request.user, pk)
        material = next((m for m in filing.materials.all() if m.pk == material_id), None)
        if material is None:
            raise Http404
        return stored_file_download(
            material.file,
            content_type=material.content_type,
            filename=f"{material.kind}-v{material.version}.{EXTENSIONS.get(material.content_type, 'bin')}",
        )
