"""The application's errors; views and the API turn them into messages and 4xx answers."""

from collections.abc import Iterator
from contextlib import contextmanager

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


class OpenFilingExists(InvalidInput):
    """A second open filing of one subject was refused; `open_filing` is the one under way, given
    only when the acting user may see it (so that a page can link to it)."""

    def __init__(self, message: str, *, open_filing=None, **kwargs):
        super().__init__(message, **kwargs)
        self.open_filing = open_filing


class Problems:
    """The InvalidInput errors of the independent parts of one input (each website, domain, app,
    platform…), gathered so that the whole input is judged and every problem is told at once."""

    def __init__(self) -> None:
        self.errors: list[InvalidInput] = []

    @contextmanager
    def part(self) -> Iterator[None]:
        """Run one part's checks; an InvalidInput it raises is kept and the next part is judged."""
        try:
            yield
        except InvalidInput as error:
            self.errors.append(error)

    def raise_any(self) -> None:
        """Raise the one problem found as it was, or every problem's details in one InvalidInput."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            details: dict[str, list] = {}
            for error in self.errors:
                for key, messages in (error.details if isinstance(error.details, dict) else {}).items():
                    told = details.setdefault(key, [])
                    told += [
                        m for m in (messages if isinstance(messages, list) else [messages]) if m not in told
                    ]
            if len(details) == 1:  # one field told its problem more than one way: the first says it
                raise InvalidInput(self.errors[0].message, details=details)
            raise InvalidInput(
                _("有 %(n)s 处填写有误,请检查标出的字段。") % {"n": len(details)}, details=details
            )


class NotApplicable(BeianError):
    """What was asked does not apply to the filing in its current stage."""

    status_code = 409
    default_code = "not_applicable"


class StorageUnavailable(BeianError):
    """The file storage (local disk or the object store) could not be reached; nothing was saved."""

    status_code = 503
    default_code = "storage_unavailable"

    def __init__(self, message: str | None = None, **kwargs):
        super().__init__(message or _("存储服务暂时不可用,文件未保存,请稍后重试。"), **kwargs)
