"""Where a user lands after logging in."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from accounts.roles import Perm

# Where each role works, first match wins: managers and admins watch the dashboard, reviewers work
# through the queues, principals follow their own filings.
LANDING_PAGES = ((Perm.DASHBOARD, "filings:dashboard"), (Perm.REVIEW, "filings:review-index"))


@login_required
def home(request):
    """Send the user to the page they work on."""
    for perm, page in LANDING_PAGES:
        if request.user.has_perm(perm):
            return redirect(page)
    return redirect("filings:list")
