"""The dashboards: the network's figures (the national office; a centre's own staff see
their centre's), the cohorts of entrants, and the centre home."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from centres.access import NATIONAL, STAFF, access
from hami.text import is_persian
from loans.models import State as LoanState

from . import charts, indicators, selectors
from .definitions import DEFINITIONS
from .forms import DashboardFilterForm
from .periods import Period, jalali_quarter, quarters_back

COHORT_QUARTERS = 8


def _filters(request, form: DashboardFilterForm, period) -> indicators.Filters:
    """The figures a user may see: a centre user's own centre, whatever the query asks;
    the national office's choice of province and centre."""
    principal = request.principal
    if principal.sees_all_centres:
        province, centre = form.chosen("province"), form.chosen("centre")
        return indicators.Filters(
            period=period,
            on=timezone.localdate(),
            province_id=province.pk if province else None,
            centre_id=centre.pk if centre else None,
        )
    return indicators.Filters(period=period, on=timezone.localdate(), centre_id=principal.centre.pk)


@access(STAFF, NATIONAL)
def national(request):
    all_centres = request.principal.sees_all_centres
    form = DashboardFilterForm(request.GET or None, all_centres=all_centres)
    period = form.period()
    filters = _filters(request, form, period)
    figures = indicators.dashboard(
        filters, with_credit_lines=all_centres, persian=is_persian(get_language())
    )
    return render(
        request,
        "dashboard/national.html",
        {
            "form": form,
            "period": period,
            "figures": figures,
            "total": figures.total,
            "all_centres": all_centres,
            "centre": None if all_centres else request.principal.centre,
            "definitions": DEFINITIONS,
            "exclusions": [
                (label, figures.total.n[f"excluded_{reason}"])
                for reason, label in indicators.exit_reason_labels().items()
            ],
            "loan_states": [
                {"label": label, "count": figures.total.n[f"loans_{value}"]}
                for value, label in LoanState.choices
            ],
            "bands": [
                {
                    "label": charts.band_labels()[key],
                    "count": figures.total.n[f"band_{key}"],
                    "amount": figures.total.n[f"band_{key}_amount"],
                }
                for key, _low, _high in indicators.AMOUNT_BANDS
            ],
            "trend_series": charts.trend_series(),
            "charts": charts.dashboard_charts(figures),
        },
    )


@access(STAFF, NATIONAL)
def cohorts(request):
    all_centres = request.principal.sees_all_centres
    form = DashboardFilterForm(request.GET or None, all_centres=all_centres, with_period=False)
    year = form.chosen("year")
    if year:
        quarters = [jalali_quarter(int(year), q) for q in range(1, 5)]
    else:
        quarters = quarters_back(timezone.localdate(), COHORT_QUARTERS)
    filters = _filters(request, form, Period())
    rows = indicators.cohorts(filters, quarters)
    return render(
        request,
        "dashboard/cohorts.html",
        {
            "form": form,
            "rows": rows,
            "columns": list(charts.cohort_labels().items()),
            "charts": [charts.cohort_chart(rows)],
            "all_centres": all_centres,
            "centre": None if all_centres else request.principal.centre,
            "definitions": DEFINITIONS,
        },
    )


@access(STAFF)
def centre_home(request):
    principal = request.principal
    return render(
        request,
        "dashboard/centre_home.html",
        {
            "home": selectors.centre_home(
                principal.centre,
                user=request.user,
                principal=principal,
                today=timezone.localdate(),
            ),
        },
    )
