"""What loans add to the placement form and page (the `placements.placement_page`
convention): the choice of the loan that financed a new own business, the link made in
the placement's transaction, and a card naming the loan on the placement page."""

from django.utils.translation import gettext as _

from centres.access import may
from clients.client_page import Panel
from hami.errors import DomainError
from placements.models import PlacementKind

from . import selectors, services
from .forms import financing_loan_field

FIELD = "financing_loan"


def form_fields(enrolment) -> dict:
    """The client's loans not yet linked to a business, when there are any."""
    loans = selectors.loans_to_finance(enrolment)
    if not loans.exists():
        return {}
    return {FIELD: financing_loan_field(loans)}


def placed(placement, data: dict, *, by, at) -> None:
    loan = data.get(FIELD)
    if loan is None:
        return
    if placement.kind != PlacementKind.SELF_EMPLOYMENT:
        raise DomainError(_("A loan is linked to the client's own business only."))
    services.link_placement(loan=loan, placement=placement, by=by, at=at)


def panels(request, placement) -> list[Panel]:
    if placement.kind != PlacementKind.SELF_EMPLOYMENT:
        return []
    loans = list(selectors.loans_of_business(placement))
    return [
        Panel(
            "loans/includes/placement_panel.html",
            {
                "loans": loans,
                "may_see_loans": bool(loans) and may(request.user, "loans:detail", loans[0]),
            },
        )
    ]
