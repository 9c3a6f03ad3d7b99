"""Where filed domains' expiry dates come from: a registrar adapter (a registrar's API, or a file it
exported) read into dates, then applied to the filed domains all or nothing."""

import csv
import io
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from filings.models import Domain


@dataclass
class ExpiryReading:
    """What an adapter read: each domain's expiry date (IDNA-normalised Unicode names), or why not."""

    dates: dict[str, date] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    updated: int = 0
    unknown: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class RegistrarAdapter(ABC):
    """A source of domains' expiry dates. A registrar's API gets its own subclass (named by
    BEIAN_REGISTRAR_ADAPTER for the daily import); a file a registrar exported is read by
    CsvFileRegistrar."""

    @abstractmethod
    def read(self) -> ExpiryReading:
        """Return the expiry dates the registrar knows, or the errors that stop reading them."""


def normalised_name(name: str) -> str:
    """Return a domain as stored: lower case, no final dot, xn-- labels in Unicode (UnicodeError if invalid)."""
    return name.strip().lower().rstrip(".").encode("idna").decode("idna")


class CsvFileRegistrar(RegistrarAdapter):
    """A registrar's CSV export: domain,expires_on as YYYY-MM-DD, a header row allowed."""

    def __init__(self, text: str):
        self.text = text

    @classmethod
    def from_path(cls, path: str) -> "CsvFileRegistrar":
        with open(path, encoding="utf-8-sig") as handle:
            return cls(handle.read())

    def read(self) -> ExpiryReading:
        reading = ExpiryReading()
        for number, row in enumerate(csv.reader(io.StringIO(self.text)), start=1):
            if not row or not "".join(row).strip():
                continue
            if len(row) < 2:
                reading.errors.append(_("第 %(n)s 行应有两列:域名,到期日。") % {"n": number})
                continue
            raw_day = row[1].strip()
            try:
                day = date.fromisoformat(raw_day)
            except ValueError:
                if number == 1:
                    continue  # the header
                reading.errors.append(
                    _("第 %(n)s 行的到期日“%(day)s”不是 YYYY-MM-DD 格式。") % {"n": number, "day": raw_day}
                )
                continue
            try:
                name = normalised_name(row[0])
            except UnicodeError:
                reading.errors.append(_("第 %(n)s 行的域名“%(name)s”无效。") % {"n": number, "name": row[0]})
                continue
            reading.dates[name] = day
        return reading


def import_expiry(adapter: RegistrarAdapter) -> ImportResult:
    """Read the adapter and set the filed domains' expiry dates; any error saves nothing."""
    reading = adapter.read()
    result = ImportResult(errors=list(reading.errors))
    if result.errors:
        return result
    with transaction.atomic():
        for name, day in reading.dates.items():
            count = Domain.objects.filter(name=name).update(expires_on=day)
            if count:
                result.updated += count
            else:
                result.unknown.append(name)
    return result


def configured_adapter() -> RegistrarAdapter | None:
    """Return the registrar adapter the settings name for the daily import, if any."""
    path = settings.BEIAN_REGISTRAR_ADAPTER
    return import_string(path)() if path else None
