from decimal import Decimal

from django import template

from hami.text import format_number

register = template.Library()


@register.filter
def num(value):
    """A count grouped by thousands, in Persian digits on Persian pages; `—` for none."""
    if value is None or value == "":
        return "—"
    try:
        return format_number(int(value))
    except (TypeError, ValueError):
        return ""


@register.filter
def sort_value(value):
    """A number as the sortable tables compare it (none sorts first)."""
    if value is None:
        return "-1"
    return str(value)


@register.inclusion_tag("dashboard/includes/definition.html")
def definition(definitions, key):
    return {"definition": definitions[key], "key": key}


@register.filter
def share_of(row, part):
    """`row`'s `part` as a share of its entrants."""
    return row.share(part, "entrants")


@register.filter
def line_use(ledger):
    """How much of a credit line is committed or paid out."""
    if not ledger.total:
        return None
    return Decimal(ledger.committed + ledger.disbursed) / Decimal(ledger.total)
