"""Reading and checking a client list from an .xlsx file: every row goes through the
registration form, duplicates within the file are marked, and nothing is saved until
`import_rows` registers all rows in one transaction. The pages are in `imports.py`."""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
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

from .forms import ClientForm
from .import_template import (
    COLUMNS,
    COLUMNS_BY_KEY,
    is_consent,
    match_key,
)
from .models import IdType
from .services import register_client

logger = logging.getLogger(__name__)

MAX_ROWS = 2000
# Past the limit rows are counted only this far, so a file of a million short rows (5 MB
# compress well) is refused in seconds rather than read to the end.
COUNT_CEILING = 20_000


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
    what is wrong with the file as a whole."""
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
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
    header_number, keys, headers = None, {}, {}
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
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


def check_rows(sheet: Sheet, *, centre) -> None:
    """Put every row through the registration form and look for clients who are in the file
    twice; each row gets its problems, or the fields to register it with."""
    lookup = _Lookup()
    identities, file_numbers = {}, {}
    for row in sheet.rows:
        form = ClientRowForm(
            data=_form_data(row.cells, lookup), centre=centre, provinces=lookup.provinces
        )
        valid = form.is_valid()
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


@transaction.atomic
def import_rows(*, sheet: Sheet, centre, by) -> int:
    """Register every row of a checked sheet at `centre`; all of them or none."""
    if not sheet.is_clean:
        raise DomainError(_("The file has rows with problems; nothing was imported."))
    for row in sheet.rows:
        register_client(centre=centre, by=by, **row.fields)
    return len(sheet.rows)


# -- the uploaded file between preview and confirm ---------------------------------------
