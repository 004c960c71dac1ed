"""Error messages say what, where, what was expected and how to fix it."""

from __future__ import annotations

from kit.errors import DataError, ReportError


def test_data_error_message_format():
    err = DataError("3 values are not dates", file="orders.csv", column="order_date", rows=[4, 17, 90],
                    values=["31.02.2024", "x", "?"], expected="DD.MM.YYYY or ISO dates",
                    fix="set date_format in analysis.yaml")
    assert str(err) == ("orders.csv, column 'order_date': 3 values are not dates (rows 4, 17, 90: "
                        "'31.02.2024', 'x', '?'). Expected DD.MM.YYYY or ISO dates; set date_format in analysis.yaml.")
    assert err.rows == [4, 17, 90] and err.column == "order_date"


def test_data_error_truncates_long_row_lists():
    err = DataError("bad", file="a.csv", column="x", rows=list(range(2, 12)), values=list("abcdefghij"))
    assert "rows 2, 3, 4, 5, 6, ...: 'a', 'b', 'c', 'd', 'e', ..." in str(err)


def test_report_error_names_notebook_and_cell():
    err = ReportError("ZeroDivisionError: division by zero", notebook="03_criteria.ipynb", cell=7)
    assert str(err).startswith("03_criteria.ipynb, cell 7: ")
