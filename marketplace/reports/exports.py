"""The reports as CSV files that open correctly in Excel and LibreOffice (core/spreadsheet.py):
UTF-8 with a byte-order mark, comma or semicolon between cells, plain numbers in whole rupiah."""
from __future__ import annotations

from collections.abc import Iterator

from marketplace.core.spreadsheet import csv_lines
from marketplace.reports.metrics import GraduateRow, MonthRow

GRADUATE_HEADER = ("name", "program", "graduated_on", "shop", "active_listings", "orders", "units",
                   "sales_idr", "first_sale_on")
MONTHLY_HEADER = ("month", "orders", "units", "sales_idr", "earnings_idr", "average_order_value_idr")


def graduate_lines(rows: list[GraduateRow], *, delimiter: str = ",") -> Iterator[str]:
    return csv_lines(GRADUATE_HEADER, (
        (row.name, row.program_title, row.graduated_on.isoformat(), row.shop_name or "", row.listings,
         row.orders, row.units, row.sales, row.first_sale_on.isoformat() if row.first_sale_on else "")
        for row in rows
    ), delimiter=delimiter)


def monthly_lines(months: list[MonthRow], *, delimiter: str = ",") -> Iterator[str]:
    return csv_lines(MONTHLY_HEADER, (
        (m.month, m.orders, m.units, m.sales, m.earnings, m.sales // m.orders if m.orders else 0)
        for m in months
    ), delimiter=delimiter)
