"""Excel exports (openpyxl) of the loan list and of a loan's schedule: amounts in whole
rials as numbers (a spreadsheet sums them), dates as the Jalali text people read and the
Gregorian date a spreadsheet can sort; headings in the page's language; right to left on
Persian pages."""

from io import BytesIO

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from hami.jalali import format_jalali
from hami.text import is_persian

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell that starts with one of these is read as a formula by spreadsheets: text typed by
# people (names, plan titles) is written with a leading apostrophe's worth of safety.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _sheet(workbook: Workbook, title: str, headings: list[str]):
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.sheet_view.rightToLeft = is_persian()
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    return sheet


def _jalali(day):
    return format_jalali(day) if day else ""


def application_list_workbook(applications) -> Workbook:
    workbook = Workbook()
    sheet = _sheet(
        workbook,
        _("Loans"),
        [
            _("Client"),
            _("National code"),
            _("Centre"),
            _("Business plan"),
            _("Product"),
            _("Status"),
            _("Amount (rials)"),
            _("Term (months)"),
            _("Disbursed on (Jalali)"),
            _("Disbursed on"),
            _("Days past due"),
        ],
    )
    for application in applications.iterator(chunk_size=2000):
        sheet.append(
            [
                _text(application.client.full_name),
                application.client.id_number,
                _text(application.centre.name),
                _text(application.plan.title),
                _text(application.product.name),
                str(application.get_state_display()),
                application.amount,
                application.term_months,
                _jalali(application.disbursed_on),
                application.disbursed_on,
                application.days_past_due,
            ]
        )
    return workbook


def schedule_workbook(loan) -> Workbook:
    workbook = Workbook()
    sheet = _sheet(
        workbook,
        _("Schedule"),
        [
            _("Number"),
            _("Due on (Jalali)"),
            _("Due on"),
            _("Principal (rials)"),
            _("Interest (rials)"),
            _("Installment (rials)"),
            _("Paid (rials)"),
            _("Paid in full on (Jalali)"),
        ],
    )
    for row in loan.installments.order_by("number"):
        sheet.append(
            [
                row.number,
                _jalali(row.due_on),
                row.due_on,
                row.principal_due,
                row.interest_due,
                row.total_due,
                row.total_paid,
                _jalali(row.paid_on),
            ]
        )
    return workbook


def xlsx_response(workbook: Workbook, filename: str) -> HttpResponse:
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
