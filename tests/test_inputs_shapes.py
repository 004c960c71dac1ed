"""More input shapes (issue 16): compressed files, JSON / NDJSON records, legacy .xls, line items folded into
orders with cancellations as refunds, constant columns and row filters, the CLV penaliser setting."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from kit.data.config import DataSources, TableSource
from kit.data.io import read_table
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
    return path


@pytest.mark.parametrize("name", ["orders.csv.gz", "orders.zip", "orders.json", "orders_wrapped.json",
                                  "orders.ndjson", "orders_lines.json", "orders.ndjson.gz", "orders.xls"])
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
