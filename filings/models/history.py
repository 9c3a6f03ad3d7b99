"""A filing's append-only history (FilingEvent): each transition and recorded step."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import filings.models.wording as wording
from filings.kinds.states import State
from filings.models.choices import OneLabelDisplay
from filings.models.filing import Filing


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("历史记录只能追加,不能修改。"))

    def delete(self):
        raise ValidationError(_("历史记录只能追加,不能删除。"))


class FilingEvent(OneLabelDisplay, models.Model):
    """An append-only history row: one transition (or a recorded step) of a filing."""

    # Found through the (filing, at) index below, which starts with it.
    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.PROTECT, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    transition = models.CharField(_("操作"), max_length=48)
    from_state = models.CharField(_("原阶段"), max_length=32, choices=State.choices, blank=True)
    to_state = models.CharField(_("新阶段"), max_length=32, choices=State.choices)
    comment = models.TextField(_("说明"), blank=True)
    # A comment the system wrote, as its untranslated source (filings.models.wording); empty for a person's.
    comment_source = models.JSONField(_("说明原文"), default=dict, blank=True)
    # [{"field": "domain.registrant_name", "reason": "…", "suggested_fix": "…", "code": "…"}], and
    # "reason_source"/"suggested_fix_source" for texts the system or the catalogue wrote.
    reasons = models.JSONField(_("退回原因"), default=list, blank=True)
    stage_visit = models.PositiveIntegerField(_("阶段序号"), default=1)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("备案历史")
        verbose_name_plural = _("备案历史")
        indexes = [models.Index(fields=["filing", "at"]), models.Index(fields=["to_state", "at"])]

    def __str__(self) -> str:
        return f"{self.filing_id} {self.transition} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError(_("历史记录只能追加,不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("历史记录只能追加,不能删除。"))

    @staticmethod
    def comment_fields(comment: "str | wording.Said") -> dict:
        """Return the comment's fields to store: its words and, for the system's text, its source."""
        text, source = wording.text_and_source(comment)
        return {"comment": text[:2000], "comment_source": source}

    @classmethod
    def record_step(
        cls,
        filing: Filing,
        *,
        transition: str,
        by: Any,
        comment: "str | wording.Said",
        at: datetime | None = None,
        reasons: list[dict] | None = None,
    ) -> "FilingEvent":
        """Append the history row of a step that leaves the filing in its stage (an edit, an upload,
        a check, a verifier's confirmation); an actor without a pk (the scheduler) is stored as none."""
        return cls.objects.create(
            filing=filing,
            actor=by if getattr(by, "pk", None) else None,
            at=at or timezone.now(),
            transition=transition,
            from_state=filing.state,
            to_state=filing.state,
            **cls.comment_fields(comment),
            reasons=reasons or [],
            stage_visit=filing.stage_visit,
        )

    @property
    def shown_comment(self) -> str:
        """Return the comment in the reader's language when the system wrote it, else as written."""
        return wording.say(self.comment_source, self.comment)

    @property
    def shown_reasons(self) -> list:
        """Return the reasons with the system's and the catalogue's texts in the reader's language."""
        return [wording.shown_reason(r) if isinstance(r, dict) else r for r in self.reasons]
