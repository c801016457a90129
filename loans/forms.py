"""The forms of the loan pages. Amounts are typed in the display unit (tomans by default)
and cleaned to rials by `hami.forms.MoneyField`; dates are Jalali on Persian pages."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hami.forms import HamiFormMixin, JalaliDateField, MoneyField, NationalCodeField
from hami.jalali import add_months, display_date
from hami.money import format_money
from hami.text import localise_digits
from hami.widgets import DigitsInput

from .models import (
    BusinessPlan,
    CostCategory,
    CreditLine,
    GuarantorKind,
    HardshipReason,
    LoanProduct,
    Premises,
)
from .services import HARDSHIP_MAX_MONTHS, CostLine

# Bounds that keep a typing slip from becoming a number the database cannot hold.
MAX_AMOUNT = 10**15  # rials: a hundred trillion tomans
MAX_QUANTITY = 100_000
MAX_COST_ITEMS = 50


def version_field():
    """The version of the application a form was shown for (hidden): a form shown for an
    older version is refused, so a second tab or a retried submit saves nothing."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class BusinessPlanForm(HamiFormMixin, forms.ModelForm):
    own_contribution = MoneyField(
        label=_("Own contribution"),
        max_value=MAX_AMOUNT,
        help_text=_("What the client puts in: savings, equipment already owned."),
    )
    monthly_revenue = MoneyField(label=_("Projected monthly revenue"), max_value=MAX_AMOUNT)
    monthly_costs = MoneyField(label=_("Projected monthly costs"), max_value=MAX_AMOUNT)
    jobs_created = forms.IntegerField(
        label=_("Jobs created"), min_value=1, max_value=1000, widget=DigitsInput
    )

    class Meta:
        model = BusinessPlan
        fields = [
            "title",
            "activity",
            "trade",
            "premises",
            "own_contribution",
            "monthly_revenue",
            "monthly_costs",
            "jobs_created",
        ]
        widgets = {"activity": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["premises"].choices = [("", _("Choose…")), *Premises.choices]
        self.fields["trade"].empty_label = _("No particular trade")
        self.fields["trade"].queryset = self.fields["trade"].queryset.filter(is_active=True)


class CostItemForm(HamiFormMixin, forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=CostCategory.choices)
    description = forms.CharField(label=_("Description"), max_length=200)
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        widget=DigitsInput,
        error_messages={"min_value": _("A quantity of at least 1.")},
    )
    unit_cost = MoneyField(
        label=_("Unit cost"),
        min_value=1,
        max_value=MAX_AMOUNT,
        error_messages={"min_value": _("A cost above zero.")},
    )

    def line(self) -> CostLine:
        data = self.cleaned_data
        return CostLine(data["category"], data["description"], data["quantity"], data["unit_cost"])


class BaseCostItemFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.lines():
            raise ValidationError(_("List at least one cost item."), code="no_items")

    def lines(self) -> list[CostLine]:
        return [
            form.line()
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


CostItemFormSet = forms.formset_factory(
    CostItemForm,
    formset=BaseCostItemFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_COST_ITEMS,
    validate_max=True,
    absolute_max=MAX_COST_ITEMS,
)
COST_ITEMS_PREFIX = "items"


def cost_items_formset(data=None, *, plan: BusinessPlan | None = None):
    """The cost items of `plan` (or one empty row for a new plan), as a formset."""
    if plan is not None and data is None:
        initial = [
            {
                "category": item.category,
                "description": item.description,
                "quantity": item.quantity,
                "unit_cost": item.unit_cost,
            }
            for item in plan.cost_items.all()
        ]
    else:
        initial = None
    formset = CostItemFormSet(data, initial=initial, prefix=COST_ITEMS_PREFIX)
    if data is None and not initial:
        formset.extra = 1
    for form in formset.forms:
        form.fields["DELETE"].label = _("Remove")
    return formset


def total_of(formset) -> int | None:
    """The running total of the rows that read as amounts, or None when none does."""
    total, any_row = 0, False
    for form in formset.forms:
        if form.is_valid() and not form.cleaned_data.get("DELETE") and form.cleaned_data:
            total += form.cleaned_data["quantity"] * form.cleaned_data["unit_cost"]
            any_row = True
    return total if any_row else None


class ApplicationForm(HamiFormMixin, forms.Form):
    version = version_field()
    product = forms.ModelChoiceField(
        label=_("Loan product"), queryset=LoanProduct.objects.filter(is_active=True)
    )
    term_months = forms.IntegerField(
        label=_("Term (months)"), min_value=1, max_value=240, widget=DigitsInput
    )
    amount = MoneyField(label=_("Amount"), min_value=1, max_value=MAX_AMOUNT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].empty_label = _("Choose…")

    def clean(self):
        cleaned = super().clean()
        product, term = cleaned.get("product"), cleaned.get("term_months")
        if product and term and term > product.max_term_months:
            self.add_error(
                "term_months",
                _("The term is at most %(months)s months for this product.")
                % {"months": localise_digits(str(product.max_term_months))},
            )
        return cleaned


class GuarantorForm(HamiFormMixin, forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=150)
    national_code = NationalCodeField(label=_("National code"))
    relation = forms.CharField(label=_("Relation to the client"), max_length=80, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=GuarantorKind.choices, widget=forms.RadioSelect
    )


class RecommendForm(HamiFormMixin, forms.Form):
    version = version_field()
    amount = MoneyField(
        label=_("Amount recommended"),
        min_value=1,
        max_value=MAX_AMOUNT,
        help_text=_("The amount asked for, or lower."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ApproveForm(HamiFormMixin, forms.Form):
    version = version_field()
    credit_line = forms.ModelChoiceField(label=_("Credit line"), queryset=CreditLine.objects.none())
    amount = MoneyField(label=_("Amount approved"), min_value=1, max_value=MAX_AMOUNT)
    override_reason = forms.CharField(
        label=_("Reason for lending above the sizing"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when the amount is above the plan's recommendation."),
    )

    def __init__(self, *args, lines, ledgers=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["credit_line"]
        field.queryset = lines
        field.empty_label = _("Choose…")
        ledgers = ledgers or {}

        def label(line):
            available = ledgers.get(line.pk)
            if available is None:
                return str(line)
            return _("%(line)s (available: %(available)s)") % {
                "line": line,
                "available": format_money(available),
            }

        field.label_from_instance = label


class ReasonForm(HamiFormMixin, forms.Form):
    version = version_field()
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason.")},
    )


class DisburseForm(HamiFormMixin, forms.Form):
    version = version_field()
    bank = forms.CharField(label=_("Bank"), max_length=120)
    disbursed_on = JalaliDateField(label=_("Paid out on"), max_date=timezone.localdate)
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=60, widget=DigitsInput)

    def __init__(self, *args, approved_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        if approved_on is not None:
            self.fields["disbursed_on"].min_date = approved_on
            self.fields["disbursed_on"].error_messages["min_date"] = _(
                "The loan was approved on %(date)s: it cannot be paid out before."
            )
        self.initial.setdefault("disbursed_on", timezone.localdate())


class RepaymentForm(HamiFormMixin, forms.Form):
    paid_on = JalaliDateField(label=_("Paid on"), max_date=timezone.localdate)
    amount = MoneyField(label=_("Amount"), min_value=1, max_value=MAX_AMOUNT)
    bank_reference = forms.CharField(
        label=_("Bank reference"), max_length=60, required=False, widget=DigitsInput
    )

    def __init__(self, *args, disbursed_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        if disbursed_on is not None:
            self.fields["paid_on"].min_date = disbursed_on
            self.fields["paid_on"].error_messages["min_date"] = _(
                "The loan was paid out on %(date)s: a repayment cannot come before."
            )
        self.initial.setdefault("paid_on", timezone.localdate())


class PauseForm(HamiFormMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Hardship"), choices=HardshipReason.choices)
    note = forms.CharField(
        label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = JalaliDateField(
        label=_("From"),
        min_date=lambda: add_months(timezone.localdate(), -1),
        max_date=lambda: add_months(timezone.localdate(), 1),
    )
    months = forms.TypedChoiceField(
        label=_("For"),
        coerce=int,
        choices=[(n, n) for n in range(1, HARDSHIP_MAX_MONTHS + 1)],
        help_text=_("Months; all of a loan's pauses together last at most a year."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = [
            (n, _("%(months)s months") % {"months": localise_digits(str(n))})
            for n in range(1, HARDSHIP_MAX_MONTHS + 1)
        ]
        self.initial.setdefault("starts_on", timezone.localdate())


class FollowUpCloseForm(HamiFormMixin, forms.Form):
    outcome = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what was done.")},
    )


# -- the business a loan financed --------------------------------------------------------


class FinancingLoanField(forms.ModelChoiceField):
    """A choice of the client's loans, each named by its plan, amount and state."""

    def label_from_instance(self, loan):
        return _("%(plan)s · %(amount)s · %(state)s") % {
            "plan": loan.plan.title,
            "amount": format_money(loan.amount),
            "state": loan.get_state_display(),
        }


def financing_loan_field(loans) -> FinancingLoanField:
    """The placement form's choice of the loan that financed a new own business."""
    return FinancingLoanField(
        queryset=loans,
        required=False,
        label=_("Financed by the loan"),
        empty_label=_("No loan financed it"),
        help_text=_("The client's approved or disbursed loan that pays for this business."),
    )


class BusinessChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, placement):
        return _("%(name)s · started on %(date)s") % {
            "name": placement.business_name,
            "date": display_date(placement.starts_on),
        }


class FinancedBusinessForm(HamiFormMixin, forms.Form):
    """Which of the client's own businesses the loan financed."""

    version = version_field()
    placement = BusinessChoiceField(
        queryset=None,
        label=_("Business"),
        empty_label=_("Choose…"),
        error_messages={"required": _("Choose the business the loan financed.")},
    )

    def __init__(self, *args, businesses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["placement"].queryset = businesses
