"""Bulk import of an existing client list from an .xlsx file, at the user's own centre.

One URL, three steps: upload (every row goes through the registration form, nothing is
saved, the page shows each problem by Excel row number), confirm (the same file, kept in
the imports storage under a random name that only the uploading session knows, is handed
to a background task that reads and checks it again, then registers every row in one
transaction), or cancel. The confirm step leads to the import's own page, which shows the
task's progress and its result. The reading and checking of the rows is `importing.py`.
"""

import logging
from functools import partial

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from centres.access import STAFF, access
from hami.forms import HamiFormMixin
from hami.text import (
    localise_digits,
)

from . import importing
from .import_template import (
    COLUMNS,
    XLSX_CONTENT_TYPE,
    build_template,
)
from .importing import MAX_ROWS, Sheet, check_rows, read_sheet
from .models import ClientImport, ImportStatus
from .tasks import run_client_import

logger = logging.getLogger(__name__)


MAX_FILE_SIZE = 5 * 1024 * 1024
SESSION_KEY = "clients_import"


def _keep(request, upload, sheet: Sheet) -> str:
    """Store the checked file under a random name that only this session knows."""
    _forget(request)
    name = importing.keep_file(upload)
    request.session[SESSION_KEY] = {
        "token": name,
        "user": request.user.pk,
        "centre": request.principal.centre.pk,
        "rows": len(sheet.rows),
        "name": upload.name,
    }
    return name


def _pending(request) -> dict | None:
    """What this session kept, if the form posts its token back unchanged."""
    kept = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    if (
        not isinstance(kept.get("token"), str)
        or not constant_time_compare(token, kept["token"])
        or kept.get("user") != request.user.pk
        or kept.get("centre") != request.principal.centre.pk
        or not importing.import_storage().exists(kept["token"])
    ):
        return None
    return kept


def _forget(request) -> None:
    kept = request.session.pop(SESSION_KEY, None) or {}
    if isinstance(kept.get("token"), str):
        importing.delete_file(kept["token"])


# -- the page ----------------------------------------------------------------------------


class ImportFileForm(HamiFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        help_text=gettext_lazy("Up to 2,000 clients and 5 MB per file."),
        error_messages={
            "required": gettext_lazy("Choose the Excel file with the client list."),
            "empty": gettext_lazy("The file is empty. Choose the Excel file with the client list."),
        },
        widget=forms.FileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_SIZE:
            raise ValidationError(
                gettext_lazy(
                    "The file is %(size)s; files up to 5 MB can be imported. Split the list "
                    "into smaller files."
                ),
                code="too_large",
                params={"size": localise_digits(filesizeformat(upload.size))},
            )
        self.sheet = read_sheet(upload)
        return upload


def _upload_page(request, form):
    return render(
        request, "clients/import.html", {"form": form, "columns": COLUMNS, "max_rows": MAX_ROWS}
    )


def _preview(request, sheet: Sheet, *, token: str | None = None):
    return render(
        request,
        "clients/import_preview.html",
        {"sheet": sheet, "columns": sheet.columns, "token": token},
    )


@access(STAFF)
@require_http_methods(["GET", "POST"])
def import_clients(request):
    """GET: the upload page, or with `?template=1` the empty template. POST with `step`:
    `upload` (the default) checks the file and shows the preview, `confirm` imports the
    file the preview showed, `cancel` forgets it."""
    if request.method == "GET":
        if request.GET.get("template"):
            response = HttpResponse(build_template(), content_type=XLSX_CONTENT_TYPE)
            response["Content-Disposition"] = 'attachment; filename="hami-clients.xlsx"'
            return response
        return _upload_page(request, ImportFileForm())
    step = request.POST.get("step", "upload")
    if step == "confirm":
        return _confirm(request)
    if step == "cancel":
        _forget(request)
        messages.info(request, _("The import was cancelled; nothing was saved."))
        return redirect("clients:import")
    return _upload(request)


def _upload(request):
    form = ImportFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form)
    sheet = form.sheet
    check_rows(sheet, centre=request.principal.centre)
    if sheet.is_clean:
        token = _keep(request, form.cleaned_data["file"], sheet)
    else:
        token = None
        _forget(request)  # a file checked earlier in this session is no longer the one shown
    return _preview(request, sheet, token=token)


def _confirm(request):
    kept = _pending(request)
    if kept is None:
        messages.error(
            request,
            _("There is no checked file waiting to be imported. Upload the file again."),
        )
        return redirect("clients:import")
    centre = request.principal.centre
    client_import = importing.start_import(
        centre=centre,
        by=request.user,
        file_name=kept["token"],
        original_name=kept.get("name") or "",
        rows=kept.get("rows") or 0,
    )
    del request.session[SESSION_KEY]  # the file is the import's now
    transaction.on_commit(partial(run_client_import.delay, client_import.pk, centre.pk))
    return redirect("clients:import_status", pk=client_import.pk)


@access(STAFF, model=ClientImport)
@require_GET
@vary_on_headers("HX-Request")
def import_status(request, clientimport):
    """The import's progress while the task runs, then its result. htmx polls for the
    progress fragment alone until the import has finished."""
    template = "clients/import_status.html" + ("#progress" if request.htmx else "")
    stalled = importing.has_stalled(clientimport)
    return render(
        request,
        template,
        {
            "client_import": clientimport,
            "stalled": stalled,
            "polling": not clientimport.is_finished and not stalled,
            "Status": ImportStatus,
        },
    )
