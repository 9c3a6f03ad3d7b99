"""The materials page (every material a filing needs, its versions and check results, and a new
upload) and serving an uploaded material to someone who may see its filing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import is_staff_role
from filings.exceptions import BeianError
from filings.kinds.states import EDITABLE_STATES
from filings.models import Material
from filings.models import transition_rules as permissions
from filings.reads import selectors
from filings.services import materials
from filings.web.forms.actions import MaterialUploadForm
from filings.web.views import display
from filings.web.views.files import stored_file_response


@login_required
@require_http_methods(["GET", "POST"])
def filing_materials(request, filing_id: int):
    """Every material the filing needs, each with its versions and check results; upload a new version."""
    filing = selectors.filing_detail(request.user, filing_id)
    status = 200
    form = MaterialUploadForm()
    if request.method == "POST":
        form = MaterialUploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                material = materials.upload_material(
                    filing,
                    by=request.user,
                    kind=data["kind"],
                    upload=data["file"],
                    person_id=data["person_id"],
                    website_id=data["website_id"],
                )
            except BeianError as error:
                messages.error(request, str(error.message))
                status = error.status_code
            else:
                _upload_message(request, material)
                anchor = display.MaterialSlot(material.kind, material.slot, "", False).anchor
                return redirect(reverse("filings:materials", args=[filing.pk]) + f"#{anchor}")
        else:
            status = 400  # the page shows the form's errors once, above the slots
    return render(
        request,
        "filings/materials.html",
        {
            "filing": filing,
            "slots": display.material_slots(filing),
            "form": form,
            "can_upload": filing.state in EDITABLE_STATES
            and permissions.can_edit_filing(request.user, filing),
            "optional_kinds": [
                (k, label)
                for k, label in Material.Kind.choices
                if k not in (Material.Kind.ID_FRONT, Material.Kind.ID_BACK)
            ],
        },
        status=status,
    )


def _upload_message(request, material: Material) -> None:
    params = {"kind": material.get_kind_display(), "v": material.version}
    if material.check_status == Material.CheckStatus.FAIL:
        messages.error(
            request,
            _("%(kind)s 第%(v)s版未通过检查:%(reasons)s")
            % {**params, "reasons": display.check_summary(material)},
        )
    elif material.check_status == Material.CheckStatus.WARNING:
        messages.warning(
            request,
            _("%(kind)s 第%(v)s版已上传,请留意:%(reasons)s")
            % {**params, "reasons": display.check_summary(material)},
        )
    else:
        messages.success(request, _("%(kind)s 第%(v)s版已上传,检查通过。") % params)


@login_required
@require_GET
@xframe_options_sameorigin  # the reviewer's page embeds PDFs in an <object>
def material_download(request, filing_id: int, material_id: int):
    """Serve an uploaded material to someone who may see its filing; nothing is public."""
    filing = selectors.filing_detail(request.user, filing_id)
    material = next((m for m in filing.materials.all() if m.pk == material_id), None)
    if material is None:
        raise Http404
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(
        material.content_type, "bin"
    )
    # Only staff view scans in the browser; anyone else saves them, so an upload never runs as a page.
    inline = extension != "bin" and is_staff_role(request.user)
    return stored_file_response(
        request,
        material.file,
        content_type=material.content_type if extension != "bin" else "application/octet-stream",
        as_attachment=not inline,
        filename=f"{material.kind}-v{material.version}.{extension}",
        headers={"Content-Security-Policy": "sandbox"},
    )
