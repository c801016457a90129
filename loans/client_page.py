"""What loans add to a client's page (the `clients.client_page` convention): the business
plans, each step of their applications and the repayments on the client's timeline, and a
card of the client's plans and loans."""

from datetime import datetime, time

from django.utils import timezone

from clients.client_page import Panel, TimelineEntry

from .models import BusinessPlan, LoanTransition, Repayment

TEMPLATE = "loans/includes/timeline_entry.html"


def timeline(client) -> list[TimelineEntry]:
    plans = BusinessPlan.objects.filter(client=client).select_related("created_by")
    steps = (
        LoanTransition.objects.filter(application__client=client)
        .exclude(action="create")
        .select_related("by", "application__plan")
    )
    repayments = Repayment.objects.filter(loan__client=client).select_related("loan__plan")
    entries = [TimelineEntry(plan.created_at, "loan_plan", plan, TEMPLATE) for plan in plans]
    entries += [TimelineEntry(step.at, "loan_step", step, TEMPLATE) for step in steps]
    entries += [
        TimelineEntry(_noon(repayment.paid_on), "loan_repayment", repayment, TEMPLATE)
        for repayment in repayments
    ]
    return entries


def panels(request, client, enrolment) -> list[Panel]:
    return [Panel("loans/includes/client_section.html")]


def _noon(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))
