from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from centres.access import NATIONAL, STAFF, access
from clients.models import Enrolment
from clients.services import StaleForm
from clients.workflow import Action, refusal
from hami.errors import DomainError
from hami.pagination import keyset_page, page_size

from . import placement_page, selectors, services
from .forms import EmployerForm, FollowUpForm, OpeningForm, PlacementForm
from .models import Employer, FollowUp, Opening, Placement

EMPLOYERS_PER_PAGE = 25


# -- placements --------------------------------------------------------------------------


@access(STAFF, model=Enrolment)
def placement_create(request, enrolment):
    """Place the client of `enrolment`; `?opening=<id>` pre-fills a wage job from one of
    the centre's openings (the opening page's suggestions link here)."""
    client = enrolment.client
    cannot = refusal(enrolment, Action.PLACE)
    if cannot is not None:
        messages.error(request, cannot)
        return redirect("clients:detail", pk=client.pk)
    form = PlacementForm(
        request.POST or None,
        enrolment=enrolment,
        initial={"version": enrolment.version, "kind": "wage_job"},
    )
    if request.method == "GET":
        _prefill_from_opening(form, request.GET.get("opening"))
    if request.method == "POST" and form.is_valid():
        try:
            placement = services.place(
                enrolment=enrolment,
                by=request.user,
                **form.placement_fields(),
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            if isinstance(error, StaleForm):
                form.data = form.data.copy()
                form.data["version"] = error.version
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(name)s is placed; the follow-up calls are scheduled.") % {"name": client},
            )
            return redirect("placements:detail", pk=placement.pk)
    return render(
        request,
        "placements/placement_form.html",
        {"form": form, "enrolment": enrolment, "client": client, "opening": _opening_of(form)},
    )


def _prefill_from_opening(form, opening_id):
    """The wage job's fields as the opening offers them."""
    if not (opening_id or "").isdigit():
        return
    opening = form.fields["opening"].queryset.filter(pk=opening_id).first()
    if opening is None:
        return
    form.initial.update(
        {
            "opening": opening.pk,
            "kind": "wage_job",
            "employer": opening.employer_id,
            "job_title": opening.title,
            "skill_level": opening.skill_level,
            "monthly_wage": opening.wage_offered,
        }
    )


def _opening_of(form):
    """The opening the form places into, to name it on the page."""
    opening_id = form["opening"].value()
    if not str(opening_id or "").isdigit():
        return None
    return form.fields["opening"].queryset.select_related("employer").filter(pk=opening_id).first()


@access(STAFF, NATIONAL, model=Placement)
def placement_detail(request, placement):
    return render(
        request,
        "placements/placement_detail.html",
        {
            "placement": placement,
            "client": placement.enrolment.client,
            "follow_ups": selectors.placement_with_follow_ups(placement),
            "panels": placement_page.panels(request, placement),
        },
    )


# -- openings ----------------------------------------------------------------------------


@access(STAFF, NATIONAL)
def opening_list(request):
    openings = selectors.openings_for(request.user)
    opening_filter = selectors.OpeningFilter(request.GET or None, queryset=openings)
    page = Paginator(opening_filter.qs, EMPLOYERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "placements/opening_list.html",
        {
            "filter": opening_filter,
            "page": page,
            "openings": page.object_list,
            "show_centre": request.principal.sees_all_centres,
            "today": timezone.localdate(),
        },
    )


@access(STAFF, NATIONAL, model=Opening)
def opening_detail(request, opening):
    today = timezone.localdate()
    is_open = opening.is_open_on(today)
    return render(
        request,
        "placements/opening_detail.html",
        {
            "opening": opening,
            "is_open": is_open,
            "suggestions": selectors.suggestions(opening, today=today) if is_open else [],
            "placements": opening.placements.select_related("enrolment__client"),
        },
    )


@access(STAFF)
def opening_create(request):
    opening = Opening(centre=request.principal.centre)
    form = OpeningForm(request.POST or None, instance=opening)
    employer_id = request.GET.get("employer", "")
    if request.method == "GET" and employer_id.isdigit():
        form.initial["employer"] = int(employer_id)
    return _save_opening(request, form, created=True)


@access(STAFF, model=Opening)
def opening_edit(request, opening):
    return _save_opening(request, OpeningForm(request.POST or None, instance=opening))


def _save_opening(request, form, *, created=False):
    saved_title = form.instance.title
    if request.method == "POST" and form.is_valid():
        try:
            opening = services.save_opening(opening=form.instance, by=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("The opening “%(title)s” was saved.") % {"title": opening.title}
            )
            return redirect("placements:opening_detail", pk=opening.pk)
    return render(
        request,
        "placements/opening_form.html",
        {"form": form, "opening": None if created else form.instance, "saved_title": saved_title},
    )


@access(STAFF, model=Opening)
@require_POST
def opening_close(request, opening):
    services.close_opening(opening=opening, by=request.user)
    messages.success(request, _("The opening was closed: it is no longer suggested."))
    return redirect("placements:opening_detail", pk=opening.pk)


# -- follow-ups --------------------------------------------------------------------------


@access(STAFF)
def follow_up_worklist(request):
    centre = request.principal.centre
    return render(
        request,
        "placements/follow_up_worklist.html",
        {"centre": centre, "worklist": selectors.follow_up_worklist(centre)},
    )


@access(STAFF, model=FollowUp)
def follow_up_record(request, followup):
    follow_up = followup
    placement = follow_up.placement
    form = None
    if follow_up.is_open and placement.is_current:
        form = FollowUpForm(request.POST or None, follow_up=follow_up)
        if request.method == "POST" and form.is_valid():
            try:
                services.record_follow_up(follow_up=follow_up, by=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The follow-up was recorded."))
                return redirect("follow_ups:worklist")
    elif request.method == "POST":
        messages.error(request, _("This follow-up is not open: nothing was recorded."))
        return redirect("placements:detail", pk=placement.pk)
    return render(
        request,
        "placements/follow_up_form.html",
        {
            "form": form,
            "follow_up": follow_up,
            "placement": placement,
            "client": placement.enrolment.client,
        },
    )


# -- employers ---------------------------------------------------------------------------


@access(STAFF, NATIONAL)
def employer_list(request):
    employers = selectors.employers_for(request.user)
    employer_filter = selectors.EmployerFilter(request.GET or None, queryset=employers)
    page = keyset_page(employer_filter.qs, request.GET, size=page_size(request.GET))
    return render(
        request,
        "placements/employer_list.html",
        {
            "filter": employer_filter,
            "page": page,
            "employers": page.object_list,
            "show_centre": request.principal.sees_all_centres,
        },
    )


@access(STAFF, NATIONAL, model=Employer)
def employer_detail(request, employer):
    return render(
        request,
        "placements/employer_detail.html",
        {"employer": employer, "record": selectors.employer_record(employer)},
    )


@access(STAFF)
def employer_create(request):
    form = EmployerForm(request.POST or None, instance=Employer(centre=request.principal.centre))
    return _save_employer(request, form, created=True)


@access(STAFF, model=Employer)
def employer_edit(request, employer):
    return _save_employer(request, EmployerForm(request.POST or None, instance=employer))


def _save_employer(request, form, *, created=False):
    saved_name = form.instance.name  # the form changes the instance while it validates
    if request.method == "POST" and form.is_valid():
        try:
            employer = services.save_employer(employer=form.instance, by=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            message = (
                _("“%(name)s” was added to the employers.")
                if created
                else _("“%(name)s” was saved.")
            )
            messages.success(request, message % {"name": employer})
            return redirect("placements:employer_detail", pk=employer.pk)
    return render(
        request,
        "placements/employer_form.html",
        {"form": form, "employer": None if created else form.instance, "saved_name": saved_name},
    )
