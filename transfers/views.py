from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from centres.access import MANAGER, NATIONAL, STAFF, access
from clients.models import Client
from hami.errors import DomainError

from . import services
from .forms import DecisionForm, TransferNowForm, TransferRequestForm
from .models import Status, Transfer

PAGE_SIZE = 25
PENDING_FIRST = Case(When(status=Status.PENDING, then=Value(0)), default=Value(1))


@access(STAFF)
def transfer_request(request):
    """Asked from the registration form's duplicate message, which fills in the number."""
    initial = {k: request.GET[k] for k in ("id_type", "id_number") if k in request.GET}
    form = TransferRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_transfer(
                to_centre=request.principal.centre, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Your request was sent to the client's centre and the national office. "
                    "The client's file appears in your list once the transfer is agreed."
                ),
            )
            return redirect("clients:list")
    return render(request, "transfers/transfer_request.html", {"form": form})


@access(MANAGER, NATIONAL)
def transfer_list(request):
    transfers = (
        Transfer.objects.visible_to(request.user)
        .select_related("client", "from_centre", "to_centre", "requested_by", "decided_by")
        .order_by(PENDING_FIRST, "-requested_at", "-pk")
    )
    status = request.GET.get("status")
    if status in Status.values:
        transfers = transfers.filter(status=status)
    page = Paginator(transfers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "transfers/transfer_list.html",
        {"page": page, "statuses": Status.choices, "status": status},
    )


@access(MANAGER, NATIONAL, model=Transfer)
def transfer_decide(request, transfer):
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and transfer.is_pending and form.is_valid():
        agree = form.cleaned_data["decision"] == "agree"
        try:
            services.decide(
                transfer=transfer, by=request.user, agree=agree, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if agree:
                messages.success(
                    request,
                    _("The file of %(name)s moved to %(centre)s.")
                    % {"name": transfer.client, "centre": transfer.to_centre},
                )
            else:
                messages.info(request, _("The transfer was refused."))
            return redirect("transfers:list")
    return render(request, "transfers/transfer_decide.html", {"transfer": transfer, "form": form})


@access(NATIONAL, model=Client)
def transfer_now(request, client):
    form = TransferNowForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.transfer_now(client=client, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("The file of %(name)s moved to %(centre)s.")
                % {"name": client, "centre": transfer.to_centre},
            )
            return redirect("clients:detail", pk=client.pk)
    return render(request, "transfers/transfer_now.html", {"client": client, "form": form})
