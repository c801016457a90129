"""Pages of centre-opening applications.

Open without logging in: the application form, the tracking page (the tracking code is
typed, never put in an address, and remembered by the session), the changes the national
office asked for, and the first manager's invitation. Posts to the first three are
throttled per address (`throttle.py`). Everything else is the national office's.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hami.errors import DomainError

from . import applications, selectors, throttle
from .access import NATIONAL, access, public
from .application_forms import (
    ApplicationFilter,
    ApplicationForm,
    ApproveForm,
    InvitationForm,
    ReturnForm,
    ReviewForm,
    TrackForm,
)
from .models import (
    ApplicationAction,
    ApplicationDocument,
    ApplicationEvent,
    CentreApplication,
    ManagerInvitation,
)

TRACKED = "centres_tracked_application"  # session: the application this visitor follows
INVITATION = "centres_invitation"  # session: the invitation token, out of the address
NEW_LINKS = "centres_invitation_links"  # session: a link to show the office once
APPLICATIONS_PER_PAGE = 50


def _too_many(request, page: str, limit: int):
    """The 429 page once this address has posted `page` too often this hour."""
    if request.method == "POST" and not throttle.allow(request, page, limit=limit):
        return render(request, "centres/throttled.html", status=429)
    return None


def _tracked(request) -> CentreApplication | None:
    pk = request.session.get(TRACKED)
    if not isinstance(pk, int):
        return None
    return (
        CentreApplication.objects.select_related("province", "centre")
        .prefetch_related("trades")
        .filter(pk=pk)
        .first()
    )


def _track_page(request, form, application, status=200):
    events = (
        application.events.filter(
            action__in=[
                ApplicationAction.SUBMIT,
                ApplicationAction.REVIEW,
                ApplicationAction.ASK_FOR_CHANGES,
                ApplicationAction.RESUBMIT,
                ApplicationAction.APPROVE,
                ApplicationAction.REJECT,
            ]
        )
        if application
        else []
    )
    return render(
        request,
        "centres/track.html",
        {"form": form, "application": application, "events": events},
        status=status,
    )


# -- public ---------------------------------------------------------------------------------


@public
@never_cache
def apply(request):
    if refused := _too_many(request, "apply", settings.HAMI_APPLY_POSTS_PER_HOUR):
        return refused
    posted = request.method == "POST"
    form = ApplicationForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        application = applications.submit_application(
            fields=form.application_fields(),
            trades=form.cleaned_data["trades"],
            documents=form.documents,
        )
        request.session[TRACKED] = application.pk
        messages.success(
            request,
            _(
                "Your application was sent. Your tracking code is %(code)s: write it down, "
                "you need it to follow the application."
            )
            % {"code": application.tracking_code_display},
        )
        return redirect("centres:track")
    return render(request, "centres/apply.html", {"form": form})


@public
@never_cache
def track(request):
    if refused := _too_many(request, "track", settings.HAMI_TRACK_POSTS_PER_HOUR):
        return refused
    form = TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        application = applications.find_by_tracking_code(form.cleaned_data["code"])
        if application is None:
            form.add_error(
                "code",
                _("No application has this tracking code. Check it and type it again."),
            )
        else:
            request.session[TRACKED] = application.pk
            return redirect("centres:track")
    return _track_page(request, form, None if form.errors else _tracked(request))


@public
@never_cache
def revise(request):
    """The applicant changes the application, when the national office asked for it."""
    application = _tracked(request)
    if application is None or not application.is_open_to_applicant:
        return _track_page(request, TrackForm(), application)
    if refused := _too_many(request, "apply", settings.HAMI_APPLY_POSTS_PER_HOUR):
        return refused
    posted = request.method == "POST"
    form = ApplicationForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        instance=application,
        revising=True,
    )
    if posted and form.is_valid():
        try:
            applications.resubmit_application(
                application=application,
                fields=form.application_fields(),
                trades=form.cleaned_data["trades"],
                documents=form.documents,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your changes were sent to the national office."))
            return redirect("centres:track")
    asked = application.events.filter(action=ApplicationAction.ASK_FOR_CHANGES).last()
    return render(
        request,
        "centres/apply.html",
        {"form": form, "application": application, "asked": asked},
    )


@public
@never_cache
def invitation(request):
    """The first manager's account. The link's token is moved from the address into the
    session at once (so it is in no later address, referrer or history entry)."""
    if "token" in request.GET:
        request.session[INVITATION] = request.GET["token"][:100]
        return redirect("centres:invitation")
    token = request.session.get(INVITATION)
    opened = applications.open_invitation(token) if isinstance(token, str) else None
    if opened is None:
        return render(request, "centres/invitation.html", {"invitation": None})
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            applications.accept_invitation(
                token=token,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password1"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        except IntegrityError:  # the same username taken a moment ago
            form.add_error("username", _("This username is taken. Choose another."))
        else:
            request.session.pop(INVITATION, None)
            messages.success(
                request,
                _("Your account was made. Log in with your username and password."),
            )
            return redirect("login")
    return render(request, "centres/invitation.html", {"invitation": opened, "form": form})


# -- the national office -----------------------------------------------------------------------


@access(NATIONAL)
def application_list(request):
    rows = CentreApplication.objects.select_related("province", "centre").annotate(
        document_count=Count("documents")
    )
    application_filter = ApplicationFilter(request.GET or None, queryset=rows, request=request)
    page = Paginator(application_filter.qs.order_by("-submitted_at", "pk"), APPLICATIONS_PER_PAGE)
    page = page.get_page(request.GET.get("page"))
    return render(
        request,
        "centres/application_list.html",
        {"filter": application_filter, "page": page, "applications": page.object_list},
    )


def _detail(request, application, *, review=None, approve=None, give_back=None, status=200):
    application = (
        CentreApplication.objects.select_related("province", "centre")
        .prefetch_related(
            "trades",
            Prefetch("events", queryset=ApplicationEvent.objects.select_related("by")),
        )
        .get(pk=application.pk)
    )
    reviewable = application.state in applications.REVIEWABLE
    invitation = (
        ManagerInvitation.objects.filter(centre=application.centre).select_related("user").first()
        if application.centre_id
        else None
    )
    links = request.session.get(NEW_LINKS) or {}
    new_link = links.pop(str(application.pk), None)
    if new_link:
        request.session[NEW_LINKS] = links
    default_name = _("Job-support centre of %(organisation)s") % {
        "organisation": application.organisation_name
    }
    return render(
        request,
        "centres/application_detail.html",
        {
            "application": application,
            "documents": application.documents.all(),
            "events": application.events.all(),
            "reviewable": reviewable,
            "review_form": review or ReviewForm(instance=application),
            "approve_form": approve or ApproveForm(initial={"centre_name": default_name[:150]}),
            "return_form": give_back or ReturnForm(),
            "invitation": invitation,
            "new_link": new_link,
        },
        status=status,
    )


def _refused(request, application, error):
    """A step the application's status does not allow (decided meanwhile, in another tab
    or by a colleague): the page again, saying why, with nothing changed."""
    messages.error(request, error.message)
    return redirect("centres:application", pk=application.pk)


@access(NATIONAL, model=CentreApplication)
def application_detail(request, centreapplication):
    return _detail(request, centreapplication)


@access(NATIONAL, model=CentreApplication)
def application_review(request, centreapplication):
    application = centreapplication
    if request.method != "POST":
        return redirect("centres:application", pk=application.pk)
    form = ReviewForm(request.POST, instance=CentreApplication.objects.get(pk=application.pk))
    if form.is_valid():
        try:
            applications.record_review(
                application=application,
                by=request.user,
                checklist=form.checklist(),
                site_visit_on=form.cleaned_data["site_visit_on"],
                site_visit_notes=form.cleaned_data["site_visit_notes"],
            )
        except DomainError as error:
            return _refused(request, application, error)
        else:
            messages.success(request, _("The review was saved."))
            return redirect("centres:application", pk=application.pk)
    return _detail(request, application, review=form)


def _remember_link(request, application, token):
    links = request.session.get(NEW_LINKS) or {}
    links[str(application.pk)] = request.build_absolute_uri(applications.invitation_path(token))
    request.session[NEW_LINKS] = links


@access(NATIONAL, model=CentreApplication)
def application_approve(request, centreapplication):
    application = centreapplication
    if request.method != "POST":
        return redirect("centres:application", pk=application.pk)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            application, token = applications.approve(
                application=application,
                by=request.user,
                centre_name=form.cleaned_data["centre_name"],
                opens_on=form.cleaned_data["opens_on"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            return _refused(request, application, error)
        else:
            _remember_link(request, application, token)
            messages.success(
                request,
                _("The application was approved and the centre “%(centre)s” was made.")
                % {"centre": application.centre.name},
            )
            return redirect("centres:application", pk=application.pk)
    return _detail(request, application, approve=form)


@access(NATIONAL, model=CentreApplication)
def application_return(request, centreapplication):
    application = centreapplication
    if request.method != "POST":
        return redirect("centres:application", pk=application.pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        action = ApplicationAction(form.cleaned_data["decision"])
        try:
            applications.return_application(
                application=application,
                by=request.user,
                action=action,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            return _refused(request, application, error)
        else:
            if action == ApplicationAction.REJECT:
                messages.success(request, _("The application was rejected."))
            else:
                messages.success(
                    request,
                    _(
                        "The applicant was asked for changes; they can make them with the tracking code."
                    ),
                )
            return redirect("centres:application", pk=application.pk)
    return _detail(request, application, give_back=form)


@access(NATIONAL, model=CentreApplication)
@require_POST
def application_invite(request, centreapplication):
    """A new invitation for the centre's first manager (the last one expired or was lost)."""
    application = centreapplication
    used = ManagerInvitation.objects.filter(centre=application.centre, used_at__isnull=False)
    if application.centre is None or used.exists():
        messages.error(request, _("This centre's manager account is already made."))
        return redirect("centres:application", pk=application.pk)
    _invitation, token = applications.issue_invitation(
        centre=application.centre, email=application.contact_email, by=request.user
    )
    _remember_link(request, application, token)
    messages.success(request, _("A new invitation link was made; the earlier one no longer works."))
    return redirect("centres:application", pk=application.pk)


@access(NATIONAL, model=ApplicationDocument)
def application_document(request, applicationdocument):
    """A document, as an attachment with the type its content was found to have."""
    document = applicationdocument
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@access(NATIONAL)
def network(request):
    return render(request, "centres/network.html", {"network": selectors.network_by_province()})
