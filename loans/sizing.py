"""How much a business plan can borrow (a contract: see DESIGN.md, "Loans").

    recommended = min(plan cost − own contribution,
                      the product's maximum,
                      the largest principal whose installment ≤ HAMI_AFFORDABILITY_RATIO ×
                      projected monthly profit)

floored to 1,000,000 rials. Below the product's minimum the plan cannot be funded, and
`Sizing.reason` says why and what would change it.

`size_loan` reads only these attributes, so a plan or product need not be saved:
plan `total_cost`, `own_contribution`, `monthly_revenue`, `monthly_costs` (rials);
product `annual_rate` (Decimal fraction), `min_amount`, `max_amount` (rials),
`max_term_months`, `grace_months`, `amortisation` ("annuity" or "equal_principal").
"""

from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_FLOOR, Decimal, localcontext

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hami.money import format_money
from hami.text import localise_digits

from .schedule import ANNUITY, MONTHS_PER_YEAR, build_schedule

STEP = 1_000_000  # rials: a recommendation is a whole number of millions of rials

NEED, PRODUCT_MAX, AFFORDABILITY = "need", "product_max", "affordability"
LIMIT_LABELS = {
    NEED: _("Plan cost less the client's own contribution"),
    PRODUCT_MAX: _("The product's maximum"),
    AFFORDABILITY: _("What the projected profit can repay"),
}
# Any date does: an installment's amount does not depend on when it falls due.
_NOMINAL_FIRST_DUE = date(2024, 3, 20)


@dataclass(frozen=True)
class Limit:
    kind: str  # NEED, PRODUCT_MAX or AFFORDABILITY
    amount: int  # rials, before flooring; never negative

    @property
    def label(self) -> Promise:
        return LIMIT_LABELS[self.kind]


@dataclass(frozen=True)
class Sizing:
    """The recommendation for one plan and product, with each limit that applied."""

    recommended: int  # rials, a multiple of STEP; 0 when nothing can be lent
    limits: tuple[Limit, ...]  # need, product maximum, affordability, in that order
    bound_by: str  # the kind of the smallest limit (the first of equals)
    months: int  # the term the affordability was worked out for
    monthly_profit: int  # projected revenue − costs, rials (may be negative)
    installment_cap: int  # the most an installment may be: ratio × profit, rials
    installment: int | None  # the largest installment the recommendation implies
    minimum: int  # the product's minimum
    reason: str = ""  # why the plan cannot be funded, and what would change it

    @property
    def fundable(self) -> bool:
        return self.recommended >= self.minimum and self.recommended > 0

    def limit(self, kind: str) -> Limit:
        return next(limit for limit in self.limits if limit.kind == kind)


def floor_to_step(amount: int) -> int:
    return max(amount, 0) // STEP * STEP


def largest_installment(principal: int, product, months: int) -> int:
    """The largest regular installment (after grace) of a loan of `principal`."""
    if principal <= 0:
        return 0
    rows = build_schedule(
        principal,
        product.annual_rate,
        months,
        product.grace_months,
        _NOMINAL_FIRST_DUE,
        method=product.amortisation,
    )
    return max(row.total for row in rows[product.grace_months :])


def affordable_principal(cap: int, product, months: int) -> int:
    """The largest principal (in whole rials) whose largest installment is at most `cap`.

    Worked out from the formula, then checked against the real schedule, whose rounding
    may add a rial or two."""
    if cap <= 0:
        return 0
    rate = Decimal(product.annual_rate) / MONTHS_PER_YEAR
    with localcontext() as context:
        context.prec = 50
        if rate == 0:
            estimate = Decimal(cap) * months
        elif product.amortisation == ANNUITY:
            estimate = Decimal(cap) * (1 - (1 + rate) ** -months) / rate
        else:  # equal principal: the first installment is the largest, P/n + P·r
            estimate = Decimal(cap) / (Decimal(1) / months + rate)
        principal = int(estimate.to_integral_value(rounding=ROUND_FLOOR))
    while principal > 0 and largest_installment(principal, product, months) > cap:
        principal -= max(1, months)
    return max(principal, 0)


def size_loan(plan, product, *, months: int | None = None) -> Sizing:
    """The recommended loan for `plan` under `product`, over `months` installments (the
    product's longest term by default: the term that lets the profit repay the most)."""
    months = months or product.max_term_months
    ratio = Decimal(str(settings.HAMI_AFFORDABILITY_RATIO))
    profit = plan.monthly_revenue - plan.monthly_costs
    cap = int((ratio * max(profit, 0)).to_integral_value(rounding=ROUND_FLOOR))
    limits = (
        Limit(NEED, max(plan.total_cost - plan.own_contribution, 0)),
        Limit(PRODUCT_MAX, product.max_amount),
        Limit(AFFORDABILITY, affordable_principal(cap, product, months)),
    )
    bound = min(limits, key=lambda limit: limit.amount)
    recommended = floor_to_step(bound.amount)
    sizing = Sizing(
        recommended=recommended,
        limits=limits,
        bound_by=bound.kind,
        months=months,
        monthly_profit=profit,
        installment_cap=cap,
        installment=largest_installment(recommended, product, months) or None,
        minimum=product.min_amount,
    )
    if sizing.fundable:
        return sizing
    return replace(sizing, reason=_why_not(sizing, plan, profit))


def _why_not(sizing: Sizing, plan, profit: int) -> str:
    """Why the plan cannot be funded, and what would change it, in a full sentence."""
    minimum = format_money(sizing.minimum)
    if sizing.bound_by == NEED:
        if plan.total_cost <= plan.own_contribution:
            return _(
                "The client's own contribution covers the whole plan: there is nothing to "
                "lend. A loan needs a plan that costs more than the contribution."
            )
        return _(
            "The plan needs %(need)s beyond the client's own contribution, and this "
            "product lends at least %(minimum)s. A larger plan, a smaller contribution or "
            "a product with a lower minimum would change it."
        ) % {"need": format_money(sizing.limit(NEED).amount), "minimum": minimum}
    if sizing.bound_by == AFFORDABILITY:
        if profit <= 0:
            return _(
                "The plan projects no monthly profit (revenue %(revenue)s, costs %(costs)s), "
                "so no installment can be repaid from it. A plan whose revenue exceeds its "
                "costs would change it."
            ) % {
                "revenue": format_money(plan.monthly_revenue),
                "costs": format_money(plan.monthly_costs),
            }
        return _(
            "The projected monthly profit of %(profit)s allows installments of at most "
            "%(cap)s, which repay at most %(affordable)s over %(months)s months; this "
            "product lends at least %(minimum)s. A higher projected profit or lower costs "
            "would change it."
        ) % {
            "profit": format_money(profit),
            "cap": format_money(sizing.installment_cap),
            "affordable": format_money(sizing.limit(AFFORDABILITY).amount),
            "months": localise_digits(str(sizing.months)),
            "minimum": minimum,
        }
    return _(
        "This product lends at most %(maximum)s, below its own minimum of %(minimum)s: "
        "choose another product."
    ) % {"maximum": format_money(sizing.limit(PRODUCT_MAX).amount), "minimum": minimum}
