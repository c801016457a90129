"""What transfers add to a client's page (the `clients.client_page` convention): requests
for the client's file that are waiting or were refused on the timeline (an agreed one is
there already, as the steps that moved the file), and a card to decide a waiting request
or, for the national office, to move the file."""

from centres.access import may
from clients.client_page import Panel, TimelineEntry

from .models import Status, Transfer


def timeline(client):
    transfers = Transfer.objects.filter(client=client).exclude(status=Status.AGREED)
    for transfer in transfers.select_related("from_centre", "to_centre"):
        at = transfer.decided_at or transfer.requested_at
        yield TimelineEntry(
            at, "transfer", transfer, template="transfers/includes/timeline_transfer.html"
        )


def panels(request, client, enrolment):
    pending = Transfer.objects.filter(client=client).pending().select_related("to_centre").first()
    may_decide = pending is not None and may(request.user, "transfers:decide", pending)
    may_transfer = pending is None and may(request.user, "transfers:transfer_now", client)
    if not (may_decide or may_transfer or pending):
        return []
    return [
        Panel(
            "transfers/includes/client_panel.html",
            {
                "client": client,
                "pending": pending,
                "may_decide": may_decide,
                "may_transfer": may_transfer,
            },
        )
    ]
