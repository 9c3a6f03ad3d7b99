"""Who may make which transition: small predicates used by the state machine and the views."""

from typing import Any

from accounts.roles import Perm


def _user(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def is_system(instance: Any, user: Any) -> bool:
    """Only the scheduler (no user) may make this transition."""
    return user is None


def is_reviewer(instance: Any, user: Any) -> bool:
    user = _user(user)
    return bool(user and user.has_perm(Perm.REVIEW))


def is_assignee(instance: Any, user: Any) -> bool:
    user = _user(user)
    if not user:
        return False
    if user.is_superuser:
        return True
    return instance.assignee_id == user.pk and user.has_perm(Perm.WORK_ON_OWN)


def is_assignee_or_reviewer(instance: Any, user: Any) -> bool:
    return is_assignee(instance, user) or is_reviewer(instance, user)


# The verifier confirms the code on MIIT's site; the principal or a reviewer records it here.
is_verifier_or_reviewer = is_assignee_or_reviewer


def can_view_filing(user: Any, filing: Any) -> bool:
    user = _user(user)
    if not user:
        return False
    return user.has_perm(Perm.VIEW_ALL) or (filing.assignee_id == user.pk and user.has_perm(Perm.WORK_ON_OWN))


def can_edit_filing(user: Any, filing: Any) -> bool:
    return is_assignee(filing, user)


def sees_personal_data(user: Any, filing: Any) -> bool:
    """Return whether unmasked ID numbers and phones of this filing may be shown to the user."""
    user = _user(user)
    if not user:
        return False
    return user.has_perm(Perm.REVIEW) or filing.assignee_id == user.pk
