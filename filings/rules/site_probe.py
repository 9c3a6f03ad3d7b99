"""Probe published websites over the network: does the domain resolve, do its addresses lie in the
access provider's declared ranges, does the site answer and show its numbers (the footer check, with
its guard against private addresses). Many sites at once, within overall and per-host limits."""

import ipaddress
import socket
import threading
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_noop

from filings.models.site_watch import Failure
from filings.models.wording import said
from filings.rules import footer


@dataclass(frozen=True)
class Target:
    website_id: int
    url: str
    expected_icp: str
    expected_psb: str | None
    # The access provider's declared ranges (CIDR); empty when it declared none.
    ranges: tuple[str, ...] = ()


@dataclass
class Outcome:
    target: Target
    resolves: bool
    addresses: list[str]
    in_provider_ranges: bool | None
    result: footer.FooterResult | None
    failures: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    problem_sources: list[dict] = field(default_factory=list)


def resolve(host: str) -> list[str]:
    """Return the host's addresses (empty when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return list(dict.fromkeys(info[4][0] for info in infos))


def within(addresses: Iterable[str], ranges: Iterable[str]) -> bool:
    """Return whether every address lies in one of the ranges."""
    networks = [ipaddress.ip_network(r, strict=False) for r in ranges]
    return all(any(ipaddress.ip_address(a) in n for n in networks) for a in addresses)


def probe(target: Target, *, timeout: float | None = None, max_bytes: int | None = None) -> Outcome:
    """Check one site; network trouble becomes a recorded failure, never an exception."""
    timeout = timeout if timeout is not None else settings.BEIAN_SITE_CHECK_TIMEOUT
    max_bytes = max_bytes if max_bytes is not None else settings.BEIAN_SITE_CHECK_MAX_BYTES
    host = (urlsplit(target.url).hostname or "") if target.url else ""
    addresses = resolve(host) if host else []
    outcome = Outcome(
        target, resolves=bool(addresses), addresses=addresses, in_provider_ranges=None, result=None
    )
    if not addresses:
        _fail(
            outcome,
            Failure.UNREACHABLE,
            said(gettext_noop("域名 %(host)s 无法解析。"), host=host or target.url),
        )
        return outcome
    if target.ranges:
        outcome.in_provider_ranges = within(addresses, target.ranges)
        if not outcome.in_provider_ranges:
            _fail(
                outcome,
                Failure.MOVED,
                said(
                    gettext_noop(
                        "网站解析到 %(addresses)s,不在接入服务商登记的地址段内:是否已迁往其他服务商?"
                    ),
                    addresses=", ".join(addresses),
                ),
            )
    result = footer.check_footer(
        target.url,
        expected_icp=target.expected_icp,
        expected_psb=target.expected_psb,
        timeout=timeout,
        max_bytes=max_bytes,
    )
    outcome.result = result
    if result.status != "pass":
        kind = Failure.UNREACHABLE if result.status == "unreachable" else Failure.FOOTER
        outcome.failures.append(kind)
        outcome.problems.extend(result.problems)
        outcome.problem_sources.extend(result.problem_sources)
    return outcome


def _fail(outcome: Outcome, kind: str, problem) -> None:
    outcome.failures.append(kind)
    outcome.problems.append(str(problem))
    outcome.problem_sources.append(problem.source)


def probe_all(
    targets: list[Target],
    *,
    concurrency: int | None = None,
    per_host: int | None = None,
    timeout: float | None = None,
    max_bytes: int | None = None,
) -> list[Outcome]:
    """Probe the sites concurrently: at most `concurrency` at once, `per_host` at once on one host.
    Return the outcomes in the targets' order."""
    concurrency = concurrency or settings.BEIAN_SITE_CHECK_CONCURRENCY
    per_host = per_host or settings.BEIAN_SITE_CHECK_PER_HOST
    host_slots: dict[str, threading.BoundedSemaphore] = defaultdict(
        lambda: threading.BoundedSemaphore(per_host)
    )
    lock = threading.Lock()

    def run(target: Target) -> Outcome:
        host = (urlsplit(target.url).hostname or "").lower()
        with lock:
            slot = host_slots[host]
        with slot:
            return probe(target, timeout=timeout, max_bytes=max_bytes)

    if not targets:
        return []
    with ThreadPoolExecutor(
        max_workers=min(concurrency, len(targets)), thread_name_prefix="site-check"
    ) as pool:
        return list(pool.map(run, targets))
