from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Assessment, Client, Enrolment, EnrolmentTransition


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    fields = ["centre", "state", "course", "opened_at", "closed_at"]
    readonly_fields = ["opened_at", "closed_at"]
    show_change_link = True


@admin.register(Client)
class ClientAdmin(SimpleHistoryAdmin):
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
    autocomplete_fields = ["centre", "province"]
    list_select_related = ["centre"]
    readonly_fields = ["created_at", "created_by", "updated_at", "consent_recorded_at"]
    inlines = [EnrolmentInline]


class TransitionInline(admin.TabularInline):
    model = EnrolmentTransition
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_state", "to_state", "by", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(SimpleHistoryAdmin):
    list_display = ["client", "centre", "state", "course", "opened_at", "closed_at"]
    list_filter = ["state", "centre"]
    search_fields = ["client__first_name", "client__last_name", "client__id_number"]
    autocomplete_fields = ["client", "centre", "course"]
    list_select_related = ["client", "centre", "course"]
    inlines = [TransitionInline]


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
    autocomplete_fields = ["client", "assessor"]
    filter_horizontal = ["preferred_trades"]


@admin.register(EnrolmentTransition)
class EnrolmentTransitionAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "action", "from_state", "to_state", "by", "at"]
    list_filter = ["action", "to_state"]
    list_select_related = ["enrolment__client", "by"]

    def has_change_permission(self, request, obj=None):
        return False  # the log is a record, not a draft
