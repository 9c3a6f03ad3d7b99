"""Waiting times and terms the pre-checks enforce (domain real-name wait, server term), each one
definition held as data (DurationRule) and read by the check, its message and the catalogue."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_noop

from filings.models import DurationRule
from filings.models.wording import Said, said
from filings.rules import workdays

Code, Unit = DurationRule.Code, DurationRule.Unit

# Used until an admin has entered the rule. Providers ask for 3 working days after real-name
# verification (the bureau's copy is synced by then); the server must be bought for 3 months in
# total, renewals counted.
DEFAULTS = {
    Code.REAL_NAME_WAIT: (3, Unit.WORKDAYS),
    Code.SERVER_TERM: (3, Unit.MONTHS),
}


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str

    @property
    def text(self) -> str:
        """Return the duration as the checks and the catalogue print it, e.g. "3个工作日"."""
        return str(self.words)

    @property
    def words(self) -> Said:
        if self.unit == Unit.WORKDAYS:
            return said(gettext_noop("%(n)s个工作日"), n=self.amount)
        if self.unit == Unit.MONTHS:
            return said(gettext_noop("%(n)s个月"), n=self.amount)
        return said(gettext_noop("%(n)s天"), n=self.amount)

    def after(self, day: date) -> date:
        """Return the day on which this duration, counted from `day`, has passed."""
        if self.unit == Unit.WORKDAYS:
            return workdays.add_workdays(day, self.amount)
        if self.unit == Unit.MONTHS:
            return add_months(day, self.amount)
        return day + timedelta(days=self.amount)


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rule(code: str) -> Duration:
    row = DurationRule.objects.filter(code=code).values_list("amount", "unit").first()
    amount, unit = row or DEFAULTS[code]
    return Duration(amount, unit)


def rules() -> dict[str, Duration]:
    stored = {
        code: Duration(amount, unit)
        for code, amount, unit in DurationRule.objects.values_list("code", "amount", "unit")
    }
    return {code: stored.get(code) or Duration(*DEFAULTS[code]) for code in DEFAULTS}


def catalogue_words(text: str, durations: dict[str, Duration] | None = None) -> Said:
    """Return a catalogue text (the seeded ones are msgids) with the current rules as its parameters."""
    durations = durations or rules()
    return said(text, **{code: d.words for code, d in durations.items() if "{" + code + "}" in text})
