"""Rules of the authenticity check (真实性核验): whether a filing's province asks for it, and whether
the current round's check lets the filing go on to the bureau."""

from datetime import datetime, timedelta

from filings.models import AuthenticityCheck, Filing


def face_check_hours(filing: Filing) -> int | None:
    """Return how long the province gives for the face check, or None when it asks for none."""
    return filing.province.face_check_hours or None


def new_check(filing: Filing, *, now: datetime) -> AuthenticityCheck | None:
    """Return the (unsaved) face check a filing entering SMS verification needs, if any."""
    hours = face_check_hours(filing)
    if hours is None:
        return None
    return AuthenticityCheck(
        filing=filing,
        stage_visit=filing.stage_visit,
        person=filing.subject_principal,
        in_own_app=filing.province.face_check_in_own_app,
        started_at=now,
        expires_at=now + timedelta(hours=hours),
    )


def current_check(filing: Filing) -> AuthenticityCheck | None:
    return AuthenticityCheck.objects.filter(filing=filing, stage_visit=filing.stage_visit).first()


def allows_bureau(filing: Filing) -> bool:
    """Return whether the round's face check (if the province asks for one) has been passed."""
    check = current_check(filing)
    return check is None or check.outcome == AuthenticityCheck.Outcome.PASSED
