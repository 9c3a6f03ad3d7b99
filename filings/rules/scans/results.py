"""What an upload check finds: the refusal of a file, each check's outcome, and their wording."""

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext

PASS = "pass"
WARNING = "warning"
FAIL = "fail"


class UploadRejected(Exception):
    """The file cannot be accepted at all (wrong type, too large, decompression bomb, unreadable)."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ScanCheck:
    """The outcome of one check, worded for the person who uploaded the file."""

    code: str
    status: str
    message: str
    advice: str
    # The untranslated texts and their parameters, stored with the result so that a page can say
    # them again in its own reader's language (say()).
    message_id: str = ""
    advice_id: str = ""
    params: dict = field(default_factory=dict)


def words(msgid: str, params: dict) -> str:
    """Return msgid in the active language, filled with params (their texts translated too)."""
    # A text parameter is translated and may itself name other parameters ("%(claimed)d dpi").
    shown = {
        key: (gettext(value) % params if "%(" in value else gettext(value))
        if isinstance(value, str)
        else value
        for key, value in params.items()
    }
    return gettext(msgid) % shown if shown else gettext(msgid)


def check(code: str, status: str, message_id: str, advice_id: str = "", **params) -> ScanCheck:
    """Return a check's outcome with its texts in the active language and their ids kept."""
    return ScanCheck(
        code,
        status,
        words(message_id, params),
        words(advice_id, params) if advice_id else "",
        message_id,
        advice_id,
        params,
    )


def say(result: dict, key: str) -> str:
    """Return a stored check's "message" or "advice" in the active language (older rows as stored)."""
    msgid = result.get(f"{key}_id") if isinstance(result, dict) else None
    if not msgid:
        return result.get(key, "") if isinstance(result, dict) else ""
    return words(msgid, result.get("params") or {})


@dataclass(frozen=True)
class ScanResult:
    """What an accepted upload is and how its checks came out."""

    content_type: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    dpi: int | None
    checks: list[ScanCheck]

    @property
    def status(self) -> str:
        statuses = {check.status for check in self.checks}
        if FAIL in statuses:
            return FAIL
        if WARNING in statuses:
            return WARNING
        return PASS

    def as_json(self) -> list[dict]:
        return [asdict(check) for check in self.checks]
