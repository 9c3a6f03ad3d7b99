from django.urls import path

from filings.web.views import (
    apps,
    authenticity,
    bureau_imports,
    cancellations,
    changes,
    checklist,
    compliance,
    content,
    dashboard,
    exports,
    filing_detail,
    filing_entry,
    filing_list,
    materials,
    packages,
    review,
    sms,
)

app_name = "filings"

urlpatterns = [
    path("", filing_list.filing_list, name="list"),
    path("new/", filing_entry.filing_create, name="create"),
    path("new/app/", apps.app_create_first, name="app-create-first"),
    path("new/app/<int:subject_id>/", apps.app_create, name="app-create"),
    path("<int:filing_id>/", filing_detail.filing_detail, name="detail"),
    path("<int:filing_id>/app/", apps.app_edit, name="app-edit"),
    path("<int:filing_id>/change/", changes.change_open, name="change-open"),
    path("<int:filing_id>/cancel/", cancellations.cancellation_open, name="cancel-open"),
    path("<int:filing_id>/face-check/", authenticity.face_check, name="face-check"),
    path("<int:filing_id>/edit/", filing_entry.filing_edit, name="edit"),
    path("<int:filing_id>/materials/", materials.filing_materials, name="materials"),
    path("<int:filing_id>/checklist/", checklist.filing_checklist, name="checklist"),
    path("<int:filing_id>/service-answer/", content.service_answer, name="service-answer"),
    path("<int:filing_id>/submit/", checklist.filing_submit, name="submit-filing"),
    path("<int:filing_id>/withdraw/", filing_detail.filing_withdraw, name="withdraw-filing"),
    path("<int:filing_id>/sms/", sms.filing_sms, name="sms"),
    path("<int:filing_id>/public-security/", filing_detail.filing_public_security, name="public-security"),
    path(
        "<int:filing_id>/public-security/correct/",
        filing_detail.filing_public_security_correct,
        name="public-security-correct",
    ),
    path("<int:filing_id>/went-live/", filing_detail.filing_went_live, name="went-live"),
    path(
        "<int:filing_id>/materials/<int:material_id>/", materials.material_download, name="material-download"
    ),
    # Bureau-ready packages of a filing's materials, built by a worker.
    path("<int:filing_id>/packages/", packages.filing_packages, name="packages"),
    path("packages/<int:package_id>/download/", packages.package_download, name="package-download"),
    # Reviewer console.
    path("review/", review.queue_index, name="review-index"),
    path("review/queues/<slug:queue>/", review.queue, name="review-queue"),
    path("review/<int:filing_id>/", review.filing, name="review-filing"),
    path("review/<int:filing_id>/claim/", review.claim, name="review-claim"),
    path("review/<int:filing_id>/pass/", review.pass_review, name="review-pass"),
    path("review/<int:filing_id>/return/", review.return_filing, name="review-return"),
    path("review/<int:filing_id>/finish-access/", review.finish_access, name="review-finish-access"),
    path("review/<int:filing_id>/sms-verified/", review.sms_verified, name="review-sms-verified"),
    path("review/<int:filing_id>/sms-failed/", review.sms_failed, name="review-sms-failed"),
    path("review/<int:filing_id>/approve/", review.approve, name="review-approve"),
    path("review/<int:filing_id>/reject/", review.reject, name="review-reject"),
    path("review/<int:filing_id>/public-security/", review.register_psb, name="review-psb"),
    path("review/<int:filing_id>/public-security/correct/", review.correct_psb, name="review-psb-correct"),
    path("review/<int:filing_id>/footer-check/", review.footer_check, name="review-footer-check"),
    # Bureau decisions imported from a result file.
    path("review/bureau-imports/", bureau_imports.import_list, name="bureau-imports"),
    path("review/bureau-imports/<int:import_id>/", bureau_imports.import_detail, name="bureau-import"),
    path(
        "review/bureau-imports/<int:import_id>/apply/",
        bureau_imports.import_apply,
        name="bureau-import-apply",
    ),
    path("review/<int:filing_id>/calls/", compliance.record_call, name="review-call"),
    path("<int:filing_id>/contacts-confirmed/", compliance.confirm_contacts, name="contacts-confirmed"),
    path("compliance/", compliance.rectification_list, name="compliance"),
    # Manager dashboard.
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/deadlines/<slug:kind>/", dashboard.deadline_list, name="dashboard-deadlines"),
    path("dashboard/open/", dashboard.open_filings, name="dashboard-open"),
    # Excel exports made by a worker.
    path("exports/", exports.export_list, name="exports"),
    path("exports/<int:job_id>/", exports.export_detail, name="export"),
    path("exports/<int:job_id>/download/", exports.export_download, name="export-download"),
]
