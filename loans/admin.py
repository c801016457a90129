"""The Django admin for loans: reference data (products, credit lines) is kept here; the
applications, schedules and repayments can be read, never changed, because every change
goes through the services (the workflow's log, the line's lock, the replay of
repayments)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from hami.money import format_money

from . import selectors
from .models import (
    BusinessPlan,
    CostItem,
    CreditLine,
    Installment,
    LoanApplication,
    LoanProduct,
    LoanTransition,
    Repayment,
)


@admin.register(LoanProduct)
class LoanProductAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "annual_rate",
        "min_amount",
        "max_amount",
        "max_term_months",
        "grace_months",
        "amortisation",
        "is_active",
    ]
    list_filter = ["is_active", "amortisation"]
    search_fields = ["name"]


@admin.register(CreditLine)
class CreditLineAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "bank",
        "fiscal_year",
        "total",
        "committed",
        "disbursed",
        "available",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["fiscal_year", "bank"]
    search_fields = ["reference", "bank"]
    filter_horizontal = ["provinces"]

    def get_queryset(self, request):
        self._ledgers = {line.pk: ledger for line, ledger in selectors.credit_lines_with_ledgers()}
        return super().get_queryset(request)

    def _ledger(self, line):
        ledgers = getattr(self, "_ledgers", {})
        return ledgers.get(line.pk) or selectors.credit_line_ledger(line)

    @admin.display(description=_("total"))
    def total(self, line):
        return format_money(line.total_amount)

    @admin.display(description=_("committed"))
    def committed(self, line):
        return format_money(self._ledger(line).committed)

    @admin.display(description=_("disbursed"))
    def disbursed(self, line):
        return format_money(self._ledger(line).disbursed)

    @admin.display(description=_("available"))
    def available(self, line):
        return format_money(self._ledger(line).available)


class ReadOnlyAdmin(admin.ModelAdmin):
    """To read, never to change: the services keep these rows."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CostItemInline(admin.TabularInline):
    model = CostItem
    extra = 0
    fields = ["category", "description", "quantity", "unit_cost"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BusinessPlan)
class BusinessPlanAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["title", "client", "premises", "created_at"]
    search_fields = ["title", "client__last_name"]
    inlines = [CostItemInline]

    def revert_disabled(self, request, obj=None):
        return True


class TransitionInline(admin.TabularInline):
    model = LoanTransition
    extra = 0
    fields = ["at", "action", "from_state", "to_state", "by", "reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LoanApplication)
class LoanApplicationAdmin(ReadOnlyAdmin):
    list_display = ["client", "centre", "product", "state", "amount", "days_past_due"]
    list_filter = ["state", "product", "centre"]
    search_fields = ["client__last_name", "client__id_number"]
    list_select_related = ["client", "centre", "product"]
    inlines = [TransitionInline]


@admin.register(Installment)
class InstallmentAdmin(ReadOnlyAdmin):
    list_display = ["loan", "number", "due_on", "principal_due", "interest_due", "paid_on"]
    list_select_related = ["loan__client"]


@admin.register(Repayment)
class RepaymentAdmin(ReadOnlyAdmin):
    list_display = ["loan", "paid_on", "amount", "bank_reference", "reversed_at"]
    list_select_related = ["loan__client"]
