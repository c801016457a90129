"""What the dashboards' charts draw, as plain data for `static/dashboard.js` (read from a
JSON script element: the CSP allows no inline script). Every chart has a table beside it
with the same figures; the chart is a picture of the table."""

from django.utils.translation import gettext as _

from hami.text import localise_digits
from loans.models import State as LoanState

from .definitions import DEFINITIONS
from .indicators import AMOUNT_BANDS, COHORT_COLUMNS, Dashboard


def _percent(ratio) -> float | None:
    return None if ratio is None else round(float(ratio) * 100, 1)


def band_labels() -> dict[str, str]:
    return {
        "under_10m": _("Under 10 million tomans"),
        "10m_50m": _("10 to 50 million tomans"),
        "50m_100m": _("50 to 100 million tomans"),
        "over_100m": _("100 million tomans or more"),
    }


def cohort_labels() -> dict[str, str]:
    return {
        "before_training": str(DEFINITIONS["before_training"].label),
        "in_training": str(DEFINITIONS["in_training"].label),
        "trained": _("Trained, not yet placed"),
        "placed": _("Placed, in follow-up"),
        "sustained": str(DEFINITIONS["sustained"].label),
        "withdrawn": str(DEFINITIONS["withdrawn"].label),
    }


def dashboard_charts(figures: Dashboard) -> list[dict]:
    total = figures.total
    funnel = total.funnel()
    charts = [
        {
            "id": "chart-funnel",
            "type": "bar",
            "horizontal": True,
            "labels": [str(DEFINITIONS[step].label) for step, _n, _share in funnel],
            "datasets": [{"label": _("Entrants"), "data": [n for _s, n, _share in funnel]}],
        },
        {
            "id": "chart-retention",
            "type": "bar",
            "percent": True,
            "labels": [
                _("%(months)s months") % {"months": localise_digits(str(m))}
                for m, *_rest in total.retention()
            ],
            "datasets": [
                {
                    "label": _("Still working (%)"),
                    "data": [_percent(share) for *_rest, share in total.retention()],
                }
            ],
        },
        {
            "id": "chart-loans",
            "type": "bar",
            "labels": [str(label) for _value, label in LoanState.choices],
            "datasets": [
                {
                    "label": _("Applications"),
                    "data": [total.n[f"loans_{value}"] for value in LoanState.values],
                }
            ],
        },
        {
            "id": "chart-bands",
            "type": "bar",
            "labels": [band_labels()[key] for key, _low, _high in AMOUNT_BANDS],
            "datasets": [
                {
                    "label": _("Applications"),
                    "data": [total.n[f"band_{key}"] for key, _low, _high in AMOUNT_BANDS],
                }
            ],
        },
        {
            "id": "chart-trend",
            "type": "line",
            "labels": [month.label for month, _counts in figures.trend],
            "datasets": [
                {"label": label, "data": [counts[series] for _month, counts in figures.trend]}
                for series, label in trend_series()
            ],
        },
    ]
    return charts


def trend_series() -> list[tuple[str, str]]:
    return [
        ("entrants", _("Entrants")),
        ("placed", _("Placements started")),
        ("withdrawn", _("Withdrawn")),
        ("sustained", _("Sustained at 12 months")),
    ]


def cohort_chart(rows) -> dict:
    labels = cohort_labels()
    return {
        "id": "chart-cohorts",
        "type": "bar",
        "stacked": True,
        "labels": [quarter.label for quarter, _row in rows],
        "datasets": [
            {"label": labels[column], "data": [row.n[column] for _quarter, row in rows]}
            for column, _states in COHORT_COLUMNS
        ],
    }
