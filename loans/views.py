"""The loan pages: thin views that parse the request, call a service or a selector, and
render or redirect. Who may use each is declared with `@access`; which buttons a page
shows is asked of the workflow table (`can`) and of the same access rules (`may`)."""

from django.contrib import messages
from django.db.models import Max
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from centres.access import MANAGER, NATIONAL, STAFF, access, may
from clients.models import Client
from hami.errors import DomainError
from hami.htmx import render_page_or_fragment
from hami.pagination import keyset_page, page_size

from . import arrears, exports, selectors, services
from .forms import (
    ApplicationForm,
    ApproveForm,
    BusinessPlanForm,
    CostItemForm,
    DisburseForm,
    FinancedBusinessForm,
    FollowUpCloseForm,
    GuarantorForm,
    PauseForm,
    ReasonForm,
    RecommendForm,
    RepaymentForm,
    cost_items_formset,
    total_of,
)
from .models import (
    LINKABLE_STATES,
    ArrearsFollowUp,
    BusinessPlan,
    CreditLine,
    Guarantor,
    LoanApplication,
    LoanProduct,
    Repayment,
)
from .sizing import size_loan
from .workflow import Action, can

# -- lists ------------------------------------------------------------------------------


@access(STAFF, NATIONAL)
def application_list(request):
    applications = selectors.applications_for(request.user)
    application_filter = selectors.ApplicationFilter(
        request.GET, queryset=applications, user=request.user
    )
    page = keyset_page(application_filter.qs, request.GET, size=page_size(request.GET))
    return render_page_or_fragment(
        request,
        "loans/application_list.html",
        "results",
        {"filter": application_filter, "page": page},
    )


@access(STAFF, NATIONAL)
def application_export(request):
    applications = selectors.applications_for(request.user)
    application_filter = selectors.ApplicationFilter(
        request.GET, queryset=applications, user=request.user
    )
    return exports.xlsx_response(
        exports.application_list_workbook(application_filter.qs), "loans.xlsx"
    )


@access(NATIONAL)
def review_queue(request):
    return render(request, "loans/review_queue.html", selectors.review_queue())


# -- business plans ---------------------------------------------------------------------


def _plan_page(request, *, client, plan=None):
    form = BusinessPlanForm(request.POST or None, instance=plan)
    items = cost_items_formset(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid() and items.is_valid():
        fields = {name: form.cleaned_data[name] for name in BusinessPlanForm.Meta.fields}
        try:
            plan = services.save_plan(
                client=client, by=request.user, plan=plan, items=items.lines(), **fields
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The business plan was saved."))
            return redirect("loans:plan", pk=plan.pk)
    return render(
        request,
        "loans/plan_form.html",
        {
            "form": form,
            "items": items,
            "client": client,
            "plan": plan,
            "total": total_of(items) if items.is_bound else _saved_total(plan),
        },
    )


def _saved_total(plan):
    return plan.total_cost if plan is not None else None


@access(STAFF, model=Client)
def plan_create(request, client):
    return _plan_page(request, client=client)


@access(STAFF, model=BusinessPlan)
def plan_edit(request, businessplan):
    if services.plan_is_locked(businessplan):
        messages.error(
            request,
            _("This plan's loan application has been submitted: the plan can no longer change."),
        )
        return redirect("loans:plan", pk=businessplan.pk)
    return _plan_page(request, client=businessplan.client, plan=businessplan)


@access(STAFF)
def cost_item_row(request):
    """One more empty row of the cost items formset, for htmx to append (and the new
    count of forms, swapped out of band into the management form)."""
    try:
        index = int(request.GET.get("items-TOTAL_FORMS", "0"))
    except ValueError:
        index = 0
    index = max(0, min(index, 49))
    form = CostItemForm(prefix=f"items-{index}")
    form.fields["DELETE"] = cost_items_formset().forms[0].fields["DELETE"]
    return render(
        request, "loans/includes/cost_item_row.html", {"row": form, "next_total": index + 1}
    )


@access(STAFF)
@require_POST
def plan_total(request):
    """The running total of the cost items as typed (amounts read as the plan's form reads
    them: Persian digits, grouping, tomans)."""
    items = cost_items_formset(request.POST)
    items.is_valid()
    return render(request, "loans/includes/plan_total.html", {"total": total_of(items)})


@access(STAFF, NATIONAL, model=BusinessPlan)
def plan_detail(request, businessplan):
    plan = businessplan
    products = list(LoanProduct.objects.filter(is_active=True))
    return render(
        request,
        "loans/plan_detail.html",
        {
            "plan": plan,
            "client": plan.client,
            "items": list(plan.cost_items.all()),
            "sizings": [(product, size_loan(plan, product)) for product in products],
            "application": getattr(plan, "application", None),
            "locked": services.plan_is_locked(plan),
            "history": plan.history.select_related("history_user").order_by("-history_date")[:20],
        },
    )


@access(STAFF, model=BusinessPlan)
def application_create(request, businessplan):
    plan = businessplan
    if hasattr(plan, "application"):
        return redirect("loans:detail", pk=plan.application.pk)
    form = ApplicationForm(request.POST or None)
    del form.fields["version"]  # a new application has no version yet
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.create_application(
                plan=plan,
                product=data["product"],
                term_months=data["term_months"],
                amount=data["amount"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The application was drafted."))
            return redirect("loans:detail", pk=application.pk)
    return render(
        request,
        "loans/application_form.html",
        {"form": form, "plan": plan, "client": plan.client, "application": None},
    )


# -- the application and loan page ------------------------------------------------------


# The buttons of the loan page: the action view and the move it makes.
BUTTONS = {
    "submit": Action.SUBMIT,
    "recommend": Action.RECOMMEND,
    "approve": Action.APPROVE,
    "reject": Action.REJECT,
    "disburse": Action.DISBURSE,
    "withdraw": Action.WITHDRAW,
}


def _available_actions(request, application) -> set[str]:
    """What the workflow table allows this user now (`can`), and the action's page lets
    them in (`may`): the same rule answers the button and the page."""
    actions = {
        name
        for name, action in BUTTONS.items()
        if can(application, action, by=request.user)
        and may(request.user, f"loans:{name}", application)
    }
    if application.state == "draft" and may(request.user, "loans:edit", application):
        actions.add("edit")
    if application.state in services.GUARANTOR_STATES and may(
        request.user, "loans:guarantor_add", application
    ):
        actions.add("guarantors")
    if application.is_active:
        for name in ("repay", "pause"):
            if may(request.user, f"loans:{name}", application):
                actions.add(name)
    if application.placement_id is not None:
        if may(request.user, "loans:unlink_placement", application):
            actions.add("unlink_placement")
    elif application.state in LINKABLE_STATES and may(
        request.user, "loans:link_placement", application
    ):
        actions.add("link_placement")
    return actions


@access(STAFF, NATIONAL, model=LoanApplication)
def application_detail(request, loanapplication):
    application = loanapplication
    today = timezone.localdate()
    installments = list(application.installments.order_by("number"))
    context = {
        "application": application,
        "plan": application.plan,
        "client": application.client,
        "sizing": size_loan(application.plan, application.product, months=application.term_months),
        "guarantors": list(application.guarantors.all()),
        "transitions": application.transitions.select_related("by"),
        "installments": installments,
        "repayments": application.repayments.select_related("recorded_by", "reversed_by"),
        "pauses": application.pauses.select_related("granted_by"),
        "follow_ups": application.arrears_follow_ups.select_related("assigned_to"),
        "position": selectors.position(application, installments, on=today)
        if installments
        else None,
        "actions": _available_actions(request, application),
        "may_reverse": may(request.user, "loans:reverse", application),
        "today": today,
    }
    return render(request, "loans/application_detail.html", context)


@access(STAFF, model=LoanApplication)
def application_edit(request, loanapplication):
    application = loanapplication
    initial = {
        "version": application.version,
        "product": application.product_id,
        "term_months": application.term_months,
        "amount": application.amount,
    }
    form = ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_application(
                application=application,
                product=data["product"],
                term_months=data["term_months"],
                amount=data["amount"],
                by=request.user,
                version=data["version"],
            )
        except DomainError as error:
            form = _refused(form, error)
        else:
            messages.success(request, _("The application was saved."))
            return redirect("loans:detail", pk=application.pk)
    return render(
        request,
        "loans/application_form.html",
        {
            "form": form,
            "plan": application.plan,
            "client": application.client,
            "application": application,
        },
    )


@access(STAFF, model=LoanApplication)
def guarantor_add(request, loanapplication):
    application = loanapplication
    form = GuarantorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_guarantor(application=application, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The guarantor was recorded."))
            return redirect("loans:detail", pk=application.pk)
    return _action_page(
        request,
        application,
        form=form,
        title=_("Record a guarantor"),
        button=_("Record the guarantor"),
    )


@access(STAFF, model=Guarantor)
@require_POST
def guarantor_remove(request, guarantor):
    try:
        services.remove_guarantor(guarantor=guarantor, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The guarantor was removed."))
    return redirect("loans:detail", pk=guarantor.application_id)


def _refused(form, error: DomainError):
    if isinstance(error, services.StaleForm):
        form.data = form.data.copy()
        form.data["version"] = error.version
    form.add_error(None, error.message)
    return form


def _action_page(request, application, *, form, title, button, intro="", danger=False):
    return render(
        request,
        "loans/application_action.html",
        {
            "form": form,
            "application": application,
            "client": application.client,
            "title": title,
            "button": button,
            "intro": intro,
            "danger": danger,
        },
    )


def _workflow_action(
    request, application, *, form, perform, success, title, button, intro="", danger=False
):
    """The shared shape of a workflow step's page: a form, a service call, a message."""
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            perform(data)
        except DomainError as error:
            form = _refused(form, error)
        else:
            messages.success(request, success)
            return redirect("loans:detail", pk=application.pk)
    return _action_page(
        request, application, form=form, title=title, button=button, intro=intro, danger=danger
    )


def _version(application) -> dict:
    return {"version": application.version}


def _posted_version(request) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


@access(STAFF, model=LoanApplication)
@require_POST
def application_submit(request, loanapplication):
    try:
        services.submit(
            application=loanapplication, by=request.user, version=_posted_version(request)
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The application was sent to the centre manager."))
    return redirect("loans:detail", pk=loanapplication.pk)


@access(MANAGER, model=LoanApplication)
def application_recommend(request, loanapplication):
    application = loanapplication
    form = RecommendForm(
        request.POST or None, initial={**_version(application), "amount": application.amount}
    )
    return _workflow_action(
        request,
        application,
        form=form,
        perform=lambda data: services.recommend(application=application, by=request.user, **data),
        success=_("The loan was recommended to the national office."),
        title=_("Recommend the loan"),
        button=_("Recommend"),
        intro=_(
            "The national office decides on the loan. You may recommend the amount asked for or a lower one."
        ),
    )


@access(NATIONAL, model=LoanApplication)
def application_approve(request, loanapplication):
    application = loanapplication
    today = timezone.localdate()
    lines = selectors.lines_for_approval(application, on=today)
    ledgers = {line.pk: ledger.available for line, ledger in selectors.credit_lines_with_ledgers()}
    form = ApproveForm(
        request.POST or None,
        lines=lines,
        ledgers=ledgers,
        initial={**_version(application), "amount": application.amount},
    )
    return _workflow_action(
        request,
        application,
        form=form,
        perform=lambda data: services.approve(application=application, by=request.user, **data),
        success=_("The loan was approved and its amount committed against the credit line."),
        title=_("Approve the loan"),
        button=_("Approve"),
        intro=_(
            "The amount is committed against the credit line you choose. An amount above the plan's recommendation needs your reason."
        ),
    )


@access(NATIONAL, model=LoanApplication)
def application_reject(request, loanapplication):
    application = loanapplication
    return _workflow_action(
        request,
        application,
        form=ReasonForm(request.POST or None, initial=_version(application)),
        perform=lambda data: services.reject(application=application, by=request.user, **data),
        success=_("The application was rejected."),
        title=_("Reject the application"),
        button=_("Reject"),
        danger=True,
    )


@access(NATIONAL, model=LoanApplication)
def application_disburse(request, loanapplication):
    application = loanapplication
    approved_on = timezone.localdate(application.decided_at) if application.decided_at else None
    form = DisburseForm(
        request.POST or None,
        approved_on=approved_on,
        initial={
            **_version(application),
            "bank": application.credit_line.bank if application.credit_line else "",
        },
    )
    return _workflow_action(
        request,
        application,
        form=form,
        perform=lambda data: services.disburse(application=application, by=request.user, **data),
        success=_("The disbursement was recorded and the schedule made."),
        title=_("Record the disbursement"),
        button=_("Record the disbursement"),
        intro=_(
            "Record the bank's payment to the client. The first installment falls due one month after this date."
        ),
    )


@access(STAFF, model=LoanApplication)
def application_withdraw(request, loanapplication):
    application = loanapplication
    return _workflow_action(
        request,
        application,
        form=ReasonForm(request.POST or None, initial=_version(application)),
        perform=lambda data: services.withdraw(application=application, by=request.user, **data),
        success=_("The application was withdrawn."),
        title=_("Withdraw the application"),
        button=_("Withdraw"),
        intro=_("The client gives up the loan. An approved amount goes back to the credit line."),
        danger=True,
    )


# -- repayments and hardship ------------------------------------------------------------


@access(STAFF, model=LoanApplication)
def repayment_create(request, loanapplication):
    loan = loanapplication
    form = RepaymentForm(request.POST or None, disbursed_on=loan.disbursed_on)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_repayment(loan=loan, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The repayment was recorded."))
            return redirect("loans:detail", pk=loan.pk)
    return _action_page(
        request,
        loan,
        form=form,
        title=_("Record a repayment"),
        button=_("Record the repayment"),
        intro=_(
            "It pays the oldest installment due first, interest before principal. Anything beyond what is due reduces the last installments."
        ),
    )


@access(MANAGER, model=Repayment)
def repayment_reverse(request, repayment):
    form = ReasonForm(request.POST or None)
    del form.fields["version"]
    if request.method == "POST" and form.is_valid():
        try:
            services.reverse_repayment(
                repayment=repayment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The repayment was reversed."))
            return redirect("loans:detail", pk=repayment.loan_id)
    return _action_page(
        request,
        repayment.loan,
        form=form,
        title=_("Reverse a repayment"),
        button=_("Reverse"),
        intro=_(
            "For an entry made by mistake. The repayment stays on record, marked reversed, and the others pay the schedule again."
        ),
        danger=True,
    )


@access(MANAGER, model=LoanApplication)
def arrears_pause(request, loanapplication):
    loan = loanapplication
    form = PauseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pause_arrears(loan=loan, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The arrears are paused."))
            return redirect("loans:detail", pk=loan.pk)
    return _action_page(
        request,
        loan,
        form=form,
        title=_("Pause the arrears for a hardship"),
        button=_("Pause the arrears"),
        intro=_(
            "The days of the pause do not count as days past due. Installments stay due and can be paid meanwhile."
        ),
    )


# -- the business the loan financed -------------------------------------------------------


@access(STAFF, model=LoanApplication)
def placement_link(request, loanapplication):
    loan = loanapplication
    form = FinancedBusinessForm(
        request.POST or None,
        businesses=selectors.businesses_to_link(loan),
        initial=_version(loan),
    )
    return _workflow_action(
        request,
        loan,
        form=form,
        perform=lambda data: services.link_placement(loan=loan, by=request.user, **data),
        success=_("The loan is linked to the business it financed."),
        title=_("Link the business the loan financed"),
        button=_("Link"),
        intro=_(
            "Choose the client's own business, recorded as a placement in self-employment. A business is financed by one running loan at a time."
        ),
    )


@access(STAFF, model=LoanApplication)
@require_POST
def placement_unlink(request, loanapplication):
    try:
        services.unlink_placement(
            loan=loanapplication, by=request.user, version=_posted_version(request)
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The loan is no longer linked to the business."))
    return redirect("loans:detail", pk=loanapplication.pk)


# -- printing and exports ---------------------------------------------------------------


@access(STAFF, NATIONAL, model=LoanApplication)
def agreement(request, loanapplication):
    loan = loanapplication
    return render(
        request,
        "loans/agreement.html",
        {
            "application": loan,
            "client": loan.client,
            "installments": list(loan.installments.order_by("number")),
            "guarantors": list(loan.guarantors.all()),
        },
    )


@access(STAFF, NATIONAL, model=LoanApplication)
def schedule_export(request, loanapplication):
    return exports.xlsx_response(
        exports.schedule_workbook(loanapplication), f"schedule-{loanapplication.pk}.xlsx"
    )


# -- credit lines -----------------------------------------------------------------------


@access(NATIONAL)
def credit_line_list(request):
    return render(
        request, "loans/credit_line_list.html", {"lines": selectors.credit_lines_with_ledgers()}
    )


@access(NATIONAL, model=CreditLine)
def credit_line_detail(request, creditline):
    return render(
        request,
        "loans/credit_line_detail.html",
        {
            "line": creditline,
            "ledger": selectors.credit_line_ledger(creditline),
            "shares": selectors.credit_line_by_centre(creditline),
            "loans": selectors.loans_on_line(creditline),
        },
    )


# -- arrears ----------------------------------------------------------------------------


@access(STAFF, NATIONAL)
def arrears_report(request):
    loans = LoanApplication.objects.visible_to(request.user)
    centres, network = arrears.portfolio(loans)
    follow_ups = (
        ArrearsFollowUp.objects.visible_to(request.user)
        .open()
        .select_related("loan__client", "loan__centre", "assigned_to")
        .order_by("opened_on", "pk")
    )
    return render(
        request,
        "loans/arrears.html",
        {
            "centres": centres,
            "network": network,
            "buckets": arrears.BUCKETS,
            "follow_ups": follow_ups,
            "as_of": loans.active().aggregate(day=Max("arrears_as_of"))["day"],
        },
    )


@access(STAFF, model=ArrearsFollowUp)
def follow_up_close(request, arrearsfollowup):
    follow_up = arrearsfollowup
    form = FollowUpCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_follow_up(
                follow_up=follow_up, by=request.user, outcome=form.cleaned_data["outcome"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The follow-up was closed."))
            return redirect("loans:arrears")
    return _action_page(
        request,
        follow_up.loan,
        form=form,
        title=_("Close the arrears follow-up"),
        button=_("Close the follow-up"),
        intro=_(
            "Say what was done: a call, a visit, help with the business, a referral. A new follow-up opens if the loan is still more than 30 days behind at the next update."
        ),
    )
