"""What a pre-submission check says: one result (status, message, field to fix) and the checklist of them."""

from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PASS, WARNING, FAIL = "pass", "warning", "fail"


@dataclass
class CheckResult:
    code: str
    status: str
    message: str
    field: str = ""
    object_id: int | None = None
    fix: str = ""

    def as_json(self) -> dict:
        return asdict(self)

    @property
    def status_label(self) -> str:
        """Return the status as the pages name it (通过, 提示, 未通过), in the reader's language."""
        return {PASS: _("通过"), WARNING: _("提示")}.get(self.status, _("未通过"))


@dataclass
class Checklist:
    results: list[CheckResult] = field(default_factory=list)

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == FAIL]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == WARNING]

    @property
    def passed(self) -> bool:
        return not self.failures

    def add(
        self,
        code: str,
        ok: bool,
        message: str,
        *,
        field: str = "",
        object_id: int | None = None,
        fix: str = "",
        warn: bool = False,
        passed_message: str = "",
    ) -> None:
        status = PASS if ok else (WARNING if warn else FAIL)
        self.results.append(
            CheckResult(
                code,
                status,
                passed_message if ok and passed_message else message,
                field,
                object_id,
                "" if ok else fix,
            )
        )


def validator_message(validator, value: str) -> str | None:
    try:
        validator(value)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def add_validated(
    checklist: Checklist, code: str, validator, value: str, *, lead: str, **result: Any
) -> str | None:
    """Add a check that the value passes the validator, saying its problem after the lead; return the problem."""
    problem = validator_message(validator, value)
    checklist.add(code, problem is None, lead + (problem or ""), **result)
    return problem
