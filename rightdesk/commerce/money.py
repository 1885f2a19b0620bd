"""Exact money: Decimal amounts rounded to the minor unit of their currency.

Amounts are never floats. Every amount is quantized to its currency's minor
unit (cents for USD, none for JPY, fils for BHD) with half-up rounding, the
rule customers expect from a till receipt.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from rightdesk.core.errors import Invalid

#: ISO 4217 currencies whose minor unit is not two digits; everything else has two.
MINOR_UNITS: dict[str, int] = {
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
}
#: The largest amount the database columns hold (14 digits, 3 after the point).
MAX_AMOUNT = Decimal("99999999999")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
ZERO = Decimal(0)


def check_currency(code: str, *, field: str = "currency") -> str:
    """An upper-case ISO 4217 code, or Invalid."""
    value = (code or "").strip().upper()
    if not _CURRENCY.match(value):
        raise Invalid(f"{code!r} is not a currency code (e.g. USD).", field=field)
    return value


def exponent(currency: str) -> int:
    return MINOR_UNITS.get(currency, 2)


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit, half-up."""
    step = Decimal(1).scaleb(-exponent(currency))
    return amount.quantize(step, rounding=ROUND_HALF_UP)


def parse_amount(
    raw: object, currency: str, *, field: str, allow_negative: bool = False
) -> Decimal:
    """Parse a price or amount exactly; refuse floats' rounding noise and extra digits."""
    if isinstance(raw, float):
        raw = repr(raw)
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise Invalid(f"{raw!r} is not an amount.", field=field) from exc
    if not value.is_finite():
        raise Invalid(f"{raw!r} is not an amount.", field=field)
    if value < 0 and not allow_negative:
        raise Invalid("An amount cannot be negative.", field=field)
    if abs(value) > MAX_AMOUNT:
        raise Invalid("The amount is too large.", field=field)
    rounded = quantize(value, currency)
    if rounded != value:
        raise Invalid(
            f"{raw} has more decimals than {currency} allows ({exponent(currency)}).", field=field
        )
    return rounded


def format_money(amount: Decimal, currency: str) -> str:
    """'USD 1,234.50' — unambiguous in any locale."""
    return f"{currency} {quantize(amount, currency):,}"
