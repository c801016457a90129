"""What placements add to a client's page (the `clients.client_page` convention): the
placements and recorded follow-up calls on the journey timeline, and a card with the
client's current job and its calls, or the button to place them and the centre's open
openings that match them."""

from centres.access import may
from clients.client_page import Panel, TimelineEntry
from clients.workflow import Action, can

from . import selectors
from .models import FollowUp, FollowUpStatus, Placement


def timeline(client):
    placements = Placement.objects.filter(enrolment__client=client).select_related(
        "employer", "created_by"
    )
    for placement in placements:
        yield TimelineEntry(
            placement.created_at,
            "placement",
            placement,
            template="placements/includes/timeline_placement.html",
        )
    calls = FollowUp.objects.filter(
        placement__enrolment__client=client, status=FollowUpStatus.DONE
    ).select_related("placement", "recorded_by")
    for follow_up in calls:
        yield TimelineEntry(
            follow_up.recorded_at,
            "follow_up",
            follow_up,
            template="placements/includes/timeline_follow_up.html",
        )


def panels(request, client, enrolment):
    if enrolment is None:
        return []
    current = (
        Placement.objects.filter(enrolment=enrolment).current().select_related("employer").first()
    )
    follow_ups = (
        list(current.follow_ups.select_related("assigned_to").order_by("months_after"))
        if current is not None
        else []
    )
    placeable = can(enrolment, Action.PLACE)
    may_place = placeable and may(request.user, "placements:create", enrolment)
    openings = selectors.matching_openings(enrolment) if placeable else []
    if current is None and not may_place and not openings:
        return []
    return [
        Panel(
            "placements/includes/client_work_panel.html",
            {
                "enrolment": enrolment,
                "placement": current,
                "follow_ups": follow_ups,
                "may_place": may_place,
                "openings": openings,
            },
        )
    ]
