"""The principals' rules: identity documents and age, phones and e-mails, and phones another subject uses."""

from datetime import date, timedelta

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from filings.formats.certificates import VALIDATORS as CERTIFICATE_VALIDATORS
from filings.formats.certificates import certificate_problem, resident_id_birth_date
from filings.formats.validators import validate_mobile
from filings.kinds.states import OPEN_STATES
from filings.models import Filing, Person, Website
from filings.rules import contact_flags, phone_probes
from filings.rules.checks.result import Checklist, add_validated
from filings.rules.checks.subject import same_subject_ids
from filings.rules.privacy import mask_phone

ID_MIN_REMAINING = timedelta(days=92)


def people_of(filing: Filing) -> list[tuple[str, Person]]:
    people = [("subject_principal", filing.subject_principal)]
    seen = {filing.subject_principal_id}
    for website in filing.websites.all():
        if website.principal_id not in seen:
            seen.add(website.principal_id)
            people.append(("website_principal", website.principal))
    for app in filing.apps.all():
        if app.principal_id not in seen:
            seen.add(app.principal_id)
            people.append(("app_principal", app.principal))
    return people


def id_number_warnings(filing: Filing) -> dict[str, list[str]]:
    """Return the resident ID numbers of a filing's people that fail their check, keyed by the path
    the entry form and the API use ("subject_principal.id_number", "websites.0.principal.id_number").
    A draft is saved with such a number; this is what the page and the API show beside it at once."""
    warnings: dict[str, list[str]] = {}

    def note(path: str, person: Person) -> None:
        if person.id_number:
            problem = certificate_problem(person.id_kind, person.id_number)
            if problem:
                warnings[path] = [problem]

    note("subject_principal.id_number", filing.subject_principal)
    for index, website in enumerate(filing.websites.all()):
        if website.principal_id != filing.subject_principal_id:
            note(f"websites.{index}.principal.id_number", website.principal)
    return warnings


def _add_number_flags(checklist: Checklist, filing: Filing, prefix: str, person: Person) -> None:
    """Warn (never refuse) of the numbers the province's data asks to flag."""
    province = filing.province
    flags = {(f.field, f.code): f for f in contact_flags.number_flags(province, [person])}
    if province.flags_virtual_numbers:
        flag = flags.get(("mobile", contact_flags.VIRTUAL_OPERATOR))
        checklist.add(
            "person_mobile_virtual_operator",
            flag is None,
            flag.message if flag else "",
            field=f"{prefix}.mobile",
            object_id=person.pk,
            fix=flag.fix if flag else "",
            warn=True,
            passed_message=_("%(name)s的手机号码不属于虚拟运营商号段。") % {"name": person.name},
        )
    if province.wants_local_numbers:
        for field in ("mobile", "emergency_phone"):
            flag = flags.get((field, contact_flags.NOT_LOCAL))
            if flag is not None:
                checklist.add(
                    "person_phone_not_local",
                    False,
                    flag.message,
                    field=f"{prefix}.{field}",
                    object_id=person.pk,
                    fix=flag.fix,
                    warn=True,
                )


def check_people(filing: Filing, checklist: Checklist, today: date) -> None:
    people = people_of(filing)
    for role, person in people:
        prefix = role
        id_validator = CERTIFICATE_VALIDATORS.get(person.id_kind)
        if id_validator is not None:
            problem = add_validated(
                checklist,
                "person_id",
                id_validator,
                person.id_number,
                lead=f"{person.name}:",
                field=f"{prefix}.id_number",
                object_id=person.pk,
                fix=_("按证件逐位核对号码。"),
                passed_message=_("%(name)s的证件号码校验通过。") % {"name": person.name},
            )
            birth = resident_id_birth_date(person.id_number)
            minimum_age = filing.province.minimum_age
            if problem is None and birth and minimum_age:
                age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
                checklist.add(
                    "person_age",
                    age >= minimum_age,
                    _("%(name)s未满%(age)s周岁,不能担任负责人。") % {"name": person.name, "age": minimum_age},
                    field=f"{prefix}.id_number",
                    object_id=person.pk,
                    fix=_("请更换负责人。"),
                    passed_message=_("%(name)s已满%(age)s周岁。") % {"name": person.name, "age": minimum_age},
                )
        valid = person.id_valid_until is None or person.id_valid_until > today + ID_MIN_REMAINING
        checklist.add(
            "person_id_validity",
            valid,
            _("%(name)s的证件有效期不足3个月。") % {"name": person.name},
            field=f"{prefix}.id_valid_until",
            object_id=person.pk,
            fix=_("请先换领新证件再提交。"),
            passed_message=_("%(name)s的证件有效期超过3个月。") % {"name": person.name},
        )
        problem = add_validated(
            checklist,
            "person_mobile",
            validate_mobile,
            person.mobile,
            lead=f"{person.name}:",
            field=f"{prefix}.mobile",
            object_id=person.pk,
            fix=_("填写本人实名的手机号码。"),
            passed_message=_("%(name)s的手机号码格式正确。") % {"name": person.name},
        )
        if problem is None:
            _add_number_flags(checklist, filing, prefix, person)
        if person.emergency_phone:
            distinct = person.emergency_phone not in {p.mobile for _, p in people}
            checklist.add(
                "emergency_phone_distinct",
                distinct,
                _("%(name)s的应急电话不能与负责人手机号相同。") % {"name": person.name},
                field=f"{prefix}.emergency_phone",
                object_id=person.pk,
                fix=_("填写另一个能联系到的号码。"),
                passed_message=_("%(name)s的应急电话与手机号不同。") % {"name": person.name},
            )
    subject_principal = filing.subject_principal
    for role, person in people:
        if role == "subject_principal" or person.name == subject_principal.name:
            continue
        checklist.add(
            "principal_phones_distinct",
            person.mobile != subject_principal.mobile,
            _("主体负责人与网站负责人不是同一人时,手机号码不能相同。"),
            field="website_principal.mobile",
            object_id=person.pk,
            fix=_("填写网站负责人本人的手机号码。"),
            passed_message=_("主体负责人与网站负责人的手机号码不同。"),
        )
        if person.email and subject_principal.email:
            checklist.add(
                "principal_emails_distinct",
                person.email.lower() != subject_principal.email.lower(),
                _("主体负责人与网站负责人不是同一人时,电子邮箱不能相同。"),
                field="website_principal.email",
                object_id=person.pk,
                fix=_("填写网站负责人本人的邮箱。"),
                passed_message=_("主体负责人与网站负责人的邮箱不同。"),
            )
    phones = {p.mobile for _, p in people} | {p.emergency_phone for _, p in people if p.emergency_phone}
    if not phone_probes.may_check(filing_id=filing.pk, user_id=filing.assignee_id, numbers=phones):
        checklist.add(
            "phones_unique_to_subject",
            False,
            _("近一小时内核对的电话号码过多,请稍后再检查。"),
            field="subject_principal.mobile",
            fix=_("一小时后再打开本页面或提交。"),
        )
        return
    # Another subject's live filing, whether the phone is its subject principal's or a website principal's.
    # People with these phones are few: find them first (indexed), then their filings, so that the
    # check stays fast however many filings there are.
    holders = {
        pk: (mobile, emergency)
        for pk, mobile, emergency in Person.objects.filter(
            Q(mobile__in=phones) | Q(emergency_phone__in=phones)
        ).values_list("pk", "mobile", "emergency_phone")
    }
    other_subjects = Filing.objects.filter(state__in=OPEN_STATES + ["published"]).exclude(
        subject_id__in=same_subject_ids(filing)
    )
    # One statement for both kinds of principal: each part still stops at its own 20 rows.
    subject_principals = other_subjects.filter(subject_principal_id__in=holders).values_list(
        "subject_principal_id", flat=True
    )[:20]
    website_principals = Website.objects.filter(
        principal_id__in=holders, filing__in=other_subjects
    ).values_list("principal_id", flat=True)[:20]
    if connection.features.supports_slicing_ordering_in_compound:
        holders_elsewhere = set(subject_principals.union(website_principals, all=True))
    else:  # SQLite (make run) allows no LIMIT inside a UNION
        holders_elsewhere = set(subject_principals) | set(website_principals)
    used_elsewhere = {holders[pk] for pk in holders_elsewhere}
    taken = {number for pair in used_elsewhere for number in pair if number in phones}
    # Named by whose number it is, masked: the page may be read by a role that sees masked numbers.
    clashes = [
        label % {"name": person.name, "number": mask_phone(number)}
        for _role, person in people
        for label, number in (
            (_("%(name)s的手机号码 %(number)s"), person.mobile),
            (_("%(name)s的应急电话 %(number)s"), person.emergency_phone),
        )
        if number in taken
    ]
    checklist.add(
        "phones_unique_to_subject",
        not clashes,
        _("%(numbers)s不能使用。") % {"numbers": "、".join(dict.fromkeys(clashes))},
        field="subject_principal.mobile",
        fix=_("每个主体须使用自己的联系电话。"),
        passed_message=_("联系电话未被其他主体使用。"),
    )
