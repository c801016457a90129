"""Reads of the centres app that a page needs in one piece."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from .models import ApplicationState, Centre, CentreApplication, Province

PER_PEOPLE = 100_000


@dataclass
class ProvinceRow:
    province: Province | None  # None: the whole network
    population: int | None
    centres: int = 0  # open (active) centres
    seats: int = 0  # their training capacity together
    opening: int = 0  # approved centres not yet open
    opening_seats: int = 0
    applications: dict = field(default_factory=dict)  # state -> how many

    @property
    def seats_per_100k(self) -> Decimal | None:
        """Training seats of open centres per 100,000 people (one decimal)."""
        if not self.population:
            return None
        ratio = Decimal(self.seats * PER_PEOPLE) / Decimal(self.population)
        return ratio.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def by_state(self) -> list[int]:
        return [self.applications.get(state, 0) for state in ApplicationState.values]

    @property
    def pending(self) -> int:
        """Applications the office still has to decide or the applicant to change."""
        return sum(
            self.applications.get(state, 0)
            for state in (
                ApplicationState.SUBMITTED,
                ApplicationState.UNDER_REVIEW,
                ApplicationState.CHANGES_REQUESTED,
            )
        )


def network_by_province() -> dict:
    """Each province's open centres and seats, centres about to open, and applications by
    status, with the network's totals: three grouped queries, whatever the network's size."""
    rows = {p.pk: ProvinceRow(province=p, population=p.population) for p in Province.objects.all()}
    not_open_from_application = Q(is_active=False, application__isnull=False) & Q(
        application__centre_opened_at__isnull=True
    )
    centres = Centre.objects.values("province").annotate(
        open_centres=Count("pk", filter=Q(is_active=True)),
        seats=Sum("training_capacity", filter=Q(is_active=True), default=0),
        opening=Count("pk", filter=not_open_from_application),
        opening_seats=Sum("training_capacity", filter=not_open_from_application, default=0),
    )
    for entry in centres:
        row = rows[entry["province"]]
        row.centres, row.seats = entry["open_centres"], entry["seats"]
        row.opening, row.opening_seats = entry["opening"], entry["opening_seats"]
    counts = CentreApplication.objects.values("province", "state").annotate(n=Count("pk"))
    for entry in counts:
        rows[entry["province"]].applications[entry["state"]] = entry["n"]
    populations = [r.population for r in rows.values()]
    total = ProvinceRow(
        province=None,
        population=sum(populations) if all(populations) else None,
        centres=sum(r.centres for r in rows.values()),
        seats=sum(r.seats for r in rows.values()),
        opening=sum(r.opening for r in rows.values()),
        opening_seats=sum(r.opening_seats for r in rows.values()),
    )
    for r in rows.values():
        for state, n in r.applications.items():
            total.applications[state] = total.applications.get(state, 0) + n
    return {"rows": list(rows.values()), "total": total, "states": ApplicationState.choices}
