"""Masking of personal data (ID numbers, phones, emails) for those who do not need it."""


def mask_id_number(value: str) -> str:
    if not value:
        return value
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 2) + value[-1:]
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return value
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    return value[:3] + "*" * max(len(value) - 5, 0) + value[-2:]


def mask_email(value: str) -> str:
    if not value or "@" not in value:
        return value
    local, domain = value.split("@", 1)
    return (local[:1] + "***@" + domain) if local else value


# Fields that carry personal data, with the mask each is shown with (recorded edits, history rows).
FIELD_MASKS = {
    "id_number": mask_id_number,
    "certificate_number": mask_id_number,
    "registrant_certificate_number": mask_id_number,
    "mobile": mask_phone,
    "emergency_phone": mask_phone,
    "email": mask_email,
}
