from django.contrib import admin

from .models import Transfer


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    """Read only: a transfer is requested and decided through the pages, which move the file."""

    list_display = ["client", "from_centre", "to_centre", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["client", "from_centre", "to_centre"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
