"""Bureau packages a reviewer sees: a filing's recent ones, and one finished package to download."""

from typing import Any

from django.db.models import Exists, OuterRef
from django.http import Http404

from accounts.roles import Perm
from filings.kinds.states import PACKAGE_STATES
from filings.models import BureauPackage, Filing

RECENT_PACKAGES = 5


def has_packages_annotation() -> Exists:
    """Return the filing statement's column that says whether the filing has a package
    (`has_packages`): most have none, and package_panel then asks for none."""
    return Exists(BureauPackage.objects.filter(filing=OuterRef("pk")))


def package_panel(user: Any, filing: Filing) -> dict | None:
    """Return what a filing's page shows of its packages (None for users who may not have them)."""
    if not user.has_perm(Perm.REVIEW):
        return None
    return {
        "can_build": filing.state in PACKAGE_STATES,
        "packages": list(
            BureauPackage.objects.filter(filing=filing)
            .select_related("requested_by")
            .order_by("-created_at", "-id")[:RECENT_PACKAGES]
        )
        if getattr(filing, "has_packages", True)
        else [],
    }


def package_for(user: Any, package_id: int, *, done: bool = False) -> BureauPackage:
    """Return a package for a reviewer (a finished one when `done`); to anyone else it does not exist."""
    if not user.has_perm(Perm.REVIEW):
        raise Http404
    packages = BureauPackage.objects.select_related("filing", "filing__subject")
    if done:
        packages = packages.filter(status=BureauPackage.Status.DONE).exclude(file="")
    package = packages.filter(pk=package_id).first()
    if package is None:
        raise Http404
    return package
