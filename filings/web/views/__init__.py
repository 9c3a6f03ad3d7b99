"""Pages of the filing console: principal pages, reviewer console and manager dashboard."""
