"""Lists as downloads: one table, written as CSV or XLSX, for every page that exports.

Both formats refuse spreadsheet formula injection. A text cell that begins with = + - @, a tab or
a carriage return is what a spreadsheet may run as a formula (a project named
`=HYPERLINK("http://x")` would become a live link), so:

- in CSV the cell gets a leading single quote, which spreadsheets show as text (the OWASP advice);
- in XLSX every text cell is written as a string, never as a formula (openpyxl alone would turn
  any text starting with "=" into one), and a risky one also gets Excel's "quote prefix" style,
  so that editing the cell does not turn it into a formula either. The text itself is kept as is.

Numbers, dates, times and booleans stay typed in XLSX; CSV writes them as ISO 8601 and
true/false. Times are written in the site's time zone (Excel has no time zones).

An export of the whole portfolio (every project or every risk a person may see) is built in the
request and can take a web worker for seconds; `one_per_user` lets a person run one at a time, so
a held-down download button cannot take every web worker.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel refuses longer cells (the file opens with a "repair" prompt) and sheet titles.
XLSX_MAX_CELL = 32_767
XLSX_MAX_TITLE = 31


# pg_try_advisory_xact_lock(class, key) key space of per-user exports ("EXPT" in ASCII); the
# audit writer's lock (lifecycle.services.records) is a one-key lock, so the two never meet.
_EXPORT_LOCK_CLASS = 0x45585054
EXPORT_BUSY = "Your previous export is still being prepared. Wait for its download to start, then try again."
EXPORT_BUSY_RETRY_AFTER = 5


def table_response(
    *, header: list[str], rows: Iterable[Sequence[Any]], basename: str, fmt: str, title: str = "", one_per_user: Any = None
) -> HttpResponse:
    """A download of `header` and `rows` as `<basename>-<YYYYMMDD>.<fmt>`, or 400 for an unknown
    format (checked before `rows` is read, so a lazy `rows` costs no query then).

    With `one_per_user` (the person exporting the whole portfolio), a second export of theirs
    while one is being built answers 429 with Retry-After instead of building another."""
    if fmt not in FORMATS:
        problem = f"Unknown export format “{fmt[:20]}”" if fmt else "No export format given"
        return HttpResponseBadRequest(f"{problem}: use format=csv or format=xlsx.", content_type="text/plain; charset=utf-8")
    with _one_at_a_time(one_per_user) as free:
        if not free:
            busy = HttpResponse(EXPORT_BUSY, status=429, content_type="text/plain; charset=utf-8")
            busy["Retry-After"] = str(EXPORT_BUSY_RETRY_AFTER)
            return busy
        if fmt == "csv":
            content = _csv_bytes(header, rows)
        else:
            content = _xlsx_bytes(header, rows, title or basename)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{basename}-{timezone.localdate():%Y%m%d}.{fmt}"'
    return response


@contextlib.contextmanager
def _one_at_a_time(user: Any) -> Iterator[bool]:
    """True while this is the user's only export in progress (PostgreSQL; elsewhere always True).

    A transaction-level advisory lock, tried without waiting: it ends with the transaction
    whatever happens to the request, and unlike a session lock it stays correct behind PgBouncer
    in transaction mode. The transaction only reads (the rows of the export, from one snapshot).
    """
    if user is None or connection.vendor != "postgresql":
        yield True
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))", [_EXPORT_LOCK_CLASS, str(user.pk)])
            free = bool(cursor.fetchone()[0])
        yield free


def is_risky(text: str) -> bool:
    """Would a spreadsheet read this text as a formula?"""
    return text.startswith(FORMULA_PREFIXES)


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _local(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if isinstance(value, (int, float, Decimal)):
        return text  # a negative number is a number, not a formula
    return f"'{text}" if is_risky(text) else text


def _csv_bytes(header: list[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    # The BOM tells Excel the file is UTF-8; without it accents come out garbled.
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_value(sheet: Any, value: Any) -> Any:
    """What to append for `value`: the value itself when openpyxl types it right, else a cell
    (a cell object per value would double the cost of a large sheet)."""
    if isinstance(value, datetime):
        return _local(value).replace(tzinfo=None, microsecond=0)
    if value is None or isinstance(value, (bool, int, float, Decimal, date)):
        return value
    # Characters XML 1.0 cannot carry (pasted control codes) would make openpyxl refuse the file.
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:XLSX_MAX_CELL]
    if not is_risky(text) and text not in ERROR_CODES:
        return text
    # Text is text: openpyxl would write "=..." as a formula and "#N/A" as an error.
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    cell.quotePrefix = is_risky(text)
    return cell


def _xlsx_header(sheet: Any, name: str) -> Cell:
    cell = WriteOnlyCell(sheet, value=name)
    cell.data_type = "s"
    cell.font = Font(bold=True)
    return cell


def _xlsx_bytes(header: list[str], rows: Iterable[Sequence[Any]], title: str) -> bytes:
    # A write-only workbook streams rows to a temporary file instead of keeping a cell object
    # for each of them: 10,000 rows stay cheap.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "A2"
    sheet.append([_xlsx_header(sheet, name) for name in header])
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip("' ")
    return cleaned[:XLSX_MAX_TITLE] or "Sheet1"
