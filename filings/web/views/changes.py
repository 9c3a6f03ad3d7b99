"""Pages of changes (变更备案): open one from a published filing; its diff is shown on its pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filings.exceptions import BeianError
from filings.reads import selectors
from filings.services import changes
from filings.web.views.common import refused
from filings.web.views.filing_detail import detail_context


@login_required
@require_POST
def change_open(request, filing_id: int):
    """Open a change of a published filing and go to its entry form."""
    target = selectors.filing_detail(request.user, filing_id)
    try:
        change = changes.open_change(target, by=request.user)
    except BeianError as error:
        return refused(request, error, "filings/filing_detail.html", detail_context(request, target))
    messages.success(request, _("已开始变更备案:修改需要变更的信息后保存,公示信息在审核通过前保持不变。"))
    return redirect("filings:edit", change.pk)
