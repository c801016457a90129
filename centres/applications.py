"""Centre-opening applications: what the applicant and the national office can do with
one, each a service in one transaction, and the one table of which step is allowed from
which status.

    submitted ─► under review ─► approved (a centre, inactive until it opens, and an
        │  ▲            │          invitation for its first manager)
        │  │            ├──────► rejected
        ▼  │            ▼
    changes requested ◄─┘  (the applicant changes it through the tracking code and sends
                            it again)

Approval locks the application's row, so approving twice (two clicks, two tabs, two
reviewers) makes one centre; the one-to-one `CentreApplication.centre` holds it in the
database too.
"""

import hashlib
import logging
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from hami.errors import DomainError
from hami.text import normalise_text, to_latin_digits

from .documents import Checked
from .models import (
    ApplicationAction,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationState,
    Centre,
    CentreApplication,
    ManagerInvitation,
    Membership,
    application_storage,
)
from .services import set_membership

logger = logging.getLogger(__name__)

State, Action = ApplicationState, ApplicationAction

# Which status each step may start from, and where it leads.
TRANSITIONS: dict[Action, tuple[frozenset[State], State]] = {
    Action.REVIEW: (frozenset({State.SUBMITTED}), State.UNDER_REVIEW),
    Action.ASK_FOR_CHANGES: (
        frozenset({State.SUBMITTED, State.UNDER_REVIEW}),
        State.CHANGES_REQUESTED,
    ),
    Action.RESUBMIT: (frozenset({State.CHANGES_REQUESTED}), State.SUBMITTED),
    Action.APPROVE: (frozenset({State.SUBMITTED, State.UNDER_REVIEW}), State.APPROVED),
    Action.REJECT: (frozenset({State.SUBMITTED, State.UNDER_REVIEW}), State.REJECTED),
}
DECIDED = frozenset({State.APPROVED, State.REJECTED})
REVIEWABLE = frozenset({State.SUBMITTED, State.UNDER_REVIEW})

ALREADY_DECIDED = gettext_lazy(
    "This application was already decided (%(state)s): nothing was changed. Reload the page "
    "to see the decision."
)

# Tracking codes: 12 characters without look-alikes (no 0/O, 1/I/L), about 60 bits.
TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TRACKING_LENGTH = 12


def _now(at: datetime | None) -> datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise ValueError("`at` must be an aware datetime.")
    return at


def can(application: CentreApplication, action: Action) -> bool:
    sources, _target = TRANSITIONS[action]
    return application.state in sources


def _move(application, action: Action, *, by, at, reason="") -> None:
    """Make the step on a locked application and write it to its history."""
    sources, target = TRANSITIONS[action]
    if application.state not in sources:
        if application.state in DECIDED:
            raise DomainError(ALREADY_DECIDED % {"state": application.get_state_display()})
        raise DomainError(
            _("This step cannot be taken while the application is “%(state)s”.")
            % {"state": application.get_state_display()}
        )
    ApplicationEvent.objects.create(
        application=application,
        action=action,
        from_state=application.state,
        to_state=target,
        reason=reason,
        by=by,
        at=at,
    )
    application.state = target


def _locked(application) -> CentreApplication:
    return CentreApplication.objects.select_for_update().get(pk=application.pk)


# -- the applicant -------------------------------------------------------------------------


def new_tracking_code() -> str:
    while True:
        code = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))
        if not CentreApplication.objects.filter(tracking_code=code).exists():
            return code


def normalise_tracking_code(typed: str) -> str:
    """A typed code as stored: Latin capitals, no dashes or spaces (Persian digits and
    lower case accepted)."""
    text = to_latin_digits(normalise_text(typed or "")).upper()
    return "".join(c for c in text if c.isalnum())


def find_by_tracking_code(typed: str) -> CentreApplication | None:
    code = normalise_tracking_code(typed)
    if len(code) != TRACKING_LENGTH:
        return None
    return CentreApplication.objects.filter(tracking_code=code).first()


def _keep_documents(application, documents: dict[str, list[Checked]], at) -> list[str]:
    """Store the checked uploads; returns the stored names (to remove them on failure)."""
    names = []
    for kind, files in documents.items():
        for checked in files:
            document = ApplicationDocument(
                application=application,
                kind=kind,
                content_type=checked.content_type,
                original_name=checked.original_name,
                size=checked.size,
                uploaded_at=at,
            )
            document.file.save(checked.original_name, checked.upload, save=False)
            names.append(document.file.name)
            document.save()
    return names


def _forget_files(names: list[str]) -> None:
    storage = application_storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Centre application: could not delete %s", name, exc_info=True)


def submit_application(
    *, fields: dict, trades, documents: dict[str, list[Checked]], at: datetime | None = None
) -> CentreApplication:
    """A new application, its documents and the first line of its history, all or none."""
    at = _now(at)
    kept: list[str] = []
    try:
        with transaction.atomic():
            application = CentreApplication.objects.create(
                tracking_code=new_tracking_code(),
                submitted_at=at,
                language=get_language() or settings.LANGUAGE_CODE,
                **fields,
            )
            application.trades.set(trades)
            kept = _keep_documents(application, documents, at)
            ApplicationEvent.objects.create(
                application=application,
                action=Action.SUBMIT,
                to_state=State.SUBMITTED,
                at=at,
            )
    except Exception:
        _forget_files(kept)
        raise
    return application


def resubmit_application(
    *,
    application: CentreApplication,
    fields: dict,
    trades,
    documents: dict[str, list[Checked]],
    at: datetime | None = None,
) -> CentreApplication:
    """The applicant's changes, asked for by the national office: the fields replaced, each
    kind of document sent again replaces that kind's earlier files."""
    at = _now(at)
    kept: list[str] = []
    try:
        with transaction.atomic():
            application = _locked(application)
            _move(application, Action.RESUBMIT, by=None, at=at)
            for name, value in fields.items():
                setattr(application, name, value)
            application.submitted_at = at
            application.save()
            application.trades.set(trades)
            replaced = ApplicationDocument.objects.filter(
                application=application, kind__in=[k for k, files in documents.items() if files]
            )
            old_names = [d.file.name for d in replaced]
            replaced.delete()
            kept = _keep_documents(application, documents, at)
            transaction.on_commit(lambda: _forget_files(old_names))
    except Exception:
        _forget_files(kept)
        raise
    return application


# -- the national office -------------------------------------------------------------------


def record_review(
    *,
    application: CentreApplication,
    by,
    checklist: dict[str, bool],
    site_visit_on: date | None,
    site_visit_notes: str,
    at: datetime | None = None,
) -> CentreApplication:
    """The checklist and the site visit; the first review moves a submitted application
    to "under review", which its applicant sees."""
    at = _now(at)
    with transaction.atomic():
        application = _locked(application)
        if application.state not in REVIEWABLE:
            if application.state in DECIDED:
                raise DomainError(ALREADY_DECIDED % {"state": application.get_state_display()})
            raise DomainError(
                _("The applicant is changing this application: review it when it comes back.")
            )
        if application.state == State.SUBMITTED:
            _move(application, Action.REVIEW, by=by, at=at)
        for name, value in checklist.items():
            setattr(application, name, value)
        application.site_visit_on = site_visit_on
        application.site_visit_notes = site_visit_notes
        application.save()
    return application


def return_application(
    *, application: CentreApplication, by, action: Action, reason: str, at=None
) -> CentreApplication:
    """Reject the application, or ask its applicant for changes (which reopens it to them
    through the tracking code), with the reason they will read."""
    if action not in (Action.REJECT, Action.ASK_FOR_CHANGES):
        raise ValueError(action)
    at = _now(at)
    with transaction.atomic():
        application = _locked(application)
        _move(application, action, by=by, at=at, reason=reason)
        application.save()
        transaction.on_commit(lambda: _tell_applicant(application, action, reason))
    return application


def centre_code_for(application: CentreApplication) -> str:
    return f"APP-{application.pk:04d}"


def approve(
    *,
    application: CentreApplication,
    by,
    centre_name: str,
    opens_on: date,
    reason: str,
    at: datetime | None = None,
) -> tuple[CentreApplication, str]:
    """Approve: the centre is made with the application's capacity, inactive until
    `opens_on`, and an invitation for its first manager is sent to the applicant's e-mail.
    Returns the application and the invitation's link token (shown once)."""
    at = _now(at)
    with transaction.atomic():
        application = _locked(application)
        if application.state in REVIEWABLE and not application.checklist_complete:
            raise DomainError(
                _("Tick every item of the checklist before approving: each must have been checked.")
            )
        if application.state in REVIEWABLE and application.site_visit_on is None:
            raise DomainError(_("Record the site visit before approving."))
        _move(application, Action.APPROVE, by=by, at=at, reason=reason)
        today = timezone.localdate(at)
        centre = Centre.objects.create(
            code=centre_code_for(application),
            name=centre_name,
            province=application.province,
            city=application.city,
            operator=application.operator,
            training_capacity=application.planned_capacity,
            address=application.address,
            phone=application.contact_mobile,
            opened_on=opens_on,
            is_active=opens_on <= today,
        )
        application.centre = centre
        application.opens_on = opens_on
        if centre.is_active:
            application.centre_opened_at = at
        application.save()
        invitation, token = issue_invitation(
            centre=centre, email=application.contact_email, by=by, at=at
        )
        transaction.on_commit(lambda: _send_invitation(application, invitation, token))
    return application, token


def open_due_centres(*, on: date) -> list[Centre]:
    """Activate the centres of approved applications whose opening day has come (the
    daily task). A centre closed later by an administrator is not reopened: each opens once."""
    opened = []
    with transaction.atomic():
        due = (
            CentreApplication.objects.select_for_update(of=("self",))
            .filter(state=State.APPROVED, opens_on__lte=on, centre_opened_at__isnull=True)
            .select_related("centre")
        )
        for application in due:
            Centre.objects.filter(pk=application.centre_id).update(is_active=True)
            application.centre_opened_at = timezone.now()
            application.save(update_fields=["centre_opened_at", "updated_at"])
            opened.append(application.centre)
    return opened


# -- the first manager's invitation ---------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_invitation(*, centre: Centre, email: str, by, at=None) -> tuple[ManagerInvitation, str]:
    """A new single-use link for the centre's first manager; earlier unused links stop
    working. Returns the invitation and its token (only its digest is stored)."""
    at = _now(at)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        ManagerInvitation.objects.filter(centre=centre, used_at__isnull=True).delete()
        invitation = ManagerInvitation.objects.create(
            centre=centre,
            email=email,
            token_digest=_digest(token),
            created_by=by,
            created_at=at,
            expires_at=at + timedelta(days=settings.HAMI_INVITATION_DAYS),
        )
    return invitation, token


def open_invitation(token: str, *, at=None) -> ManagerInvitation | None:
    """The invitation a link's token opens: unused and not expired; None otherwise."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    at = _now(at)
    return (
        ManagerInvitation.objects.select_related("centre")
        .filter(token_digest=_digest(token), used_at__isnull=True, expires_at__gt=at)
        .first()
    )


def accept_invitation(
    *, token: str, username: str, first_name: str, last_name: str, password: str, at=None
):
    """Make the centre's manager account from the invitation, once: the invitation's row is
    locked and marked used in the same transaction."""
    at = _now(at)
    with transaction.atomic():
        invitation = (
            ManagerInvitation.objects.select_for_update()
            .filter(token_digest=_digest(token or ""))
            .first()
        )
        if invitation is None or invitation.used_at is not None or invitation.expires_at <= at:
            raise DomainError(
                _(
                    "This invitation link has been used or has expired. Ask the national "
                    "office for a new one."
                )
            )
        user = get_user_model().objects.create_user(
            username=username,
            email=invitation.email,
            password=password,
            first_name=first_name,
            last_name=last_name,
        )
        set_membership(user=user, centre=invitation.centre, role=Membership.Role.MANAGER)
        invitation.used_at = at
        invitation.user = user
        invitation.save(update_fields=["used_at", "user"])
    return user


# -- messages to the applicant -----------------------------------------------------------------


def invitation_path(token: str) -> str:
    return f"{reverse('centres:invitation')}?token={token}"


def _mail(application, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, None, [application.contact_email])
    except Exception:  # the decision stands; the office can tell the applicant itself
        logger.exception("Centre application %s: the e-mail was not sent", application.pk)


def _tell_applicant(application, action, reason) -> None:
    with translation.override(application.language or settings.LANGUAGE_CODE):
        if action == Action.ASK_FOR_CHANGES:
            subject = _("Your centre-opening application needs changes")
            body = _(
                "The national office asks for changes to your application:\n\n%(reason)s\n\n"
                "Open the tracking page with your tracking code %(code)s to change it."
            )
        else:
            subject = _("Your centre-opening application was not approved")
            body = _("The national office did not approve your application %(code)s:\n\n%(reason)s")
        _mail(
            application,
            subject,
            body % {"reason": reason, "code": application.tracking_code_display},
        )


def _send_invitation(application, invitation, token) -> None:
    base = settings.HAMI_SITE_URL.rstrip("/")
    with translation.override(application.language or settings.LANGUAGE_CODE):
        _mail(
            application,
            _("Your centre was approved: create the manager's account"),
            _(
                "Your application %(code)s was approved. Create the account of the centre's "
                "manager with this link, within %(days)s days; it works once:\n\n%(link)s"
            )
            % {
                "code": application.tracking_code_display,
                "days": settings.HAMI_INVITATION_DAYS,
                "link": base + invitation_path(token),
            },
        )
