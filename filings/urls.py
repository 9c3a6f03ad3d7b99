from django.urls import path

from filings import views

app_name = "filings"

urlpatterns = [
    path("", views.filing_list, name="list"),
    path("<int:filing_id>/materials/<int:material_id>/", views.material_download, name="material-download"),
]
