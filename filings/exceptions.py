"""The application's errors; views and the API turn them into messages and 4xx answers."""

from django.utils.translation import gettext_lazy as _


class BeianError(Exception):
    """A request Beian refuses, with a message for the user."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, details: list | dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code
        self.details = details


class TransitionNotPossible(BeianError):
    """The filing is not in a state from which this transition can be made."""

    status_code = 409
    default_code = "transition_not_possible"


class TransitionNotPermitted(BeianError):
    """The acting user may not make this transition."""

    status_code = 403
    default_code = "transition_not_permitted"


class ChecksFailed(BeianError):
    """Pre-conditions of the transition fail; details lists each failing check."""

    status_code = 400
    default_code = "checks_failed"


class ConflictError(BeianError):
    """Someone else changed the filing first."""

    status_code = 409
    default_code = "conflict"

    def __init__(self, message: str | None = None, **kwargs):
        super().__init__(message or _("该备案刚刚已被他人修改,请刷新后重试。"), **kwargs)


class InvalidInput(BeianError):
    """Input failed validation; details maps fields to messages."""

    status_code = 400
    default_code = "invalid"


class NotApplicable(BeianError):
    """What was asked does not apply to the filing in its current stage."""

    status_code = 409
    default_code = "not_applicable"
