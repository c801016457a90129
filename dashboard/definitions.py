"""What each figure on the dashboards means, in words: shown one click away from the
figure (a <details> beside it) and in the README. `dashboard.indicators` computes exactly
this; a change to one is a change to the other."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Definition:
    label: Promise
    text: Promise


DEFINITIONS = {
    "entrants": Definition(
        _("Entrants"),
        _(
            "Enrolments opened in the period (a client who left and enrolled again counts "
            "once for each enrolment), less the excluded exits. Every other figure of the "
            "programme is a share of these entrants, wherever they are now."
        ),
    ),
    "assessed": Definition(
        _("Assessed"),
        _("Entrants whose intake assessment was recorded, ready or not ready yet."),
    ),
    "trained": Definition(
        _("Trained"),
        _("Entrants who finished a training course (the course's end was recorded)."),
    ),
    "placed": Definition(
        _("Placed"),
        _(
            "Entrants placed in work at least once: a wage job with an employer or a "
            "business of their own."
        ),
    ),
    "sustained": Definition(
        _("Sustained at 12 months"),
        _(
            "Entrants whose 12-month follow-up found them working, which closes the "
            "enrolment as sustained employment."
        ),
    ),
    "withdrawn": Definition(
        _("Withdrawn or not ready"),
        _(
            "Entrants who left the programme (not counting the excluded exits) or who are "
            "parked as not ready yet until a review."
        ),
    ),
    "in_training": Definition(
        _("Still in training"),
        _("Entrants in training now, or on the waiting list for a training seat."),
    ),
    "before_training": Definition(
        _("Before training"),
        _("Entrants still at intake or assessed and not yet in training."),
    ),
    "successful": Definition(
        _("Successful outcome"),
        _(
            "Entrants who completed the programme: they finished their training or were "
            "placed in work, and are now trained, placed, sustained or supported towards a "
            "new job. It is the programme's “successful exit”; the rest of the entrants "
            "withdrew, are not ready yet, or are still before or in training. Shown as a "
            "share of the entrants."
        ),
    ),
    "benefited": Definition(
        _("People who benefited"),
        _(
            "People (each counted once, however many times they enrolled) among the "
            "entrants who got work through the programme: placed in a wage job or their "
            "own business, or given a loan that was paid out. Everyone who benefited had a "
            "successful outcome; the difference is the people who completed training but "
            "are not (yet) in work."
        ),
    ),
    "excluded": Definition(
        _("Excluded exits"),
        _(
            "Enrolments that ended because the client died, entered long medical treatment "
            "or lives in an institution. As in workforce programmes (US WIOA), they are "
            "left out of every figure's numerator and denominator, and counted here."
        ),
    ),
    "network": Definition(
        _("Seat use"),
        _(
            "Training seats taken now (trainees, and seats offered to the waiting list and "
            "not yet answered) over the active centres' training capacity."
        ),
    ),
    "follow_ups_due": Definition(
        _("Follow-ups due"),
        _(
            "Follow-ups whose due date falls in the period and is not after today, not "
            "cancelled, of clients not excluded."
        ),
    ),
    "on_time": Definition(
        _("Done on time"),
        _(
            "Follow-ups recorded with a contact date no later than the last day of their "
            "window (the due date plus the days the centre has to call), over the "
            "follow-ups due."
        ),
    ),
    "missed": Definition(
        _("Missed"),
        _("Follow-ups due whose window closed with no record: overdue."),
    ),
    "retention": Definition(
        _("Retention"),
        _(
            "For the follow-ups at 1, 3, 6 and 12 months that were recorded or are overdue: "
            "the share that found the client working (in the same job, another job or "
            "their own business). An overdue follow-up counts as not confirmed working."
        ),
    ),
    "employed": Definition(
        _("Employed after placement"),
        _(
            "WIOA's employment rate, read at the 6- and 12-month follow-ups: of those "
            "follow-ups recorded or overdue, the share that found the client working."
        ),
    ),
    "median_income": Definition(
        _("Median monthly income at 6 months"),
        _(
            "The median of the monthly income recorded at the 6-month follow-ups that "
            "found the client working (WIOA's median earnings)."
        ),
    ),
    "certificates": Definition(
        _("Certificate attainment"),
        _(
            "Of the entrants who finished training, the share with a skills certificate "
            "number recorded (WIOA's credential attainment)."
        ),
    ),
    "same_employer": Definition(
        _("Same employer from 6 to 12 months"),
        _(
            "Of the wage jobs whose 6-month follow-up found the client in the same job and "
            "whose 12-month follow-up is recorded or overdue, the share still in the same "
            "job at 12 months (WIOA's retention with the same employer)."
        ),
    ),
    "loans": Definition(
        _("Loan applications"),
        _(
            "Applications created in the period, by their status now. Requested is what the "
            "clients asked for; approved and disbursed are the amounts the national office "
            "approved, of the loans approved or paid out."
        ),
    ),
    "par": Definition(
        _("Portfolio at risk"),
        _(
            "Today, for the loans being repaid: the whole outstanding principal of the loans "
            "more than 30 (PAR30) or 90 (PAR90) days late, over all outstanding principal."
        ),
    ),
    "credit_lines": Definition(
        _("Credit lines"),
        _(
            "Each bank credit line's total, what it has committed (approved, not yet paid "
            "out), disbursed and still available, across every centre."
        ),
    ),
    "amount_bands": Definition(
        _("Amount bands"),
        _("The applications of the period by their current amount."),
    ),
    "trend": Definition(
        _("Monthly trend"),
        _(
            "By Jalali month: enrolments opened (entrants), placements started, enrolments "
            "closed as withdrawn and as sustained."
        ),
    ),
    "cohort": Definition(
        _("Cohorts"),
        _(
            "The entrants of each Jalali quarter (enrolments opened in it, less the excluded "
            "exits) and where each of them is now. A recent quarter has had less time to "
            "succeed: compare quarters of the same age."
        ),
    ),
}
