"""CSV files that people open in a spreadsheet (Excel, LibreOffice), not only programs."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a file as UTF-8 only when it starts with a byte-order mark; without it Indonesian
# names with accents, and the rupiah sign, come out garbled.
BYTE_ORDER_MARK = "\ufeff"
DELIMITERS = {"comma": ",", "semicolon": ";"}


def safe_cell(value) -> str:
    """VALUE as a cell a spreadsheet shows as text: a leading apostrophe on anything that would
    otherwise be run as a formula. Numbers are written as they are (a negative number stays one)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(header: Iterable, rows: Iterable[Iterable], *, delimiter: str = ",",
              byte_order_mark: bool = True) -> Iterator[str]:
    """HEADER and ROWS as CSV text, one line at a time (so a long file can be streamed), CRLF line
    ends as RFC 4180 and Excel expect. `;` as DELIMITER suits spreadsheets set to Indonesian, whose
    decimal comma makes them split on semicolons."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")

    def line(cells) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow([safe_cell(cell) for cell in cells])
        return out.getvalue()

    yield (BYTE_ORDER_MARK if byte_order_mark else "") + line(header)
    for row in rows:
        yield line(row)
