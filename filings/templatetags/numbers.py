"""{{ n|grouped }}: a whole number with its thousands grouped by commas (100,000), in either language."""

from django import template

register = template.Library()


@register.filter
def grouped(value):
    # Django's zh-hans format has no thousands separator, so intcomma would print 100000 there.
    return value if value is None else f"{int(value):,}"
