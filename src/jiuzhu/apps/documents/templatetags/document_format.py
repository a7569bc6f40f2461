"""Template filters for documents: ``{% load document_format %}``."""

from django import template

from jiuzhu.apps.documents import formatting

register = template.Library()

register.filter("money", formatting.format_money)
register.filter("yuan", formatting.format_yuan)
register.filter("cn_date", formatting.format_date)
register.filter("cn_month", formatting.format_month)


@register.filter
def tick(value, expected) -> str:
    """A printed tick box, filled when ``value == expected``: ``{{ header.program|tick:"dibao" }}``."""
    return "■" if value == expected else "□"  # both in Noto CJK; ☑/☐ are not
