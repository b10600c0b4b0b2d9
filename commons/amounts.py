"""Amounts as a pool counts them: Decimal, positive, finite, in the pool's precision."""

from decimal import Decimal, InvalidOperation

from babel.numbers import (
    NumberFormatError,
    format_currency,
    format_decimal,
    get_currency_precision,
    get_group_symbol,
    list_currencies,
    parse_decimal,
)
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# Far above any real pool, far below the column's 16 integer digits.
MAX_AMOUNT = Decimal("1000000000000")
CURRENCIES = frozenset(list_currencies())


def currency_places(code):
    return get_currency_precision(code)


def is_currency(code):
    return code in CURRENCIES


# Decimal places of pools that do not count money.
PLACES_BY_KIND = {"hours": 2, "items": 0}


def pool_places(kind, currency=""):
    """How many decimals a pool of this kind counts (for money: the currency's minor unit)."""
    if kind in ("money", "rotating"):
        code = (currency or "").strip().upper()
        return currency_places(code) if is_currency(code) else 2
    return PLACES_BY_KIND.get(kind, 2)


def _parse(value):
    if isinstance(value, Decimal):
        return value
    text = str(value).strip()
    # Decimal reads "1_000" as 1000 and "1e3" as 1000, "NaN" and "Infinity" too: people who
    # type those mean something else. Digits of any script are the number they look like
    # (Decimal reads "١٢٣" and "１２３" as 123), and the page says back what was stored.
    if "_" in text or any(character.isalpha() for character in text):
        raise InvalidOperation
    try:
        return Decimal(text)
    except InvalidOperation:
        # "12,50" in French or Spanish, "1,215.50" in English: as the reader's language
        # writes numbers (grouping in the right places only).
        locale = _locale()
        group = get_group_symbol(locale=locale)
        if group.isspace():  # French groups with a narrow space; people type any space
            text = "".join(group if character.isspace() else character for character in text)
        try:
            return parse_decimal(text, locale=locale, strict=True)
        except NumberFormatError:
            raise InvalidOperation from None


def _locale():
    return (get_language() or "en").replace("-", "_")


def _not_a_number(field):
    example = format_decimal(Decimal("12.50"), format="0.00", locale=_locale())
    return ValidationError({field: _("Enter a number, like %(example)s.") % {"example": example}})


def is_zero(value):
    try:
        return _parse(value) == 0
    except (InvalidOperation, ValueError):
        return False


def check_amount(value, *, places, field="amount"):
    """Return ``value`` as a Decimal fit for a pool with ``places`` decimals, or raise."""
    try:
        amount = _parse(value)
    except (InvalidOperation, ValueError):
        raise _not_a_number(field) from None
    if not amount.is_finite():
        raise _not_a_number(field)
    if amount <= 0:
        raise ValidationError({field: _("Enter an amount above zero.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("That amount is too large for a pool.")})
    quantum = Decimal(1).scaleb(-places)
    if amount != amount.quantize(quantum):
        if places == 0:
            raise ValidationError({field: _("This pool counts whole units only.")})
        raise ValidationError(
            {field: _("This pool counts at most %(places)d decimal places.") % {"places": places}}
        )
    return amount.quantize(quantum)


def format_amount(amount, pool):
    """``€1,234.50``, ``12.5 hours``, ``30 meals``."""
    locale = _locale()
    if pool.kind in ("money", "rotating"):
        return format_currency(amount, pool.currency, locale=locale)
    number = format_decimal(amount.normalize() if amount else amount, locale=locale)
    return f"{number} {pool.unit_label}"
