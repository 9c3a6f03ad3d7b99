"""The benchmark database: a million filings shaped like production (reused when it exists)."""

from django.db.models import Count


def ensure_realistic(log=print) -> None:
    """Reshape a database seeded by older code: principals of every size, and the alerts and
    notifications of every deadline that has passed."""
    from filings import demo
    from filings.jobs import alert_scan
    from filings.models import Alert, Filing

    owners = Filing.objects.values("assignee_id").order_by().annotate(n=Count("id"))
    if owners.count() < 1000:
        log(f"giving the bulk filings owners of every size: {demo.reshape_bulk_owners():,} filings moved")
    # Cheap when the alerts are up to date; after an outage (or on a fresh seed) it raises them all.
    log(
        "raising the alerts of every deadline that has passed …"
        if Alert.objects.exists()
        else "raising the alerts of every deadline that has passed (the scan after an outage) …"
    )
    log(f"  {alert_scan.catch_up()}")
    stand_in_for_autovacuum(log)


def scan_as_the_scheduler_does(log=print) -> None:
    """Run the alert scan, as the scheduler does every minute: the dashboard shows the totals of its
    long deadline lists as the latest scan of the last 5 minutes counted them, and counts them
    itself only when there is none (filings/reads/dashboard.py). Measuring the dashboard with no
    fresh scan would measure that fallback, not the page users see."""
    from filings.jobs import alert_scan
    from filings.models import AlertScan

    log("running the minute's alert scan first, so that the dashboard reads the totals it keeps …")
    log(f"  {alert_scan.catch_up()}")
    latest = AlertScan.objects.latest("scanned_until")
    if not hasattr(latest, "overdue_total"):
        return  # an earlier checkout's code (see docs/performance.md), whose scan keeps no totals
    log(
        f"  scan at {latest.scanned_until:%H:%M:%S} UTC: overdue {latest.overdue_total:,}, "
        f"at risk {latest.at_risk_total:,}, provisional {latest.provisional_total:,}"
    )


def stand_in_for_autovacuum(log=print) -> None:
    """On a server with autovacuum off (this machine's CI configuration), do what it would have done
    by now after the writes above and the benchmarks before (the seed's last step): without it, the
    counts and lists that read an index alone visit the table for every row changed since the last
    VACUUM (the dashboard's deadline counts took 32 ms instead of 15 at a million filings)."""
    from django.db import connection

    from filings import demo

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('autovacuum')")
        if cursor.fetchone()[0] == "on":
            return
    log("autovacuum is off on this server: doing what it would have done")
    if hasattr(demo, "settle_after_bulk"):  # not in an earlier checkout's code
        demo.settle_after_bulk(log=log)


def logged_in_client(user):
    """A test client logged in as the user; staff also as having given their second factor."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.roles import is_staff_role

    client = Client()
    client.force_login(user)
    if is_staff_role(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
