from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from centres.access import MANAGER, NATIONAL, STAFF, access, may
from centres.models import Centre
from hami.errors import DomainError
from hami.htmx import render_page_or_fragment
from hami.pagination import keyset_page, page_size

from . import client_page, selectors, services
from .forms import (
    AssessmentForm,
    ClientForm,
    FinishTrainingForm,
    NotReadyForm,
    ReasonForm,
    StartTrainingForm,
    WithdrawForm,
)
from .models import Client, Enrolment, State
from .workflow import Action, can


@access(STAFF, NATIONAL)
def client_list(request):
    clients = selectors.clients_with_current_enrolment(request.user)
    client_filter = selectors.ClientFilter(request.GET, queryset=clients, user=request.user)
    page = keyset_page(
        client_filter.qs,
        request.GET,
        size=page_size(request.GET),
        search=bool(client_filter.form.is_valid() and client_filter.form.cleaned_data["q"]),
    )
    # htmx asks for the results alone as the filters change; a plain request gets the page.
    return render_page_or_fragment(
        request,
        "clients/client_list.html",
        "results",
        {"filter": client_filter, "page": page},
    )


@access(STAFF)
def worklist(request):
    centre = request.principal.centre
    return render(
        request,
        "clients/worklist.html",
        {
            "centre": centre,
            "worklist": selectors.worklist(centre),
        },
    )


@access(STAFF)
def client_create(request):
    centre = request.principal.centre
    form = ClientForm(request.POST or None, centre=centre)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "consent"}
        try:
            client = services.register_client(centre=centre, by=request.user, **fields)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(name)s is registered and waits for an intake assessment.") % {"name": client},
            )
            return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/client_form.html", {"form": form, "client": None})


@access(STAFF, NATIONAL, model=Client)
def client_detail(request, client):
    enrolment = selectors.open_enrolment(client)
    context = {
        "client": client,
        "enrolment": enrolment,
        "timeline": selectors.timeline(client),
        "actions": _available_actions(request, client, enrolment),
        "panels": client_page.panels(request, client, enrolment),
    }
    if enrolment and enrolment.state == State.WAITING:
        context["waiting_position"] = services.waiting_position(enrolment)
    return render(request, "clients/client_detail.html", context)


# The buttons of the client page: each action view and the moves it makes. A button shows
# when the transition table allows one of its moves now and the user may use the view.
BUTTONS: dict[str, tuple[Action, ...]] = {
    "assess": (Action.ASSESS_READY, Action.ASSESS_NOT_READY),
    "start_training": (Action.START_TRAINING, Action.JOIN_WAITING_LIST),
    "finish_training": (Action.FINISH_TRAINING,),
    "confirm_seat": (Action.CONFIRM_SEAT,),
    "skip_seat": (Action.SKIP_SEAT,),
    "not_ready": (Action.MARK_NOT_READY,),
    "withdraw": (Action.WITHDRAW,),
}


def _available_actions(request, client, enrolment) -> set[str]:
    """The buttons the page shows: what the transition table allows (`can`) and the user
    may do (the action view's own access rule, through `may`)."""
    if enrolment is None:
        possible = {"reopen"}
    else:
        possible = {
            button
            for button, moves in BUTTONS.items()
            if any(can(enrolment, action) for action in moves)
        }
    return {action for action in possible if may(request.user, f"clients:{action}", client)}


@access(STAFF, model=Client)
def client_edit(request, client):
    form = ClientForm(request.POST or None, instance=client, centre=request.principal.centre)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The client's details were saved."))
        return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/client_form.html", {"form": form, "client": client})


@access(STAFF, model=Client)
def assessment_create(request, client):
    enrolment = selectors.open_enrolment(client)
    form = AssessmentForm(request.POST or None, client=client, initial=_shown_version(enrolment))
    if request.method == "POST" and form.is_valid() and enrolment is not None:
        fields = dict(form.cleaned_data)
        trades = fields.pop("preferred_trades")
        try:
            assessment = services.record_assessment(
                enrolment=enrolment, by=request.user, preferred_trades=trades, **fields
            )
        except DomainError as error:
            form = _refused(form, error)
        else:
            if assessment.is_ready:
                messages.success(request, _("Assessment saved: the client is ready for training."))
            else:
                messages.info(
                    request,
                    _(
                        "Assessment saved: the client is not ready yet and returns to the worklist on the review date."
                    ),
                )
            return redirect("clients:detail", pk=client.pk)
    if enrolment is None:
        messages.error(request, _("Open a new enrolment before assessing this client."))
        return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/assessment_form.html", {"form": form, "client": client})


@access(STAFF, model=Client)
@require_POST
def enrolment_reopen(request, client):
    try:
        services.open_enrolment(client=client, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A new enrolment was opened at intake."))
    return redirect("clients:detail", pk=client.pk)


@access(STAFF, NATIONAL, model=Centre)
def centre_seats(request, centre):
    return render(
        request,
        "clients/centre_seats.html",
        {
            "centre": centre,
            "worklist": selectors.worklist(centre),
            "trainees": selectors.training_now(centre),
        },
    )


def _shown_version(enrolment) -> dict:
    """The form's initial hidden `version`: the enrolment as the user sees it now."""
    return {"version": enrolment.version} if enrolment is not None else {}


def _refused(form, error: DomainError):
    """The form again with the refusal above it. After a refusal because the file changed,
    the form carries the new version: the user reads the file and may submit again."""
    if isinstance(error, services.StaleForm):
        form.data = form.data.copy()
        form.data["version"] = error.version
    form.add_error(None, error.message)
    return form


def _enrolment_action(request, enrolment, *, form, title, button, perform, success, intro=""):
    """The shared shape of an enrolment action page: a form, a service call, a message."""
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(form.cleaned_data)
        except DomainError as error:
            form = _refused(form, error)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect("clients:detail", pk=enrolment.client_id)
    context = {
        "form": form,
        "enrolment": enrolment,
        "client": enrolment.client,
        "title": title,
        "intro": intro,
        "button": button,
    }
    return render(request, "clients/enrolment_action.html", context)


@access(STAFF, model=Enrolment)
def enrolment_start_training(request, enrolment):
    def success(outcome):
        if outcome.started:
            return _("Training started.")
        return _("The centre is full: the client is number %(position)s on the waiting list.") % {
            "position": outcome.position
        }

    return _enrolment_action(
        request,
        enrolment,
        form=StartTrainingForm(
            request.POST or None, centre=enrolment.centre, initial=_shown_version(enrolment)
        ),
        title=_("Start training"),
        intro=_(
            "If the centre has no free seat, the client joins the end of the waiting list and is offered the next free seat."
        ),
        button=_("Start training"),
        perform=lambda data: services.request_training(
            enrolment=enrolment, by=request.user, **data
        ),
        success=success,
    )


@access(STAFF, model=Enrolment)
def enrolment_finish_training(request, enrolment):
    return _enrolment_action(
        request,
        enrolment,
        form=FinishTrainingForm(
            request.POST or None,
            started_on=enrolment.training_started_on,
            initial=_shown_version(enrolment),
        ),
        title=_("Finish training"),
        intro=_(
            "Record that the trainee completed the course. Their seat is offered to the next client on the waiting list."
        ),
        button=_("Finish training"),
        perform=lambda data: services.finish_training(enrolment=enrolment, by=request.user, **data),
        success=_("Training finished; the seat went to the next client in line, if any."),
    )


@access(STAFF, model=Enrolment)
def enrolment_withdraw(request, enrolment):
    return _enrolment_action(
        request,
        enrolment,
        form=WithdrawForm(request.POST or None, initial=_shown_version(enrolment)),
        title=_("Withdraw from the programme"),
        intro=_(
            "The enrolment is closed. A seat the client held is offered to the next client on the waiting list."
        ),
        button=_("Withdraw"),
        perform=lambda data: services.withdraw(enrolment=enrolment, by=request.user, **data),
        success=_("The enrolment was closed as withdrawn."),
    )


@access(STAFF, model=Enrolment)
def enrolment_not_ready(request, enrolment):
    return _enrolment_action(
        request,
        enrolment,
        form=NotReadyForm(request.POST or None, initial=_shown_version(enrolment)),
        title=_("Mark as not ready yet"),
        intro=_(
            "For a client who cannot go on for now (illness, a family crisis). The client returns to the worklist on the review date."
        ),
        button=_("Mark as not ready"),
        perform=lambda data: services.mark_not_ready(enrolment=enrolment, by=request.user, **data),
        success=_("The client is marked not ready and returns to the worklist on the review date."),
    )


def _posted_version(request) -> int | None:
    """The enrolment version a button was shown for; None when the post carries none."""
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


@access(MANAGER, model=Enrolment)
@require_POST
def enrolment_confirm_seat(request, enrolment):
    try:
        services.confirm_seat(
            enrolment=enrolment, by=request.user, version=_posted_version(request)
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Seat confirmed: %(name)s started training.") % {"name": enrolment.client}
        )
    return redirect("clients:seats", pk=enrolment.centre_id)


@access(MANAGER, model=Enrolment)
def enrolment_skip_seat(request, enrolment):
    return _enrolment_action(
        request,
        enrolment,
        form=ReasonForm(request.POST or None, initial=_shown_version(enrolment)),
        title=_("Skip the seat offer"),
        intro=_(
            "The client cannot start now: they go to the end of the waiting list and the seat is offered to the next client."
        ),
        button=_("Skip and offer to the next"),
        perform=lambda data: services.skip_seat(enrolment=enrolment, by=request.user, **data),
        success=_("The seat offer was passed to the next client in line."),
    )
