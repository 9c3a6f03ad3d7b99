"""New access (新增接入): a subject filed through another provider moves its website here under the
ICP numbers it already holds; the provider checks the data against them in pre-review."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from filings.exceptions import InvalidInput
from filings.formats.validators import (
    normalise_psb_number,
    validate_icp_subject_number,
    validate_icp_website_number,
    validate_psb_number,
)
from filings.kinds.states import OPEN_STATES, State
from filings.models import Filing, Province, Website
from filings.services.drafts import create_filing, update_filing


def clean_access_numbers(
    *, province: Province, icp_number: str, website_numbers: list[str], filing: Filing | None = None
) -> tuple[str, list[str]]:
    """Return the subject's and the websites' existing numbers, refusing malformed or mismatched ones."""
    icp_number = (icp_number or "").strip()
    try:
        validate_icp_subject_number(icp_number, abbreviation=province.icp_abbreviation)
    except ValidationError as error:
        raise InvalidInput(error.messages[0], details={"icp_number": error.messages}) from error
    cleaned = []
    for index, number in enumerate(website_numbers):
        number = (number or "").strip()
        try:
            validate_icp_website_number(number, subject_number=icp_number)
        except ValidationError as error:
            raise InvalidInput(
                error.messages[0], details={f"websites.{index}.icp_number": error.messages}
            ) from error
        cleaned.append(number)
    hosted = Website.objects.filter(
        icp_number__in=cleaned,
        filing__state__in=[*OPEN_STATES, State.PUBLISHED],
        cancelled_at__isnull=True,
        access_cancelled_at__isnull=True,
    )
    if filing is not None:
        hosted = hosted.exclude(filing=filing)
    hosted = hosted.first()
    if hosted is not None:
        raise InvalidInput(
            _("网站备案号 %(n)s 已由本服务商接入或正在办理,无需新增接入。") % {"n": hosted.icp_number},
            details={"icp_number": [_("该网站已在本服务商接入。")]},
        )
    return icp_number, cleaned


def taken_over_psb_number(*, province: Province, psb_number: str, website_numbers: list[str]) -> str:
    """Return the public-security number the moving site already holds: the one given, checked
    against the province, or else the one an earlier filing here recorded for the same website
    numbers (a site once hosted here). Empty when it has none: then the 30 days run from approval."""
    number = normalise_psb_number(psb_number)
    if number:
        try:
            validate_psb_number(number, abbreviation=province.icp_abbreviation, province_code=province.code)
        except ValidationError as error:
            raise InvalidInput(error.messages[0], details={"psb_number": error.messages}) from error
        return number
    earlier = (
        Filing.objects.filter(websites__icp_number__in=website_numbers, state=State.PUBLISHED)
        .exclude(psb_number="")
        .order_by("-pk")
        .values_list("psb_number", flat=True)
        .first()
    )
    return earlier or ""


def create_access_filing(
    *,
    by: Any,
    province_id: int,
    subject: dict,
    subject_principal: dict,
    websites: list[dict],
    icp_number: str,
    website_numbers: list[str],
    psb_number: str = "",
) -> Filing:
    """Create a new-access draft holding the subject's and its websites' existing ICP numbers, and
    the public-security number the site already has (no new 30-day period opens for it)."""
    province = Province.objects.get(pk=province_id)
    if len(website_numbers) != len(websites):
        raise InvalidInput(
            _("请为每个接入的网站填写其已有的网站备案号。"),
            details={"websites": [_("每个网站都需要原备案号。")]},
        )
    icp_number, numbers = clean_access_numbers(
        province=province, icp_number=icp_number, website_numbers=website_numbers
    )
    psb_number = taken_over_psb_number(province=province, psb_number=psb_number, website_numbers=numbers)
    with transaction.atomic():
        filing = create_filing(
            by=by,
            province_id=province_id,
            filing_type=Filing.Type.NEW_ACCESS,
            subject=subject,
            subject_principal=subject_principal,
            websites=websites,
        )
        filing.icp_number, filing.psb_number = icp_number, psb_number
        filing.save(update_fields=["icp_number", "psb_number"])
        for website, number in zip(filing.websites.order_by("position"), numbers, strict=True):
            website.icp_number = number
            website.save(update_fields=["icp_number"])
    return filing


def update_access_filing(
    filing: Filing,
    *,
    by: Any,
    expected_version: int,
    icp_number: str,
    website_numbers: list[str],
    psb_number: str = "",
    **entry: Any,
) -> Filing:
    """Save a new-access draft's entry form together with the existing numbers it carries."""
    websites = entry.get("websites")
    if websites is not None and len(website_numbers) != len(websites):
        raise InvalidInput(
            _("请为每个接入的网站填写其已有的网站备案号。"),
            details={"websites": [_("每个网站都需要原备案号。")]},
        )
    icp_number, numbers = clean_access_numbers(
        province=filing.province, icp_number=icp_number, website_numbers=website_numbers, filing=filing
    )
    psb_number = taken_over_psb_number(
        province=filing.province, psb_number=psb_number, website_numbers=numbers
    )
    with transaction.atomic():
        saved = update_filing(filing, by=by, expected_version=expected_version, **entry)
        Filing.objects.filter(pk=saved.pk).update(icp_number=icp_number, psb_number=psb_number)
        saved.icp_number, saved.psb_number = icp_number, psb_number
        for website, number in zip(saved.websites.order_by("position"), numbers, strict=False):
            website.icp_number = number
            website.save(update_fields=["icp_number"])
    return saved
