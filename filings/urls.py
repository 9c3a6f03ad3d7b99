from django.urls import path

from filings.views import principal

app_name = "filings"

urlpatterns = [
    path("", principal.filing_list, name="list"),
    path(
        "<int:filing_id>/materials/<int:material_id>/", principal.material_download, name="material-download"
    ),
]
