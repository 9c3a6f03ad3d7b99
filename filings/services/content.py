"""The principal's answer to whether a website or app provides a regulated service its name or
description mentions (content_rules): recorded on the item and in the filing's history."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from filings.exceptions import InvalidInput
from filings.models import Filing, PriorApproval
from filings.rules.content_rules import NO, YES
from filings.services.drafts import lock_editable_draft, save_draft_edit

SECTIONS = {"website": "websites", "app": "apps"}


def answer_service_question(
    filing: Filing,
    *,
    by: Any,
    expected_version: int,
    section: str,
    item_id: int,
    category: str,
    provides: bool,
) -> Filing:
    """Record whether the website or app provides the category's service; the caller's version must
    be current. A "yes" needs the category's prior approval before the filing can be submitted."""
    if section not in SECTIONS:
        raise InvalidInput(_("请选择网站或应用。"), details={"section": [_("未知的类型。")]})
    if category not in PriorApproval.Category.values:
        raise InvalidInput(_("未知的前置审批类别。"), details={"category": [_("未知的前置审批类别。")]})
    with transaction.atomic():
        locked = lock_editable_draft(filing, by=by, expected_version=expected_version)
        item = getattr(locked, SECTIONS[section]).select_for_update().filter(pk=item_id).first()
        if item is None:
            raise InvalidInput(
                _("该网站或应用不属于本备案。"), details={"item_id": [_("该网站或应用不属于本备案。")]}
            )
        answers = dict(item.service_answers or {})
        old, answers[category] = answers.get(category), YES if provides else NO
        item.service_answers = answers
        item.save(update_fields=["service_answers"])
        save_draft_edit(
            locked,
            by=by,
            now=timezone.now(),
            changes=[
                {"field": f"{section}.service_answers.{category}", "old": old, "new": answers[category]}
            ],
        )
    return locked
