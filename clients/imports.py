"""Bulk import of an existing client list from an .xlsx file, at the user's own centre.

One URL, three steps: upload (every row goes through the registration form, nothing is
saved, the page shows each problem by Excel row number), confirm (the same file, kept on
the server under a random name that only the uploading session knows, is read and checked
again, then every row is registered in one transaction), or cancel. The reading and
checking of the rows is `importing.py`.
"""

import logging
import re
import time
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from centres.access import STAFF, access
from hami.errors import DomainError
from hami.forms import HamiFormMixin
from hami.text import (
    localise_digits,
)

from .import_template import (
    COLUMNS,
    XLSX_CONTENT_TYPE,
    build_template,
)
from .importing import MAX_ROWS, Sheet, check_rows, import_rows, read_sheet

logger = logging.getLogger(__name__)


MAX_FILE_SIZE = 5 * 1024 * 1024
SESSION_KEY = "clients_import"
STALE_AFTER_SECONDS = 24 * 60 * 60
_TOKEN = re.compile(r"[0-9a-f]{32}")


def _imports_dir() -> Path:
    return Path(settings.BASE_DIR) / "var" / "imports"


def _path_for(token: str) -> Path | None:
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    return _imports_dir() / f"{token}.xlsx"


def _keep(request, upload) -> str:
    """Save the checked file under a random name that only this session knows."""
    _forget(request)
    directory = _imports_dir()
    directory.mkdir(parents=True, exist_ok=True)
    _sweep_stale(directory)
    token = uuid.uuid4().hex
    with _path_for(token).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    request.session[SESSION_KEY] = {
        "token": token,
        "user": request.user.pk,
        "centre": request.principal.centre.pk,
    }
    return token


def _pending(request) -> Path | None:
    """The file this session uploaded, if the form posts its token back unchanged."""
    kept = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    path = _path_for(kept.get("token"))
    if (
        path is None
        or not constant_time_compare(token, kept["token"])
        or kept.get("user") != request.user.pk
        or kept.get("centre") != request.principal.centre.pk
        or not path.is_file()
    ):
        return None
    return path


def _forget(request) -> None:
    kept = request.session.pop(SESSION_KEY, None) or {}
    path = _path_for(kept.get("token"))
    if path is not None:
        path.unlink(missing_ok=True)


def _sweep_stale(directory: Path) -> None:
    """Files of previews nobody confirmed or cancelled."""
    cutoff = time.time() - STALE_AFTER_SECONDS
    for path in directory.glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            pass


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
        token = _keep(request, form.cleaned_data["file"])
    else:
        token = None
        _forget(request)  # a file checked earlier in this session is no longer the one shown
    return _preview(request, sheet, token=token)


def _confirm(request):
    path = _pending(request)
    if path is None:
        messages.error(
            request,
            _("There is no checked file waiting to be imported. Upload the file again."),
        )
        return redirect("clients:import")
    centre = request.principal.centre
    try:
        sheet = read_sheet(path)
    except ValidationError:
        _forget(request)
        messages.error(request, _("The uploaded file can no longer be read. Upload it again."))
        return redirect("clients:import")
    check_rows(sheet, centre=centre)
    if not sheet.is_clean:
        # Someone registered one of these clients since the preview.
        _forget(request)
        messages.error(
            request,
            _(
                "Some rows are no longer correct; nothing was imported. Fix them and upload the file again."
            ),
        )
        return _preview(request, sheet)
    try:
        count = import_rows(sheet=sheet, centre=centre, by=request.user)
    except DomainError as error:
        _forget(request)
        messages.error(request, error.message)
        return redirect("clients:import")
    _forget(request)
    messages.success(
        request,
        ngettext("%(count)s client was imported.", "%(count)s clients were imported.", count)
        % {"count": localise_digits(str(count))},
    )
    return redirect("clients:list")
