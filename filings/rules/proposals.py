"""Which cancellation a published filing's sites call for, instead of leaving a dead site filed:
every domain of a website expired -> 注销网站; its server no longer hosted here -> 取消接入."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.kinds.states import State
from filings.models import App, Cancellation, Filing, SiteWatch, Website


@dataclass
class Proposal:
    scope: str
    reason: str
    website: Website
    why: str

    @property
    def label(self) -> str:
        return str(Cancellation.Scope(self.scope).label)

    @property
    def query(self) -> str:
        return f"scope={self.scope}&website={self.website.pk}&reason={self.reason}"


def proposed_cancellations(filing: Filing, *, today: date) -> list[Proposal]:
    """Return the cancellation each live website of a published filing calls for (none when all is well)."""
    if filing.state != "published" or not filing.kind.takes_followups:
        return []
    proposals = []
    for website in filing.websites.all():
        if website.cancelled_at:
            continue
        domains = list(website.domains.all())
        if domains and all(d.expires_on and d.expires_on < today for d in domains):
            proposals.append(
                Proposal(
                    Cancellation.Scope.WEBSITE,
                    Cancellation.Reason.DOMAIN_EXPIRED,
                    website,
                    _("网站“%(name)s”的域名已全部到期:请续费域名,或注销该网站的备案。")
                    % {"name": website.name},
                )
            )
        elif shell_since := unreachable_beyond_threshold(website, today=today):
            proposals.append(
                Proposal(
                    Cancellation.Scope.WEBSITE,
                    Cancellation.Reason.CLOSED,
                    website,
                    _(
                        "网站“%(name)s”自 %(date)s 起一直无法访问(空壳网站,管局会注销):请恢复网站,或注销该网站的备案。"
                    )
                    % {"name": website.name, "date": shell_since.isoformat()},
                )
            )
        elif not website.access_cancelled_at and website.server_valid_until < today:
            proposals.append(
                Proposal(
                    Cancellation.Scope.ACCESS,
                    Cancellation.Reason.HOSTING_ENDED,
                    website,
                    _(
                        "网站“%(name)s”的服务器已于 %(date)s 到期:请续费,或办理取消接入(迁往其他服务商时填写新服务商)。"
                    )
                    % {"name": website.name, "date": website.server_valid_until.isoformat()},
                )
            )
    return proposals


def unreachable_beyond_threshold(website: Website, *, today: date) -> date | None:
    """Return since when the scheduled checks have found the site unreachable, when that is longer
    than BEIAN_SITE_SHELL_AFTER_DAYS (a shell site, 空壳网站); None otherwise."""
    watch = SiteWatch.objects.filter(website=website).only("unreachable_since").first()
    if watch is None or watch.unreachable_since is None:
        return None
    since = timezone.localdate(watch.unreachable_since)
    if (today - since).days < settings.BEIAN_SITE_SHELL_AFTER_DAYS:
        return None
    return since


class LastItemChoice(models.TextChoices):
    """What the principal chooses when the website or app to cancel is the subject's last one."""

    CANCEL_SUBJECT = "cancel_subject", gettext_lazy("改为注销主体")
    KEEP_SUBJECT = "keep_subject", gettext_lazy("只注销该网站或APP,保留主体(成为空壳主体)")


def leaves_shell_subject(target: Filing, *, website_id: int | None = None, app_id: int | None = None) -> bool:
    """Return whether cancelling this website or app leaves its subject with nothing filed (a shell
    subject, 空壳主体): then cancelling the subject itself is proposed."""
    published = Filing.objects.filter(subject_id=target.subject_id, state=State.PUBLISHED).exclude(
        filing_type__in=[Filing.Type.CHANGE, Filing.Type.CANCEL, Filing.Type.CANCEL_ACCESS]
    )
    other_websites = Website.objects.filter(
        filing__in=published, cancelled_at__isnull=True, source__isnull=True
    ).exclude(pk=website_id)
    other_apps = App.objects.filter(
        filing__in=published, cancelled_at__isnull=True, source__isnull=True
    ).exclude(pk=app_id)
    return not other_websites.exists() and not other_apps.exists()
