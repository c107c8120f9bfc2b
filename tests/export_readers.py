"""Read back what an export view returned, the way a spreadsheet or a script would."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from openpyxl import load_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    # Excel needs the BOM to read UTF-8; csv readers must skip it.
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_sheet(response: Any) -> Any:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    # No cell of any sheet may be a formula, whatever its text.
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    return load_workbook(io.BytesIO(response.content)).active


def xlsx_rows(response: Any) -> list[list[Any]]:
    return [[cell.value for cell in row] for row in xlsx_sheet(response).iter_rows()]


def xlsx_cells(response: Any) -> list[list[Any]]:
    """The cells themselves, to check their types (data_type "s" is text, "n" a number...)."""
    return [list(row) for row in xlsx_sheet(response).iter_rows()]
