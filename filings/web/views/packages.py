"""Bureau packages on the staff pages: a filing's packages (and the one click that builds one), and the
private download, which only reviewers may fetch."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import Perm
from filings.exceptions import BeianError
from filings.reads import packages, selectors
from filings.services import packages as package_service
from filings.web.views.files import stored_file_response

ZIP_CONTENT_TYPE = "application/zip"


@login_required
@permission_required(Perm.REVIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def filing_packages(request, filing_id: int):
    """The filing's bureau packages (GET); build a new one (POST, from this page, the filing's page
    or its pre-review page)."""
    filing = selectors.filing_detail(request.user, filing_id)
    if request.method == "POST":
        try:
            package_service.request_package(filing, by=request.user)
        except BeianError as error:
            context = {
                "filing": filing,
                "panel": packages.package_panel(request.user, filing),
                "error": error,
                "error_lines": error.details if isinstance(error.details, list) else [],
            }
            return render(request, "packages/filing.html", context, status=error.status_code)
        messages.success(request, _("已开始生成管局材料包,完成后可在本页下载。"))
        return redirect("filings:packages", filing_id=filing.pk)
    panel = packages.package_panel(request.user, filing)
    return render(request, "packages/filing.html", {"filing": filing, "panel": panel})


@login_required
@require_GET
def package_download(request, package_id: int):
    """Serve a finished package to a reviewer; to anyone else it does not exist."""
    package = packages.package_for(request.user, package_id, done=True)
    return stored_file_response(
        request, package.file, content_type=ZIP_CONTENT_TYPE, filename=package.filename
    )
