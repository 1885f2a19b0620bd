"""``{{ amount|money:currency }}``: an amount rounded to its currency's minor unit."""

from __future__ import annotations

from decimal import Decimal

from django import template

from rightdesk.commerce.money import quantize

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return ""
    return str(quantize(Decimal(amount), currency))
