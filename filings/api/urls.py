from django.urls import path

from filings.api import (
    alerts,
    bureau_imports,
    compliance,
    contacts,
    materials,
    packages,
    public_security,
    risk,
    stats,
    views,
)

app_name = "api"

urlpatterns = [
    path("provinces/", views.ProvinceList.as_view(), name="province-list"),
    path("filings/", views.FilingListCreate.as_view(), name="filing-list"),
    path("filings/<int:pk>/", views.FilingDetail.as_view(), name="filing-detail"),
    path(
        "filings/<int:pk>/transitions/<str:name>/", views.FilingTransition.as_view(), name="filing-transition"
    ),
    path("filings/<int:pk>/claim/", views.FilingClaim.as_view(), name="filing-claim"),
    path("filings/<int:pk>/materials/", materials.FilingMaterials.as_view(), name="filing-materials"),
    path(
        "filings/<int:pk>/materials/<int:material_id>/file/",
        materials.FilingMaterialFile.as_view(),
        name="filing-material-file",
    ),
    path(
        "filings/<int:pk>/public-security/",
        public_security.FilingPublicSecurity.as_view(),
        name="filing-public-security",
    ),
    path("filings/<int:pk>/risk/", risk.FilingRisk.as_view(), name="filing-risk"),
    path("filings/<int:pk>/change/", views.FilingChangeOpen.as_view(), name="filing-change"),
    path("filings/<int:pk>/cancel/", views.FilingCancellationOpen.as_view(), name="filing-cancel"),
    path("filings/<int:pk>/face-check/", views.FilingFaceCheck.as_view(), name="filing-face-check"),
    path(
        "filings/<int:pk>/service-answers/", views.FilingServiceAnswer.as_view(), name="filing-service-answer"
    ),
    path("filings/<int:pk>/packages/", packages.FilingPackages.as_view(), name="filing-packages"),
    path("packages/<int:pk>/", packages.PackageDetail.as_view(), name="package-detail"),
    path("packages/<int:pk>/file/", packages.PackageFile.as_view(), name="package-file"),
    path("bureau-imports/", bureau_imports.BureauImports.as_view(), name="bureau-import-list"),
    path(
        "bureau-imports/<int:pk>/", bureau_imports.BureauImportDetail.as_view(), name="bureau-import-detail"
    ),
    path(
        "bureau-imports/<int:pk>/apply/",
        bureau_imports.BureauImportApply.as_view(),
        name="bureau-import-apply",
    ),
    path("alerts/", alerts.AlertList.as_view(), name="alert-list"),
    path("alerts/<int:pk>/", alerts.AlertDetail.as_view(), name="alert-detail"),
    path("alerts/<int:pk>/acknowledge/", alerts.AlertAcknowledge.as_view(), name="alert-acknowledge"),
    path("stats/counts/", stats.StageCounts.as_view(), name="stats-counts"),
    path("stats/durations/", stats.Durations.as_view(), name="stats-durations"),
    path("stats/flows/", stats.WeeklyFlows.as_view(), name="stats-flows"),
    path("stats/deadlines/<slug:kind>/", stats.DeadlineList.as_view(), name="stats-deadlines"),
    path("stats/expected-publication/", stats.ExpectedPublication.as_view(), name="stats-expected"),
    path("review/queues/<slug:queue>/", stats.ReviewQueue.as_view(), name="review-queue"),
    path("filings/<int:pk>/footer-check/", stats.FooterCheckRun.as_view(), name="filing-footer-check"),
    path("filings/<int:pk>/compliance/", compliance.FilingCompliance.as_view(), name="filing-compliance"),
    path("filings/<int:pk>/calls/", contacts.FilingCalls.as_view(), name="filing-calls"),
    path("sms/delivery-reports/", contacts.SmsDeliveryReports.as_view(), name="sms-delivery-reports"),
    path("compliance/rectifications/", compliance.RectificationList.as_view(), name="rectification-list"),
]
