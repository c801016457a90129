from django.contrib import admin

from .models import Centre, Course, Membership, Province, Trade


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fa", "name_en"]
    search_fields = ["name_fa", "name_en", "code"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "province",
        "city",
        "operator",
        "training_capacity",
        "is_active",
    ]
    list_filter = ["is_active", "operator", "province"]
    search_fields = ["code", "name", "city", "province__name_fa", "province__name_en"]
    autocomplete_fields = ["province"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "centre", "role", "language", "created_at"]
    list_filter = ["role", "centre__province", "centre"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "centre__name"]
    autocomplete_fields = ["user", "centre"]
    list_select_related = ["user", "centre"]


@admin.register(Trade)
class TradeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fa", "name_en", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_fa", "name_en"]
    prepopulated_fields = {"code": ["name_en"]}


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "centre",
        "trade",
        "starts_on",
        "ends_on",
        "hours",
        "instructor",
        "awards_certificate",
    ]
    list_filter = ["centre", "trade", "awards_certificate"]
    search_fields = ["title", "instructor", "centre__name", "trade__name_fa", "trade__name_en"]
    autocomplete_fields = ["centre", "trade"]
    list_select_related = ["centre", "trade"]
    date_hierarchy = "starts_on"
