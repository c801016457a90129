"""The Django admin for clients: a window on the records, not a way round the workflow.

An enrolment's state and the fields that go with it change only through the services (the
seat rule, the transition log): here they are read-only, a history revert is refused, and
the admin actions on enrolments call the services. The transition log can be read, never
changed or deleted, by anyone, superusers included."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from hami.errors import DomainError

from . import services
from .forms import ReasonForm
from .models import Assessment, Client, Enrolment, EnrolmentTransition


class NoRevertHistoryAdmin(SimpleHistoryAdmin):
    """History to read, not to revert: a revert saves every field of the old version,
    read-only ones included, past the services."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


ENROLMENT_FIELDS = [
    "client",
    "centre",
    "state",
    "course",
    "waiting_since",
    "seat_offered_at",
    "training_started_on",
    "training_finished_on",
    "attendance_percent",
    "certificate_number",
    "review_on",
    "opened_at",
    "closed_at",
    "exit_reason",
]


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    fields = ["centre", "state", "course", "opened_at", "closed_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # an enrolment is opened through the app, which logs it


@admin.register(Client)
class ClientAdmin(NoRevertHistoryAdmin):
    list_display = [
        "last_name",
        "first_name",
        "id_number",
        "welfare_file_number",
        "centre",
        "category",
    ]
    list_filter = ["category", "gender", "education", "centre__province", "centre"]
    search_fields = ["first_name", "last_name", "id_number", "welfare_file_number"]
    autocomplete_fields = ["province"]
    list_select_related = ["centre"]
    # A client moves to another centre by a transfer of their file, not by an edit.
    readonly_fields = ["centre", "created_at", "created_by", "updated_at", "consent_recorded_at"]
    inlines = [EnrolmentInline]

    def has_add_permission(self, request):
        return False  # registration records consent and opens the enrolment: the app does


class TransitionInline(admin.TabularInline):
    model = EnrolmentTransition
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_state", "to_state", "by", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LeaveForm(ReasonForm):
    """What an admin action on enrolments asks for before it calls the service: the reason
    (read as the app's own form reads it) and, to park a client, the review date."""

    review_on = forms.DateField(label=_("Review on"), widget=AdminDateWidget, required=False)

    def __init__(self, *args, needs_review_date: bool, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["version"]  # the action works on the files as they are now
        if needs_review_date:
            self.fields["review_on"].required = True
        else:
            del self.fields["review_on"]

    def clean_review_on(self):
        review_on = self.cleaned_data["review_on"]
        if review_on is not None and review_on <= timezone.localdate():
            raise forms.ValidationError(_("The review date must be in the future."))
        return review_on


@admin.register(Enrolment)
class EnrolmentAdmin(NoRevertHistoryAdmin):
    list_display = ["client", "centre", "state", "course", "opened_at", "closed_at"]
    list_filter = ["state", "centre"]
    search_fields = ["client__first_name", "client__last_name", "client__id_number"]
    list_select_related = ["client", "centre", "course"]
    fields = ENROLMENT_FIELDS
    readonly_fields = ENROLMENT_FIELDS
    inlines = [TransitionInline]
    actions = ["withdraw", "mark_not_ready"]

    def has_add_permission(self, request):
        return False  # opened through the app, at intake, with its log

    def has_delete_permission(self, request, obj=None):
        return False  # the journey and its log are a record

    @admin.action(description=_("Withdraw the selected enrolments"))
    def withdraw(self, request, queryset):
        return self._leave(
            request,
            queryset,
            title=_("Withdraw from the programme"),
            needs_review_date=False,
            perform=lambda enrolment, data: services.withdraw(
                enrolment=enrolment, by=request.user, reason=data["reason"]
            ),
        )

    @admin.action(description=_("Mark the selected enrolments as not ready yet"))
    def mark_not_ready(self, request, queryset):
        return self._leave(
            request,
            queryset,
            title=_("Mark as not ready yet"),
            needs_review_date=True,
            perform=lambda enrolment, data: services.mark_not_ready(
                enrolment=enrolment,
                by=request.user,
                reason=data["reason"],
                review_on=data["review_on"],
            ),
        )

    def _leave(self, request, queryset, *, title, needs_review_date, perform):
        """Ask for the reason (and review date) on an intermediate page, then call the
        service for each enrolment in the admin's own request scope; each one is its own
        transaction, and a refusal is reported with the client's name."""
        form = LeaveForm(
            request.POST if "apply" in request.POST else None,
            needs_review_date=needs_review_date,
        )
        if form.is_bound and form.is_valid():
            done = 0
            for enrolment in queryset.select_related("client"):
                try:
                    perform(enrolment, form.cleaned_data)
                except DomainError as error:
                    self.message_user(
                        request, f"{enrolment.client}: {error.message}", messages.ERROR
                    )
                else:
                    done += 1
            if done:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d enrolment was changed.",
                        "%(count)d enrolments were changed.",
                        done,
                    )
                    % {"count": done},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "enrolments": queryset.select_related("client", "centre"),
            "action": request.POST.get("action"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/clients/enrolment/leave.html", context)


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = [
        "client",
        "assessed_on",
        "interested_in_work",
        "work_capacity",
        "recommended_track",
        "review_on",
    ]
    list_filter = ["work_capacity", "recommended_track", "interested_in_work"]
    search_fields = ["client__first_name", "client__last_name", "client__id_number"]
    filter_horizontal = ["preferred_trades"]
    # What the assessment decided moved the enrolment; it stays as it was recorded.
    readonly_fields = [
        "client",
        "assessor",
        "assessed_on",
        "interested_in_work",
        "work_capacity",
        "review_on",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False  # an assessment moves the enrolment: recorded through the app


@admin.register(EnrolmentTransition)
class EnrolmentTransitionAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "action", "from_state", "to_state", "by", "at"]
    list_filter = ["action", "to_state"]
    list_select_related = ["enrolment__client", "by"]

    # The log is a record, not a draft: nobody adds, changes or deletes a step here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
