"""An uploaded material as the API shows it."""

from django.urls import reverse
from rest_framework import serializers

from filings.models import Material


class MaterialSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = [
            "id",
            "kind",
            "slot",
            "person",
            "website",
            "version",
            "content_type",
            "size",
            "width",
            "height",
            "dpi",
            "check_status",
            "check_results",
            "uploaded_at",
            "download_url",
        ]

    def get_download_url(self, material) -> str:
        return reverse("filings:material-download", args=[material.filing_id, material.pk])
