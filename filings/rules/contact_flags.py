"""Numbers of a filing's responsible people that its province's data asks to flag: mobiles in a
virtual operator's range, and numbers issued in another province."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from filings.formats import phones
from filings.models import Person, Province
from filings.rules.privacy import mask_phone

VIRTUAL_OPERATOR = "virtual_operator"
NOT_LOCAL = "not_local"


@dataclass(frozen=True)
class NumberFlag:
    person: Person
    field: str  # "mobile" or "emergency_phone"
    number: str
    code: str
    message: str
    fix: str


def number_flags(province: Province, people: list[Person]) -> list[NumberFlag]:
    """Return what the province's data asks to flag in these people's numbers, in their order."""
    flags = []
    for person in people:
        numbers = [("mobile", person.mobile), ("emergency_phone", person.emergency_phone)]
        if province.flags_virtual_numbers and phones.is_virtual_operator(person.mobile):
            flags.append(
                NumberFlag(
                    person,
                    "mobile",
                    person.mobile,
                    VIRTUAL_OPERATOR,
                    _("%(name)s的手机号码 %(prefix)s 号段属于虚拟运营商,常收不到工信部的备案核验短信。")
                    % {"name": person.name, "prefix": person.mobile[:3]},
                    _("建议改用中国移动、中国联通、中国电信或中国广电的手机号码。"),
                )
            )
        if not province.wants_local_numbers:
            continue
        for field, number in numbers:
            if number and phones.issued_in(number, province.short_name) is False:
                flags.append(
                    NumberFlag(
                        person,
                        field,
                        number,
                        NOT_LOCAL,
                        _("%(name)s的号码 %(number)s 归属地为%(region)s,%(province)s管局要求本省号码。")
                        % {
                            "name": person.name,
                            "number": mask_phone(number),
                            "region": phones.home_region(number),
                            "province": _(province.short_name),
                        },
                        _("请改用在%(province)s办理的号码。") % {"province": _(province.short_name)},
                    )
                )
    return flags
