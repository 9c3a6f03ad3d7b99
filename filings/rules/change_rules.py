"""What a change filing (变更备案) may not change: the subject's identity. A different certificate
number, certificate kind or subject kind is another subject, filed by cancelling and filing anew;
a new name is the same subject only on a licence that shows the same certificate number."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from filings.formats.certificates import normalise_certificate_number
from filings.models import Filing, Subject

# The subject's identity, in the order a refusal names them.
IDENTITY_FIELDS = ["certificate_number", "certificate_kind", "kind"]


@dataclass(frozen=True)
class IdentityChange:
    field: str
    message: str
    fix: str


def _comparable(name: str, value: object) -> object:
    return normalise_certificate_number(str(value or "")) if name == "certificate_number" else value


def identity_changes(published: Subject, values: dict) -> list[IdentityChange]:
    """Return each identity field `values` would change on the published subject, with why a change
    cannot do it and what to do instead."""
    found = []
    for name in IDENTITY_FIELDS:
        if name not in values:
            continue
        if _comparable(name, values[name]) == _comparable(name, getattr(published, name)):
            continue
        label = str(Subject._meta.get_field(name).verbose_name)
        found.append(
            IdentityChange(
                f"subject.{name}",
                _("变更备案不能修改%(label)s:%(label)s不同即是另一个主体。") % {"label": label},
                _("请先注销原主体的备案,再以新的%(label)s办理首次备案。") % {"label": label},
            )
        )
    return found


def published_subject_of(filing: Filing) -> Subject | None:
    """Return the published subject a change's draft copy stands for, or None for any other draft."""
    if filing.target_id is None or filing.subject_id == filing.target.subject_id:
        return None
    return filing.target.subject


def name_change_needs_licence(filing: Filing) -> bool:
    """Return whether a change renames its subject (then its new licence must show the same number)."""
    published = published_subject_of(filing)
    return published is not None and published.name != filing.subject.name
