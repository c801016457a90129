"""Reading and checking a client list from an .xlsx file, and importing it.

Every row goes through the registration form, clients already registered (at any centre)
are looked up for the whole file at once, duplicates within the file are marked, and
nothing is saved until `run_import` — the background task's work, once the user has
confirmed the preview — registers all rows in one transaction. Between the preview and the
task the file waits in the imports storage (`STORAGES["imports"]`). The pages are in
`imports.py`, the task in `tasks.py`, the limits on what a file may cost in `safe_xlsx.py`.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from centres.models import Province
from hami.errors import DomainError
from hami.forms import JalaliDateField, looks_gregorian
from hami.jalali import InvalidJalaliDate, parse_jalali
from hami.text import (
    format_number_lazy,
    localise_digits,
    normalise_text,
    to_latin_digits,
)

from . import selectors
from .forms import ClientForm
from .import_template import (
    COLUMNS,
    COLUMNS_BY_KEY,
    is_consent,
    match_key,
)
from .models import FINISHED_IMPORT_STATES, ClientImport, IdType, ImportStatus
from .safe_xlsx import check_package
from .services import identity_taken_message, register_clients

logger = logging.getLogger(__name__)

MAX_ROWS = 2000
# Past the limit rows are counted only this far, so a file of a million short rows (5 MB
# compress well) is refused in seconds rather than read to the end.
COUNT_CEILING = 20_000
# Rows read from the sheet, empty ones included: a single cell far down the sheet makes
# openpyxl hand over every empty row above it.
MAX_SHEET_ROWS = 100_000
# The background task writes its progress every this many rows checked.
PROGRESS_EVERY = 100
# The background task's time limits (Celery's soft and hard limits, in seconds). A full
# file takes a few seconds; past the soft limit the task stops and saves nothing.
SOFT_TIME_LIMIT = 5 * 60
TIME_LIMIT = SOFT_TIME_LIMIT + 30
# An uploaded file nobody confirmed or cancelled is deleted after this long.
STALE_AFTER = timedelta(hours=24)


# -- reading the file --------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    column: str  # the header as written in the file; empty for the row as a whole
    message: str


@dataclass(frozen=True)
class Cell:
    value: object

    @property
    def is_date(self) -> bool:
        return isinstance(self.value, date)


@dataclass
class SheetRow:
    number: int  # as Excel numbers it: the header is row 1
    cells: dict[str, object]  # column key → the cell's value (text, number, date, bool)
    problems: list[Problem] = field(default_factory=list)
    fields: dict | None = None  # what `register_client` takes, once the row is valid

    @property
    def display(self) -> list[Cell]:
        """The row's cells in the order of `Sheet.columns`."""
        return [Cell(self.cells[column.key]) for column in COLUMNS if column.key in self.cells]


@dataclass
class Sheet:
    headers: dict[str, str]  # column key → the header as written in the file
    rows: list[SheetRow]

    @property
    def columns(self):
        return [column for column in COLUMNS if column.key in self.headers]

    @property
    def bad_rows(self) -> list[SheetRow]:
        return [row for row in self.rows if row.problems]

    @property
    def is_clean(self) -> bool:
        return not self.bad_rows


def _cell(value):
    """A cell's value as the import reads it: stripped text, whole numbers as int, dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool | int | float | date):
        return value
    return str(value).strip()


def _text(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _not_an_excel_file():
    return ValidationError(
        gettext_lazy(
            "This is not an Excel .xlsx file, or it is damaged. Open it in Excel, save it as "
            "“Excel Workbook (.xlsx)” and upload it again."
        ),
        code="not_xlsx",
    )


def _read_header(values) -> tuple[dict[int, str], dict[str, str]]:
    """The header row: column index → column key, and column key → the header as written.
    Unknown, missing and repeated columns are refused, naming them."""
    names = {}
    for column in COLUMNS:
        for name in column.header_names():
            names[name] = column.key
    keys, headers, unknown, repeated = {}, {}, [], []
    for index, value in enumerate(values):
        header = normalise_text(_text(_cell(value)))
        if not header:
            continue  # an unnamed column is left alone
        key = names.get(match_key(header))
        if key is None:
            unknown.append(header)
        elif key in headers:
            repeated.append(header)
        else:
            keys[index] = key
            headers[key] = header
    errors = []
    if unknown:
        errors.append(
            ValidationError(
                gettext_lazy(
                    "The header row has columns the import does not know: %(columns)s. Use "
                    "the column names from the template."
                ),
                code="unknown_columns",
                params={"columns": ", ".join(f"“{name}”" for name in unknown)},
            )
        )
    if repeated:
        errors.append(
            ValidationError(
                gettext_lazy("The header row names these columns twice: %(columns)s."),
                code="repeated_columns",
                params={"columns": ", ".join(f"“{name}”" for name in repeated)},
            )
        )
    missing = [c.key for c in COLUMNS if c.required and c.key not in headers]
    if missing:
        errors.append(
            ValidationError(
                gettext_lazy("The header row is missing these required columns: %(columns)s."),
                code="missing_columns",
                params={"columns": ", ".join(missing)},
            )
        )
    if errors:
        raise ValidationError(errors)
    return keys, headers


def read_sheet(source) -> Sheet:
    """The first sheet of an .xlsx file (a path or an open file): the first non-empty row is
    the header, each non-empty row below it one client. Raises `ValidationError` saying
    what is wrong with the file as a whole. Nothing is parsed before `check_package` has
    found the file within the limits of what reading it may cost."""
    check_package(source, not_a_workbook=_not_an_excel_file())
    try:
        workbook = load_workbook(source, read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds for a file it cannot read
        logger.info("Client import: unreadable workbook (%r)", error)
        raise _not_an_excel_file() from error
    try:
        return _read_rows(workbook)
    except ValidationError:
        raise
    except Exception as error:  # a broken sheet inside a valid zip
        logger.info("Client import: unreadable sheet (%r)", error)
        raise _not_an_excel_file() from error
    finally:
        workbook.close()


def _read_rows(workbook) -> Sheet:
    no_rows = ValidationError(
        gettext_lazy(
            "The file has no rows. Put the column names in the first row and one client on "
            "each row below it."
        ),
        code="no_rows",
    )
    if not workbook.worksheets:
        raise no_rows
    worksheet = workbook.worksheets[0]
    # The sheet's own <dimension> may say it ends earlier than it does (some programs
    # write it wrong); read-only openpyxl would stop there and drop the rows below.
    worksheet.reset_dimensions()
    header_number, keys, headers = None, {}, {}
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        _check_sheet_row(number)
        if any(_cell(value) != "" for value in values):
            header_number = number
            keys, headers = _read_header(values)
            break
    if header_number is None:
        raise no_rows
    width = max(keys) + 1
    rows, count = [], 0
    data_rows = worksheet.iter_rows(min_row=header_number + 1, max_col=width, values_only=True)
    for number, values in enumerate(data_rows, start=header_number + 1):
        _check_sheet_row(number)
        if count >= MAX_ROWS:
            # Past the limit the rows are only counted, for the message.
            count += any(_cell(values[i]) != "" for i in keys if i < len(values))
            if count > COUNT_CEILING:
                raise ValidationError(
                    gettext_lazy(
                        "The file has more than %(count)s rows; import at most 2,000 at a "
                        "time — split the file."
                    ),
                    code="too_many_rows",
                    params={"count": format_number_lazy(COUNT_CEILING)},
                )
            continue
        cells = {
            key: _cell(values[index]) if index < len(values) else "" for index, key in keys.items()
        }
        if any(value != "" for value in cells.values()):
            count += 1
            rows.append(SheetRow(number=number, cells=cells))
    if count > MAX_ROWS:
        raise ValidationError(
            gettext_lazy(
                "The file has %(count)s rows; import at most 2,000 at a time — split the file."
            ),
            code="too_many_rows",
            params={"count": format_number_lazy(count)},
        )
    if not rows:
        raise ValidationError(
            gettext_lazy("The file has a header row but no clients below it."), code="no_clients"
        )
    return Sheet(headers=headers, rows=rows)


def _check_sheet_row(number: int) -> None:
    if number > MAX_SHEET_ROWS:
        raise ValidationError(
            gettext_lazy(
                "The sheet goes on past row %(limit)s, even if those rows look empty, and the "
                "import reads no further. Delete the rows below the list (or copy the list "
                "into the empty template) and upload the file again."
            ),
            code="sheet_too_long",
            params={"limit": format_number_lazy(MAX_SHEET_ROWS)},
        )


# -- checking the rows -------------------------------------------------------------------


class SpreadsheetDateField(JalaliDateField):
    """Dates in the file are Jalali whatever the page's language; a real date cell is
    already a Gregorian date."""

    def to_python(self, value):
        if isinstance(value, date):
            return value
        text = to_latin_digits(normalise_text(_text(value)))
        if not text:
            return None
        if looks_gregorian(text):
            raise ValidationError(
                gettext_lazy(
                    "Write the date in the Jalali calendar, like 1370/01/01, or use an Excel "
                    "date cell."
                ),
                code="gregorian_text",
            )
        try:
            return parse_jalali(text)
        except InvalidJalaliDate as error:
            raise ValidationError(error.message, code=error.code, params=error.params) from error


class ProvinceCodeField(forms.ModelChoiceField):
    """A province by its code, from the provinces read once for the whole file."""

    def __init__(self, *, provinces: dict[str, Province], **kwargs):
        super().__init__(queryset=Province.objects.all(), **kwargs)
        self.provinces = provinces

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.provinces[value]
        except KeyError:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None


class ClientRowForm(ClientForm):
    """One row of the file through the registration form, with the file's conventions:
    Jalali birth dates in any language, provinces by code, messages about cells."""

    birth_date = SpreadsheetDateField(label=gettext_lazy("Birth date"))

    def __init__(self, *args, provinces: dict[str, Province], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"] = ProvinceCodeField(
            provinces=provinces,
            label=self.fields["province"].label,
            error_messages={
                "invalid_choice": gettext_lazy(
                    "“%(value)s” is not a province: write its Persian or English name or its "
                    "two-digit code."
                )
            },
        )
        for name in ("id_type", "gender", "category", "education"):
            self.fields[name].error_messages["invalid_choice"] = gettext_lazy(
                "“%(value)s” is not one of the values this column accepts; the import page "
                "lists them."
            )
        for form_field in self.fields.values():
            form_field.error_messages["required"] = gettext_lazy(
                "This cell is empty, but the column is required."
            )
        self.fields["consent"].error_messages["required"] = gettext_lazy(
            "The client's consent is not recorded: write yes in the consent column once the "
            "client has agreed to the processing of their data."
        )
        # The model's own validation would check its constraints and look the province up,
        # a query each (or as much work building it), every row. The constraints are about
        # the identity: a national code's ten digits (the form field checks them) and
        # whether it is taken (`refuse_registered`, for the whole file at once); the
        # province comes from the provinces read once for the file.
        self.instance.validate_constraints = lambda exclude=None: None

    def clean(self):
        # `ClientForm.clean` looks up, row by row, whether the identity and the welfare file
        # number are taken: two queries a row. `check_rows` looks them up for the whole
        # file at once and hands the answer to `refuse_registered`.
        return super(ClientForm, self).clean()

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() | {"province"}

    def refuse_registered(self, registered: "Registered") -> None:
        """The duplicate checks of `ClientForm.clean`, against the clients `registered`
        found for the whole file: the same messages, which name only the user's own
        centre's clients."""
        cleaned = self.cleaned_data
        id_type, id_number = cleaned.get("id_type"), cleaned.get("id_number")
        taken = registered.identities.get((id_type, id_number))
        if taken is not None:
            self.add_error("id_number", identity_taken_message(taken, viewer_centre=self.centre))
        file_number = cleaned.get("welfare_file_number")
        if file_number and file_number in registered.file_numbers:
            self.add_error(
                "welfare_file_number", _("Another client already has this welfare file number.")
            )


class Registered:
    """Clients already registered, at any centre, with an identity or a welfare file
    number of the file: two queries for the whole file."""

    def __init__(self, forms: list[ClientRowForm]):
        identities, file_numbers = set(), set()
        for form in forms:
            cleaned = form.cleaned_data
            if cleaned.get("id_type") and cleaned.get("id_number"):
                identities.add((cleaned["id_type"], cleaned["id_number"]))
            if cleaned.get("welfare_file_number"):
                file_numbers.add(cleaned["welfare_file_number"])
        self.identities, self.file_numbers = selectors.clients_registered_with(
            identities=identities, file_numbers=file_numbers
        )


class _Lookup:
    """Values people write in the file, matched to what the form takes."""

    def __init__(self):
        self.provinces = {province.code: province for province in Province.objects.all()}
        self.province_codes = {}
        for province in self.provinces.values():
            for name in (province.code, province.name_fa, province.name_en):
                self.province_codes[match_key(name)] = province.code
        self.choices = {}
        for column in COLUMNS:
            if column.choices is None:
                continue
            words = {}
            for value, label in column.choices.choices:
                words[match_key(value)] = value
                for language in ("en", "fa"):
                    with translation.override(language):
                        words[match_key(str(label))] = value
            self.choices[column.key] = words

    def choice(self, key: str, text: str) -> str:
        return self.choices[key].get(match_key(text), text) if text else ""

    def province(self, text: str) -> str:
        key = match_key(text)
        if key.isdigit() and len(key) == 1:
            key = key.zfill(2)
        return self.province_codes.get(key, text)


def _form_data(cells: dict, lookup: _Lookup) -> dict:
    text = {column.key: _text(cells.get(column.key, "")) for column in COLUMNS}
    id_type = lookup.choice("id_type", text["id_type"]) or IdType.NATIONAL_CODE
    id_number = text["id_number"]
    if id_type == IdType.NATIONAL_CODE and isinstance(cells.get("id_number"), int):
        id_number = id_number.zfill(10)  # Excel drops a number's leading zeros
    birth_date = cells.get("birth_date", "")
    return {
        **text,
        "id_type": id_type,
        "id_number": id_number,
        "gender": lookup.choice("gender", text["gender"]),
        "birth_date": birth_date if isinstance(birth_date, date) else text["birth_date"],
        "province": lookup.province(text["province"]),
        "category": lookup.choice("category", text["category"]),
        "education": lookup.choice("education", text["education"]),
        "consent": is_consent(cells.get("consent", "")),
    }


def check_rows(sheet: Sheet, *, centre, progress: Callable[[int], None] | None = None) -> None:
    """Put every row through the registration form and look for clients who are already
    registered or in the file twice; each row gets its problems, or the fields to register
    it with. A few queries whatever the number of rows. `progress(rows_checked)` is called
    every `PROGRESS_EVERY` rows."""
    lookup = _Lookup()
    checked = []
    for index, row in enumerate(sheet.rows, start=1):
        form = ClientRowForm(
            data=_form_data(row.cells, lookup), centre=centre, provinces=lookup.provinces
        )
        form.is_valid()
        checked.append((row, form))
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index)
    registered = Registered([form for _row, form in checked])
    identities, file_numbers = {}, {}
    for row, form in checked:
        form.refuse_registered(registered)
        valid = not form.errors
        for name, errors in form.errors.items():
            column = sheet.headers.get(name, "")
            if not column and name in COLUMNS_BY_KEY:
                column = str(COLUMNS_BY_KEY[name].label)
            row.problems.extend(Problem(column, str(message)) for message in errors)
        cleaned = form.cleaned_data
        if cleaned.get("id_type") and cleaned.get("id_number"):
            identities.setdefault((cleaned["id_type"], cleaned["id_number"]), []).append(row)
        if cleaned.get("welfare_file_number"):
            file_numbers.setdefault(cleaned["welfare_file_number"], []).append(row)
        if valid:
            row.fields = {name: cleaned[name] for name in ClientForm.Meta.fields}
    _mark_repeats(
        sheet,
        identities,
        "id_number",
        _("This identity number is in the file more than once: rows %(rows)s."),
    )
    _mark_repeats(
        sheet,
        file_numbers,
        "welfare_file_number",
        _("This welfare file number is in the file more than once: rows %(rows)s."),
    )
    for row in sheet.rows:
        if row.problems:
            row.fields = None


def _mark_repeats(sheet: Sheet, groups: dict, key: str, message: str) -> None:
    for rows in groups.values():
        if len(rows) < 2:
            continue
        numbers = localise_digits(", ".join(str(row.number) for row in rows))
        for row in rows:
            row.problems.append(Problem(sheet.headers.get(key, ""), message % {"rows": numbers}))


# -- the uploaded file between preview and import ----------------------------------------


def import_storage():
    """Where uploaded files wait: `STORAGES["imports"]`, shared by every app server and
    worker."""
    return storages["imports"]


def keep_file(upload) -> str:
    """Store a checked upload under a new random name; returns the name."""
    sweep_stale_files()
    return import_storage().save(f"{uuid.uuid4().hex}.xlsx", upload)


def delete_file(name: str) -> None:
    try:
        import_storage().delete(name)
    except OSError:
        logger.warning("Client import: could not delete %s", name, exc_info=True)


def sweep_stale_files() -> None:
    """Delete the files of previews nobody confirmed or cancelled."""
    storage = import_storage()
    cutoff = timezone.now() - STALE_AFTER
    try:
        _folders, names = storage.listdir("")
    except (FileNotFoundError, NotImplementedError):
        return
    for name in names:
        try:
            if storage.get_modified_time(name) < cutoff:
                storage.delete(name)
        except (OSError, NotImplementedError):
            pass


# -- the import itself: a background task's work -----------------------------------------


def start_import(*, centre, by, file_name: str, original_name: str, rows: int) -> ClientImport:
    """Record a confirmed import; the caller queues the task (`tasks.run_client_import`)."""
    return ClientImport.objects.create(
        centre=centre,
        created_by=by,
        file_name=file_name,
        original_name=original_name[:255],
        language=translation.get_language() or "fa",
        rows_total=rows,
    )


def _write(client_import: ClientImport, **fields) -> None:
    """Record how far the import has got, visible at once to the progress page (in its own
    statement, outside the transaction that saves the rows)."""
    for name, value in fields.items():
        setattr(client_import, name, value)
    ClientImport.objects.filter(pk=client_import.pk).update(**fields)


def run_import(*, client_import: ClientImport) -> None:
    """Read and check the import's file again (someone may have registered one of its
    clients since the preview) and register every row, all of them or none. Safe to run
    twice: a finished import is left alone, and the rows are saved in the same transaction
    that marks the import done. Runs in the scope of the import's centre."""
    if client_import.is_finished:
        return
    with translation.override(client_import.language):
        _write(
            client_import,
            status=ImportStatus.CHECKING,
            started_at=timezone.now(),
            rows_checked=0,
            error="",
            problems=[],
        )
        try:
            with import_storage().open(client_import.file_name, "rb") as file:
                sheet = read_sheet(file)
        except (OSError, ValidationError):
            fail_import(
                client_import=client_import,
                error=gettext_lazy(
                    "The uploaded file can no longer be read; nothing was imported. Upload "
                    "it again."
                ),
            )
            return
        _write(client_import, rows_total=len(sheet.rows))
        check_rows(
            sheet,
            centre=client_import.centre,
            progress=lambda count: _write(client_import, rows_checked=count),
        )
        if not sheet.is_clean:
            fail_import(
                client_import=client_import,
                error=gettext_lazy(
                    "Some rows are no longer correct; nothing was imported. Fix them and "
                    "upload the file again."
                ),
                problems=[
                    {"row": row.number, "column": problem.column, "message": problem.message}
                    for row in sheet.bad_rows
                    for problem in row.problems
                ],
            )
            return
        _write(client_import, status=ImportStatus.SAVING, rows_checked=len(sheet.rows))
        try:
            _save(client_import, sheet)
        except DomainError as error:
            fail_import(client_import=client_import, error=error.message)
            return
    delete_file(client_import.file_name)


@transaction.atomic
def _save(client_import: ClientImport, sheet: Sheet) -> None:
    imports = ClientImport.objects.filter(pk=client_import.pk)
    status = imports.select_for_update().values_list("status", flat=True).get()
    if status in FINISHED_IMPORT_STATES:  # another delivery of the task got here first
        return
    clients = register_clients(
        centre=client_import.centre,
        by=client_import.created_by,
        rows=[row.fields for row in sheet.rows],
    )
    _write(
        client_import,
        status=ImportStatus.DONE,
        created_count=len(clients),
        finished_at=timezone.now(),
    )


def fail_import(*, client_import: ClientImport, error, problems=()) -> None:
    """Mark the import as not imported, saying why (in the language it was confirmed in),
    and delete its file: the user uploads the corrected file again."""
    with translation.override(client_import.language):
        _write(
            client_import,
            status=ImportStatus.FAILED,
            error=str(error),
            problems=list(problems),
            finished_at=timezone.now(),
        )
    delete_file(client_import.file_name)


def has_stalled(client_import: ClientImport, *, now=None) -> bool:
    """A task that started and has not finished within the hard time limit was stopped
    (the worker was killed, say): its transaction never committed, nothing was saved."""
    if client_import.is_finished or client_import.started_at is None:
        return False
    now = now or timezone.now()
    return now - client_import.started_at > timedelta(seconds=TIME_LIMIT + 60)
