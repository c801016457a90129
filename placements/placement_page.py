"""What the apps built on placements add to the placement form and page, without this app
importing them: the `clients.client_page` convention, one layer up.

Loans are the case in point. A business of the client's own is often financed by a soft
loan, and the link is a field of the loan (`loans` sits above `placements`), so this app
cannot ask for loans by name. Instead it finds each installed app's `placement_page`
module and calls what it defines, in `INSTALLED_APPS` order:

    def form_fields(enrolment) -> dict[str, forms.Field]
        # extra fields of the placement form's own-business part (the loan that
        # financed it); none when there is nothing to offer this client

    def placed(placement, data: dict, *, by, at) -> None
        # called inside `services.place`'s transaction with those fields' cleaned values
        # (empty for a wage job); a `DomainError` refuses the whole placement

    def panels(request, placement) -> Iterable[Panel]
        # cards on the placement page (`clients.client_page.Panel`)

An app that defines none of them is passed over.
"""

from django import forms

from clients.client_page import Panel, app_modules

MODULE = "placement_page"


def _modules():
    return app_modules(MODULE, besides=__package__)


def form_fields(enrolment) -> dict[str, forms.Field]:
    fields = {}
    for module in _modules():
        if hasattr(module, "form_fields"):
            fields.update(module.form_fields(enrolment))
    return fields


def placed(placement, data: dict, *, by, at) -> None:
    for module in _modules():
        if hasattr(module, "placed"):
            module.placed(placement, data, by=by, at=at)


def panels(request, placement) -> list[Panel]:
    found = []
    for module in _modules():
        if hasattr(module, "panels"):
            found.extend(module.panels(request, placement))
    return found
