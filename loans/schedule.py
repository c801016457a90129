"""A loan's repayment schedule, in whole rials (a contract: see DESIGN.md, "Contracts").

`build_schedule` gives `grace_months` interest-only rows, then `months` installments:

- `method="annuity"` (the default): equal installments; each row's interest is the
  balance × the monthly rate, rounded half up to a rial, and the principal is the rest of
  the installment. At 0% the installments repay equal principal.
- `method="equal_principal"` (the way Iranian banks charge a qard al-hasan service fee):
  each installment repays `principal // months` and the charge on the declining balance,
  so the total charge is close to P × r × (n + 1) / 24.

In both, the last row takes the principal left, so the principals sum exactly to the loan,
and due dates step one Jalali month from `first_due` (the day clamped to the month).

The arithmetic is exact: the monthly rate is kept as a fraction of integers and every
rounding is an integer division, so no float ever touches money.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

from hami.jalali import add_months

ANNUITY = "annuity"
EQUAL_PRINCIPAL = "equal_principal"
METHODS = (ANNUITY, EQUAL_PRINCIPAL)
MONTHS_PER_YEAR = 12


class Row(NamedTuple):
    """One row of a schedule: when it is due and what it pays, in whole rials."""

    due_date: date
    principal: int
    interest: int
    total: int


@dataclass(frozen=True)
class MonthlyRate:
    """`annual_rate / 12` as an exact fraction `numerator / denominator`."""

    numerator: int
    denominator: int

    @classmethod
    def of(cls, annual_rate) -> "MonthlyRate":
        rate = Fraction(_as_decimal(annual_rate)) / MONTHS_PER_YEAR
        return cls(rate.numerator, rate.denominator)

    @property
    def is_zero(self) -> bool:
        return self.numerator == 0

    def interest_on(self, balance: int) -> int:
        """`balance × rate`, rounded half up to a whole rial (balance ≥ 0)."""
        return (2 * balance * self.numerator + self.denominator) // (2 * self.denominator)


def _as_decimal(annual_rate) -> Decimal:
    if isinstance(annual_rate, Decimal):
        rate = annual_rate
    elif isinstance(annual_rate, int | str) and not isinstance(annual_rate, bool):
        rate = Decimal(annual_rate)
    else:
        raise TypeError("annual_rate is a Decimal fraction, like Decimal('0.04') for 4%.")
    if not rate.is_finite() or rate < 0:
        raise ValueError("annual_rate is a fraction of zero or more.")
    return rate


def annuity_payment(principal: int, annual_rate, months: int) -> int:
    """The equal installment that repays `principal` over `months` at `annual_rate`,
    rounded half up to a rial: P·r / (1 − (1 + r)^−n), r the monthly rate. At 0% it is
    `principal // months` (the last installment takes the rest)."""
    rate = _as_decimal(annual_rate) / MONTHS_PER_YEAR
    if rate == 0:
        return principal // months
    with localcontext() as context:
        context.prec = 50
        payment = Decimal(principal) * rate / (1 - (1 + rate) ** -months)
    return int(payment.to_integral_value(rounding="ROUND_HALF_UP"))


@lru_cache(maxsize=65536)
def _due_date(first_due: date, offset: int) -> date:
    # Many loans share a first due date; the Jalali conversion is the costly part.
    return add_months(first_due, offset)


def build_schedule(
    principal: int,
    annual_rate: Decimal,
    months: int,
    grace_months: int,
    first_due: date,
    *,
    method: str = ANNUITY,
) -> list[Row]:
    """The schedule of a loan of `principal` rials (see the module's docstring)."""
    if isinstance(principal, bool) or not isinstance(principal, int) or principal <= 0:
        raise ValueError("principal is a whole number of rials above zero.")
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValueError("months is a whole number of installments, at least one.")
    if isinstance(grace_months, bool) or not isinstance(grace_months, int) or grace_months < 0:
        raise ValueError("grace_months is a whole number of months, zero or more.")
    if method not in METHODS:
        raise ValueError(f"method is one of {METHODS}, not {method!r}.")
    rate = MonthlyRate.of(annual_rate)

    rows = []
    grace_interest = rate.interest_on(principal)
    for offset in range(grace_months):
        rows.append(Row(_due_date(first_due, offset), 0, grace_interest, grace_interest))

    if method == EQUAL_PRINCIPAL or rate.is_zero:
        payment = None
        equal_part = principal // months
    else:
        payment = annuity_payment(principal, annual_rate, months)
    balance = principal
    for number in range(months):
        interest = rate.interest_on(balance)
        if number == months - 1:
            repaid = balance
        elif payment is None:
            repaid = equal_part
        else:
            # Never more than is owed: with a principal of a few rials, rounding could
            # otherwise repay it before the last row and leave that row negative.
            repaid = min(payment - interest, balance)
        balance -= repaid
        rows.append(
            Row(_due_date(first_due, grace_months + number), repaid, interest, repaid + interest)
        )
    return rows
