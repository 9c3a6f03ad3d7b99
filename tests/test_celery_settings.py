"""What a newcomer sees of Celery in development: no start-up warning about the embedded broker."""

from kombu import Connection

from config.settings.base import EMBEDDED_BROKER_URL


def test_the_embedded_broker_starts_without_a_hostname_warning(caplog):
    with caplog.at_level("WARNING", logger="kombu.connection"):
        Connection(EMBEDDED_BROKER_URL).info()
    assert not [r for r in caplog.records if r.name == "kombu.connection"]


def test_the_bare_filesystem_url_would_warn(caplog):
    with caplog.at_level("WARNING", logger="kombu.connection"):
        Connection("filesystem://").info()
    assert any("No hostname" in r.getMessage() for r in caplog.records)
