"""The Django admin for placements: a window on the records. What the services keep true
(an opening's filled places, a placement's schedule, a follow-up's record and status, the
reminders sent) is read-only here; those change only through the pages and the sweep."""

from django.contrib import admin

from .models import Employer, FollowUp, Opening, Placement, Reminder


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "centre", "company_id", "is_active"]
    list_filter = ["kind", "is_active", "centre__province", "centre"]
    search_fields = ["name", "company_id", "city", "sector"]
    readonly_fields = ["created_at", "created_by"]


@admin.register(Opening)
class OpeningAdmin(admin.ModelAdmin):
    list_display = ["title", "employer", "trade", "places", "filled", "open_until", "closed_at"]
    list_filter = ["trade", "skill_level", "centre"]
    search_fields = ["title", "employer__name"]
    readonly_fields = ["filled", "closed_at", "created_at", "created_by"]


class FollowUpInline(admin.TabularInline):
    model = FollowUp
    extra = 0
    fields = ["months_after", "due_on", "status", "outcome", "contacted_on", "assigned_to"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # a placement's schedule is made with it


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "enrolment", "starts_on", "ended_on", "centre"]
    list_filter = ["kind", "centre"]
    search_fields = ["job_title", "business_name", "employer__name", "enrolment__client__last_name"]
    readonly_fields = ["centre", "enrolment", "kind", "opening", "created_at", "created_by"]
    inlines = [FollowUpInline]

    def has_add_permission(self, request):
        return False  # placing moves the enrolment and schedules the follow-ups: the pages do


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["placement", "months_after", "due_on", "status", "outcome", "assigned_to"]
    list_filter = ["status", "outcome", "months_after", "centre"]
    readonly_fields = [
        "centre",
        "placement",
        "months_after",
        "due_on",
        "status",
        "contacted_on",
        "outcome",
        "recorded_at",
        "recorded_by",
        "cancelled_at",
        "cancel_reason",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "day", "user", "client", "status", "attempts", "sent_at"]
    list_filter = ["kind", "status", "day"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
