"""More input shapes (issue 16): compressed files, JSON / NDJSON records, legacy .xls, line items folded into
orders with cancellations as refunds, constant columns and row filters, the CLV penaliser setting."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from kit.data.config import AnalysisConfig, DataSources, TableSource
from kit.data.io import read_data, read_table
from kit.errors import DataError

FIX = Path(__file__).resolve().parent / "fixtures"
ORDERS_EN = FIX / "orders_en.csv"


def read(path: Path, table: str = "orders", **options) -> pd.DataFrame:
    src = TableSource(file=path, **options)
    return read_table(src, table, data=DataSources(tables={table: src}))


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    """The four orders of orders_en.csv as the kit reads the plain CSV (the oracle for every other shape)."""
    return read(ORDERS_EN)


def _records() -> list[dict]:
    rows = pd.read_csv(ORDERS_EN, dtype=str, keep_default_na=False).to_dict("records")
    for row in rows:  # JSON exports carry numbers and flags as JSON types
        row["revenue"] = float(row["revenue"].replace(",", ""))
        row["refund_amount"] = float(row["refund_amount"]) if row["refund_amount"] else None
        row["returned"] = row["returned"] == "true"
        row["quantity"] = int(row["quantity"])
    return rows


def _write(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    if name == "orders.csv.gz":
        path.write_bytes(gzip.compress(ORDERS_EN.read_bytes()))
    elif name == "orders.zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("export/orders.csv", ORDERS_EN.read_bytes())
    elif name == "orders.json":
        path.write_text(json.dumps(_records()), encoding="utf-8")
    elif name == "orders_wrapped.json":
        path.write_text(json.dumps({"count": 4, "orders": _records()}), encoding="utf-8")
    elif name in ("orders.ndjson", "orders_lines.json"):
        path.write_text("\n".join(json.dumps(r) for r in _records()) + "\n", encoding="utf-8")
    elif name == "orders.ndjson.gz":
        path.write_bytes(gzip.compress("\n".join(json.dumps(r) for r in _records()).encode("utf-8")))
    elif name == "orders.xls":
        path.write_bytes((FIX / "orders_en.xls").read_bytes())
    elif name == "orders_parts":   # a folder of Parquet files, as Spark or DuckDB writes a table
        whole = pd.read_parquet(FIX / "orders_en.parquet")
        (path / "day=1").mkdir(parents=True)
        whole.iloc[:3].to_parquet(path / "day=1" / "part-0.parquet", index=False)
        whole.iloc[3:].to_parquet(path / "day=1" / "part-1.parquet", index=False)
        (path / "_SUCCESS").write_text("")
    return path


@pytest.mark.parametrize("name", ["orders.csv.gz", "orders.zip", "orders.json", "orders_wrapped.json",
                                  "orders.ndjson", "orders_lines.json", "orders.ndjson.gz", "orders.xls",
                                  "orders_parts"])
def test_every_shape_reads_the_same_four_orders(tmp_path, expected, name):
    frame = read(_write(tmp_path, name))
    pd.testing.assert_frame_equal(frame[expected.columns], expected, check_dtype=False)
    assert frame["order_id"].tolist() == ["A-1", "A-2", "A-3", "A-4"]
    assert frame["revenue"].tolist() == [1234.5, 12.5, 49.9, 1_000_000.0]


def test_nested_json_objects_become_dotted_columns(tmp_path):
    path = tmp_path / "o.json"
    path.write_text(json.dumps([{"id": "A", "customer": {"id": 17850}, "date": "2024-01-31", "total": 9.5}]),
                    encoding="utf-8")
    frame = read(path, columns={"id": "order_id", "customer.id": "customer_id", "date": "order_date",
                                "total": "revenue"})
    assert frame.loc[0, "customer_id"] == "17850"  # a JSON number as id: no '.0'


@pytest.mark.parametrize(("name", "content", "match"), [
    ("two.zip", None, r"two\.zip: the ZIP archive holds 2 files \('a\.csv', 'b\.csv'\)\. Expected exactly one "
                      r"table file"),
    ("not.csv.gz", b"order_id,customer_id\n", r"not\.csv\.gz: cannot be unpacked as a \.gz file"),
    ("broken.json", b'[{"order_id": "A"', r"broken\.json: is not valid JSON \(.* at line 1"),
    ("scalars.json", b"[1, 2]", r"scalars\.json: 2 records are not an object \(rows 1, 2: \)|scalars\.json: 2 records"
                                r" are not an object"),
    ("lines.ndjson", b'{"order_id": "A"}\nnot json\n{"order_id": "B"}\nnor this\n',
     r"lines\.ndjson: 2 lines are not JSON \(rows 2, 4\)\. Expected one JSON record per line"),
    ("empty.json", b"  \n", r"empty\.json: the file is empty"),
    ("latin.json", '[{"a": "ä"}]'.encode("cp1252"), r"latin\.json: is not UTF-8 text"),
    ("orders.sav", b"x", r"orders\.sav: unsupported file type '\.sav'\. Expected \.csv, \.xlsx, \.xls, \.json"),
])
def test_bad_shapes_raise_data_error(tmp_path, name, content, match):
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("a.csv", "x\n1\n")
            archive.writestr("b.csv", "x\n1\n")
    else:
        path.write_bytes(content)
    with pytest.raises(DataError, match=match):
        read(path)


# ------------------------------------------------------------------ the CLV penaliser the error message suggests


def test_the_penaliser_the_clv_error_suggests_is_accepted_by_the_config(tmp_path):
    import re

    from kit.data.config import load_config
    from kit.models.clv import _fitting

    source = Path(_fitting.__file__).read_text(encoding="utf-8")
    suggested = set(re.findall(r"clv\.penaliser: ([0-9.]+) in analysis\.yaml", source))
    assert suggested == {"0.001"}  # both messages (no convergence, flat likelihood) suggest the same setting
    path = tmp_path / "analysis.yaml"
    path.write_text("business: {name: T}\nclv: {penaliser: 0.001}\ndata: {tables: {orders: {file: o.csv}}}\n",
                    encoding="utf-8")
    assert load_config(path).clv.penaliser == 0.001


def test_customer_value_fits_with_the_configured_penaliser(sample_config):
    from kit.data.config import CLVSettings
    from kit.models.clv import customer_value

    orders = read_table(sample_config.data.tables["orders"], "orders", data=sample_config.data)
    plain = customer_value(orders, as_of="2026-07-01", settings=CLVSettings())
    value = customer_value(orders, as_of="2026-07-01", settings=CLVSettings(penaliser=0.001))
    assert value.attrs["bg"].penaliser == 0.001 and value.attrs["gg"].penaliser == 0.001
    # the penalty shrinks the log-parameters towards 0, so the fit moves
    assert value.attrs["bg"].params_["r"] != pytest.approx(plain.attrs["bg"].params_["r"], rel=1e-6)


# ------------------------------------------------------------------ line items folded into orders

LINES = {"file": "orders_lines.csv", "date_format": "%m/%d/%y %H:%M", "group_by": "InvoiceNo",
         "cancellation_prefix": "C",
         "columns": {"CustomerID": "customer_id", "InvoiceDate": "order_date", "Quantity": "quantity",
                     "UnitPrice": "unit_price"}}


def config(tables: dict[str, dict]) -> AnalysisConfig:
    resolved = {name: {**opts, "file": str(FIX / opts["file"])} for name, opts in tables.items()}
    return AnalysisConfig.model_validate({"business": {"name": "Test"}, "data": {"tables": resolved}})


def test_line_items_fold_into_orders_with_cancellations_as_refunds():
    data = read_data(config({"orders": LINES}))
    orders = data.orders.set_index("order_id")
    # 536365: 6 x 2.55 + 2 x 3.39 = 22.08; 536366: 10.00; 536368 (guest): 15.00; 536370: 5.00
    assert orders["revenue"].round(2).to_dict() == {"536365": 22.08, "536366": 10.0, "536368": 15.0, "536370": 5.0}
    # C536367 (2.55) -> 536366, the latest earlier order of 17850; C536371 (30.00) -> the 7.45 left of 536366,
    # then 22.08 of 536365, 0.47 without an order; C536369 (50.00) of 17851 comes before 17851's only order
    assert orders["refund_amount"].round(2).to_dict() == {"536365": 22.08, "536366": 10.0, "536368": 0.0,
                                                          "536370": 0.0}
    assert orders["returned"].tolist() == [True, True, False, False]
    assert orders["quantity"].tolist() == [8.0, 1.0, 3.0, 4.0]
    assert (orders["refund_amount"] <= orders["revenue"]).all()
    q = data.quality.set_index("check")
    assert q.loc["line items folded into orders", "example"] == (
        "8 lines -> 4 orders; 3 cancellations (82.55) -> refunds of 2 earlier orders of their customers")
    unmatched = q.loc["cancellations without an earlier order of the customer"]
    assert (unmatched["severity"], unmatched["count"]) == ("warning", 2)
    assert unmatched["example"].startswith("2 cancellations (50.47, e.g. C536369, C536371)")
    # the guest order is kept and said
    assert q.loc["customer_id given in every row", "count"] == 1


def test_line_items_naive_oracle_keeps_the_money():
    """Every cancelled amount is either booked as a refund or counted as unmatched (an independent sum)."""
    raw = pd.read_csv(FIX / "orders_lines.csv")
    value = raw["Quantity"] * raw["UnitPrice"]
    cancelled = -value[raw["InvoiceNo"].str.startswith("C")].sum()
    data = read_data(config({"orders": LINES}))
    unmatched = data.quality.set_index("check").loc["cancellations without an earlier order of the customer"]
    booked = data.orders["refund_amount"].sum()
    assert booked + unmatched["params"]["value"] == pytest.approx(cancelled)  # 32.08 + 50.47 = 82.55
    assert data.orders["revenue"].sum() == pytest.approx(value[value > 0].sum())


def test_row_filters_and_constants():
    where = [{"column": "Country", "not_equals": "France"}, {"column": "customer_id", "blank": False}]
    data = read_data(config({"orders": {**LINES, "where": where, "constants": {"channel": "online"}}}))
    # France's two lines and the guest line are left out; C536371 still spills 0.47 past 17850's orders
    assert sorted(data.orders["order_id"]) == ["536365", "536366"]
    assert set(data.orders["channel"]) == {"online"}
    left_out = data.quality[data.quality["check"] == "rows left out by where"]["example"].tolist()
    assert left_out == ["Country not_equals 'France': 2 of 8 rows left out",
                        "CustomerID blank False: 1 of 6 rows left out"]


def test_rows_named_in_messages_keep_their_file_numbers_after_where(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("order_id,customer_id,order_date,revenue,Shop\nA,1,2024-01-01,1,test\nB,1,2024-01-02,x,live\n",
                    encoding="utf-8")
    with pytest.raises(DataError, match=r"o\.csv, column 'revenue': 1 value is not a number \(row 3: 'x'\)"):
        read(path, where=[{"column": "Shop", "equals": "live"}])


@pytest.mark.parametrize(("options", "match"), [
    ({"where": [{"column": "Land", "equals": "DE"}]},
     r"orders_lines\.csv, column 'Land': the where condition names column 'Land', which is neither in the file nor "
     r"mapped"),
    ({"where": [{"column": "Country", "equals": "Narnia"}]}, r"orders_lines\.csv: no row meets the where conditions"),
    ({"constants": {"quantity": 1}}, r"orders_lines\.csv, column 'quantity': constant column 'quantity' is also a "
                                     r"column of the file"),
    ({"group_by": "Invoice"}, r"orders_lines\.csv, column 'Invoice': group_by names column 'Invoice', which is not "
                              r"in the file"),
    ({"columns": {"CustomerID": "customer_id", "InvoiceDate": "order_date"}},
     r"orders_lines\.csv, column 'revenue': required column 'revenue' is missing"),
])
def test_bad_line_item_settings_raise_data_error(options, match):
    with pytest.raises(DataError, match=match):
        read_data(config({"orders": {**LINES, **options}}))


def test_group_by_only_for_orders():
    from pydantic import ValidationError

    from kit.errors import ConfigError

    with pytest.raises((ConfigError, ValidationError), match="only allowed for the orders table"):
        config({"orders": {"file": "orders_en.csv"}, "surveys": {"file": "surveys_ok.csv", "group_by": "x"}})


def test_readme_shape_examples_are_valid_configurations():
    import re

    import yaml

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Your data's shape: line items, reviews, survey-only", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 3
    for block in blocks:
        raw = yaml.safe_load(block)
        config = AnalysisConfig.model_validate({"business": {"name": "README"}, **raw})
        assert config.data.tables
