"""A folder of Parquet files read as one table: the same frame as the parts read one by one and put together,
Hive folder keys as columns, and errors that name the part and the row inside it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kit.data._parquet_folder import read_parquet_folder
from kit.data.config import AnalysisConfig, DataSources, TableSource
from kit.data.io import read_data, read_table, validate
from kit.errors import DataError

FIX = Path(__file__).resolve().parent / "fixtures"


def _orders(n: int, start: int = 0) -> pd.DataFrame:
    return pd.DataFrame({"order_id": [f"A{i}" for i in range(start, start + n)],
                         "customer_id": [f"K{i % 7}" for i in range(start, start + n)],
                         "order_date": pd.date_range("2024-01-01", periods=n, freq="D") + pd.Timedelta(days=start),
                         "revenue": [10.0 + i for i in range(start, start + n)]})


def _folder(root: Path, parts: dict[str, pd.DataFrame]) -> Path:
    folder = root / "orders"
    for name, frame in parts.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(folder / name, index=False)
    return folder


def _read(path: Path, **source) -> pd.DataFrame:
    src = TableSource(file=path, **source)
    return read_table(src, "orders", data=DataSources(tables={"orders": src}))


def test_a_folder_reads_as_its_parts_one_after_another(tmp_path):
    parts = {"part-00000.parquet": _orders(4), "part-00001.parquet": _orders(5, 4), "part-00002.parquet": _orders(3, 9)}
    folder = _folder(tmp_path, parts)
    (folder / "_SUCCESS").write_text("")           # what Spark leaves: not a part
    (folder / ".part-00000.parquet.crc").write_text("x")
    # the oracle: each part read as one file, put together in name order
    single = [tmp_path / f"single{i}.parquet" for i in range(3)]
    for path, frame in zip(single, parts.values(), strict=True):
        frame.to_parquet(path, index=False)
    expected = pd.concat([_read(p) for p in single], ignore_index=True)
    got = _read(folder)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got["order_id"].tolist() == [f"A{i}" for i in range(12)]   # name order, every row once


def test_parts_are_taken_in_name_order_not_creation_order(tmp_path):
    folder = _folder(tmp_path, {"part-1.parquet": _orders(2, 2)})
    _orders(2).to_parquet(folder / "part-0.parquet", index=False)   # written later, named first
    assert _read(folder)["order_id"].tolist() == ["A0", "A1", "A2", "A3"]


def test_hive_folder_keys_become_text_columns(tmp_path):
    folder = _folder(tmp_path, {"region=NW/part-0.parquet": _orders(2), "region=BY/part-0.parquet": _orders(3, 2)})
    got = _read(folder, columns={"region": "channel"})
    assert got["channel"].tolist() == ["BY", "BY", "BY", "NW", "NW"]   # 'region=BY' sorts first
    assert got["order_id"].tolist() == ["A2", "A3", "A4", "A0", "A1"]


def test_an_error_names_the_part_and_the_row_inside_it(tmp_path):
    bad = _orders(5, 4)
    bad.loc[2, "revenue"] = -3.0            # row 4 of part-1 (header row 1, first data row 2)
    folder = _folder(tmp_path, {"part-0.parquet": _orders(4), "part-1.parquet": bad})
    cfg = AnalysisConfig.model_validate({"business": {"name": "T"},
                                         "data": {"tables": {"orders": {"file": str(folder)}}}})
    with pytest.raises(DataError) as info:
        read_data(cfg)
    err = info.value
    assert err.file == "orders/part-1.parquet"
    assert err.rows == [4]
    assert err.values == [-3.0]
    assert "orders/part-1.parquet, column 'revenue'" in str(err)
    # the same row in one file of all rows: row 8 (4 rows of part-0 before it)
    whole = tmp_path / "whole.parquet"
    pd.concat([_orders(4), bad], ignore_index=True).to_parquet(whole, index=False)
    cfg_one = AnalysisConfig.model_validate({"business": {"name": "T"},
                                             "data": {"tables": {"orders": {"file": str(whole)}}}})
    with pytest.raises(DataError) as one:
        read_data(cfg_one)
    assert one.value.rows == [8]
    assert one.value.problem == err.problem


def test_errors_in_two_parts_name_the_other_rows_too(tmp_path):
    first, second = _orders(3), _orders(3, 3)
    first.loc[1, "revenue"] = -1.0
    second.loc[0, "revenue"] = -2.0
    folder = _folder(tmp_path, {"a.parquet": first, "b.parquet": second})
    cfg = AnalysisConfig.model_validate({"business": {"name": "T"},
                                         "data": {"tables": {"orders": {"file": str(folder)}}}})
    report = validate(cfg)
    errors = report[report["severity"] == "error"]
    assert len(errors) == 1
    message = errors["example"].iloc[0]
    assert message.startswith("orders/a.parquet, column 'revenue'")
    assert "also row 2 of b.parquet" in message
    assert "(row 3: -1.0)" in message


def test_parts_that_differ_are_named_before_reading(tmp_path):
    other = _orders(2, 2).rename(columns={"revenue": "umsatz"})
    folder = _folder(tmp_path, {"part-0.parquet": _orders(2), "part-1.parquet": other})
    with pytest.raises(DataError, match=r"orders/: part 'part-1.parquet' has no column 'revenue'.*same columns"):
        _read(folder)
    typed = _orders(2, 2).astype({"revenue": str})
    (folder / "part-1.parquet").unlink()
    typed.to_parquet(folder / "part-1.parquet", index=False)
    with pytest.raises(DataError, match=r"part 'part-1.parquet' stores column 'revenue' as (large_)?string, "
                                        r"'part-0.parquet' as double"):
        _read(folder)


def test_a_folder_without_parquet_files_says_what_it_found(tmp_path):
    folder = tmp_path / "orders"
    folder.mkdir()
    with pytest.raises(DataError, match=r"orders/: the folder holds no Parquet file.*the folder is empty"):
        _read(folder)
    (folder / "orders.csv").write_text("order_id\nA1\n")
    with pytest.raises(DataError, match=r"no Parquet file .*files found: 'orders.csv'"):
        _read(folder)


def test_a_part_that_is_not_parquet_is_named(tmp_path):
    folder = _folder(tmp_path, {"part-0.parquet": _orders(2)})
    (folder / "part-1.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(DataError, match=r"part 'part-1.parquet' cannot be read as Parquet"):
        _read(folder)


def test_reading_a_folder_changes_no_file(tmp_path):
    folder = _folder(tmp_path, {"part-0.parquet": _orders(3), "sub/part-1.parquet": _orders(2, 3)})
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*") if p.is_file()}
    _read(folder)
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*") if p.is_file()}
    assert before == after


def test_the_quality_report_counts_the_parts(tmp_path):
    folder = _folder(tmp_path, {"part-0.parquet": _orders(3), "part-1.parquet": _orders(2, 3)})
    cfg = AnalysisConfig.model_validate({"business": {"name": "T"},
                                         "data": {"tables": {"orders": {"file": str(folder)}}}})
    data = read_data(cfg)
    assert data.sources["orders"] == "orders/"
    rows_read = data.quality[(data.quality["table"] == "orders") & (data.quality["check_key"] == "rows_read")]
    assert rows_read["count"].tolist() == [5]
    assert rows_read["example"].tolist() == ["orders/ (2 Parquet files)"]


def test_a_large_string_part_reads_like_pandas_reads_it(tmp_path):
    # pyarrow's large_string (what DuckDB and the sample writer write) and a dictionary column
    table = pa.table({"order_id": pa.array(["A1", "A2"], pa.large_string()),
                      "customer_id": pa.array(["K1", "K1"]).dictionary_encode(),
                      "order_date": pa.array([pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")]),
                      "revenue": pa.array([1.5, 2.5])})
    folder = tmp_path / "orders"
    folder.mkdir()
    pq.write_table(table, folder / "p.parquet")
    pq.write_table(table, tmp_path / "one.parquet")
    pd.testing.assert_frame_equal(_read(folder), _read(tmp_path / "one.parquet"), check_exact=True)


def test_a_value_that_does_not_convert_names_its_part(tmp_path):
    # parts that store revenue as text (as an export from a text-typed source does): one value is not a number
    good = _orders(3).astype({"revenue": str})
    bad = _orders(3, 3).astype({"revenue": str})
    bad.loc[2, "revenue"] = "zwölf"
    folder = _folder(tmp_path, {"part-0.parquet": good, "part-1.parquet": bad})
    with pytest.raises(DataError) as info:
        _read(folder)
    assert info.value.file == "orders/part-1.parquet"
    assert info.value.rows == [4]
    assert info.value.values == ["zwölf"]
    assert str(info.value).startswith("orders/part-1.parquet, column 'revenue'")


def test_a_column_empty_in_one_part_takes_the_type_of_the_others(tmp_path):
    # a chunk of a pandas export without any refund: pyarrow stores that column as type null
    first = _orders(3).assign(refund_amount=[0.0, 2.5, 0.0])
    empty = _orders(2, 3).assign(refund_amount=[None, None])
    folder = _folder(tmp_path, {"part-0.parquet": first, "part-1.parquet": empty})
    assert str(pq.read_schema(folder / "part-1.parquet").field("refund_amount").type) == "null"
    whole = tmp_path / "whole.parquet"
    pd.concat([first, empty.astype({"refund_amount": "float64"})], ignore_index=True).to_parquet(whole, index=False)
    pd.testing.assert_frame_equal(_read(folder), _read(whole), check_exact=True)


def test_hive_keys_are_decoded_and_the_default_partition_is_missing(tmp_path):
    folder = _folder(tmp_path, {"city=M%C3%BCnchen/p.parquet": _orders(1),
                                "city=__HIVE_DEFAULT_PARTITION__/p.parquet": _orders(1, 1)})
    got = _read(folder)
    assert got["city"].tolist()[0] == "München"          # 'city=M...' sorts before 'city=__...'
    assert pd.isna(got["city"].tolist()[1])
    assert got["order_id"].tolist() == ["A0", "A1"]


def test_the_parts_are_counted_in_both_languages(tmp_path):
    from kit.data.io import translate_quality_report

    folder = _folder(tmp_path, {"part-0.parquet": _orders(3), "part-1.parquet": _orders(2, 3)})
    cfg = AnalysisConfig.model_validate({"business": {"name": "T"},
                                         "data": {"tables": {"orders": {"file": str(folder)}}}})
    german = translate_quality_report(validate(cfg), "de")
    assert "orders/ (2 Parquet-Dateien)" in german.to_string()


def _same_as_one_file(tmp_path, folder, frames):
    whole = tmp_path / "whole.parquet"
    pd.concat(frames, ignore_index=True).to_parquet(whole, index=False)
    pd.testing.assert_frame_equal(_read(folder), _read(whole), check_exact=True)


def test_parts_may_order_their_columns_differently(tmp_path):
    second = _orders(3, 3)[["revenue", "customer_id", "order_date", "order_id"]]
    folder = _folder(tmp_path, {"part-0.parquet": _orders(3), "part-1.parquet": second})
    _same_as_one_file(tmp_path, folder, [_orders(3), _orders(3, 3)])


def test_parts_from_other_writers_combine(tmp_path):
    # one writer: not-null fields, string, timestamps in ms; the other: nullable, large_string, us
    strict = pa.schema([pa.field("order_id", pa.string(), nullable=False),
                        pa.field("customer_id", pa.string(), nullable=False),
                        pa.field("order_date", pa.timestamp("ms"), nullable=False),
                        pa.field("revenue", pa.float64(), nullable=False)])
    folder = tmp_path / "orders"
    folder.mkdir()
    pq.write_table(pa.Table.from_pandas(_orders(3), schema=strict, preserve_index=False), folder / "a.parquet")
    loose = pa.Table.from_pandas(_orders(2, 3), preserve_index=False).cast(pa.schema([
        ("order_id", pa.large_string()), ("customer_id", pa.large_string()), ("order_date", pa.timestamp("us")),
        ("revenue", pa.float64())]))
    pq.write_table(loose, folder / "b.parquet")
    _same_as_one_file(tmp_path, folder, [_orders(3), _orders(2, 3)])


def test_a_pandas_index_stored_in_one_part_is_not_data(tmp_path):
    folder = _folder(tmp_path, {"part-0.parquet": _orders(3)})
    indexed = _orders(2, 3)
    indexed.index = ["x", "y"]                                     # not a range: stored as __index_level_0__
    indexed.to_parquet(folder / "part-1.parquet")
    assert "__index_level_0__" in pq.read_schema(folder / "part-1.parquet").names
    _same_as_one_file(tmp_path, folder, [_orders(3), _orders(2, 3)])


def test_a_symlinked_subfolder_is_part_of_the_folder(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    _orders(3, 5).to_parquet(archive / "old.parquet", index=False)
    folder = _folder(tmp_path, {"2024/part-0.parquet": _orders(2), "2025/part-0.parquet": _orders(3, 2)})
    (folder / "2026").symlink_to(archive, target_is_directory=True)
    (folder / "loop").symlink_to(folder, target_is_directory=True)     # a link back up: each folder once
    assert _read(folder)["order_id"].tolist() == [f"A{i}" for i in range(8)]


def test_a_delta_table_folder_is_refused(tmp_path):
    folder = _folder(tmp_path, {"part-0.parquet": _orders(2)})
    (folder / "_delta_log").mkdir()
    (folder / "_delta_log" / "00000000000000000000.json").write_text("{}")
    with pytest.raises(DataError, match=r"orders/: the folder is a Delta table \(_delta_log/\): its Parquet files "
                                        r"hold old versions"):
        _read(folder)


def test_validate_points_a_conversion_error_at_its_part(tmp_path):
    bad = _orders(3, 3).astype({"revenue": str})
    bad.loc[1, "revenue"] = "zwölf"
    folder = _folder(tmp_path, {"part-0.parquet": _orders(3).astype({"revenue": str}), "part-1.parquet": bad})
    cfg = AnalysisConfig.model_validate({"business": {"name": "T"},
                                         "data": {"tables": {"orders": {"file": str(folder)}}}})
    report = validate(cfg)
    errors = report[report["severity"] == "error"]["example"].tolist()
    assert len(errors) == 1
    assert errors[0].startswith("orders/part-1.parquet, column 'revenue'") and "(row 3: 'zwölf')" in errors[0]


def test_warnings_name_rows_inside_their_parts(tmp_path):
    second = _orders(4, 4)
    second.iloc[3] = second.iloc[2]           # an exact duplicate: row 5 of part-1 (row 9 of the whole folder)
    folder = _folder(tmp_path, {"part-0.parquet": _orders(4), "part-1.parquet": second})
    cfg = AnalysisConfig.model_validate({"business": {"name": "T"},
                                         "data": {"tables": {"orders": {"file": str(folder)}}}})
    quality = read_data(cfg).quality
    dupes = quality[quality["check_key"] == "exact_duplicates"]
    assert dupes["count"].tolist() == [1]
    assert dupes["example"].tolist() == ["rows 5 in part-1.parquet"]


def test_pandas_types_come_back_as_from_one_file(tmp_path):
    # nullable integers, booleans and strings are restored from the parts' pandas metadata, as for one file
    frame = _orders(4).assign(region=pd.array([1, None, 2, 3], dtype="Int64"),
                              vip=pd.array([True, None, False, True], dtype="boolean"),
                              status=pd.array(["a", None, "b", "c"], dtype="string"))
    folder = _folder(tmp_path, {"part-0.parquet": frame.iloc[:2], "part-1.parquet": frame.iloc[2:]})
    whole = tmp_path / "whole.parquet"
    frame.to_parquet(whole, index=False)
    got, one = _read(folder), _read(whole)
    pd.testing.assert_frame_equal(got, one, check_exact=True)
    assert str(got["region"].dtype) == "Int64" and got["vip"].tolist()[:2] == [True, pd.NA]


def test_an_open_end_date_survives_parts_in_other_time_units(tmp_path):
    # 9999-12-31 (an open end) fits microseconds, not nanoseconds: mixed units settle on us
    first = pa.table({"order_id": ["A0", "A1"], "customer_id": ["K0", "K1"],
                      "order_date": pa.array([pd.Timestamp("9999-12-31").to_pydatetime(),
                                              pd.Timestamp("2025-01-01").to_pydatetime()], pa.timestamp("us")),
                      "revenue": [1.0, 2.0]})
    second = pa.table({"order_id": ["A2"], "customer_id": ["K2"],
                       "order_date": pa.array([pd.Timestamp("2025-02-01")], pa.timestamp("ns")), "revenue": [3.0]})
    folder = tmp_path / "orders"
    folder.mkdir()
    pq.write_table(first, folder / "a.parquet")
    pq.write_table(second, folder / "b.parquet")
    raw, parts = read_parquet_folder(folder)
    assert raw["order_date"].tolist() == [pd.Timestamp("9999-12-31"), pd.Timestamp("2025-01-01"),
                                          pd.Timestamp("2025-02-01")]
    assert parts == [("a.parquet", 2), ("b.parquet", 1)]


def test_a_link_to_a_subfolder_does_not_replace_it(tmp_path):
    folder = _folder(tmp_path, {"region=AT/part-0.parquet": _orders(2), "region=DE/part-0.parquet": _orders(2, 2)})
    for link in ("latest", "zz_latest", "current"):     # any name, before or after the real folder
        (folder / link).symlink_to(folder / "region=DE", target_is_directory=True)
    got = _read(folder)
    assert got["region"].tolist() == ["AT", "AT", "DE", "DE"]


def test_a_type_clash_names_the_part_that_stores_the_other_type(tmp_path):
    folder = tmp_path / "orders"
    folder.mkdir()
    base = {"order_id": ["A"], "customer_id": ["K"], "order_date": [pd.Timestamp("2025-01-01")]}
    pq.write_table(pa.table({**base, "revenue": pa.array([1], pa.int32())}), folder / "p0.parquet")
    pq.write_table(pa.table({**base, "revenue": pa.array([1.5])}), folder / "p1.parquet")
    pq.write_table(pa.table({**base, "revenue": pa.array(["x"])}), folder / "p2.parquet")
    with pytest.raises(DataError, match=r"part 'p2.parquet' stores column 'revenue' as string, 'p1.parquet' as "
                                        r"double"):
        _read(folder)


def test_a_named_index_is_a_column_in_one_file_as_in_a_folder(tmp_path):
    indexed = _orders(3).set_index("order_id")
    indexed.to_parquet(tmp_path / "one.parquet")
    folder = tmp_path / "orders"
    folder.mkdir()
    indexed.to_parquet(folder / "p.parquet")
    one, parts = _read(tmp_path / "one.parquet"), _read(folder)
    assert one["order_id"].tolist() == ["A0", "A1", "A2"]
    pd.testing.assert_frame_equal(one[sorted(one.columns)], parts[sorted(parts.columns)], check_exact=True)


def test_the_data_page_names_the_folder(tmp_path, monkeypatch):
    from kit import sample
    from kit.report import pages
    from kit.sample import write_sample

    monkeypatch.setattr(sample.generate, "_CHUNK", 100)
    write_sample(tmp_path, customers=300, seed=3, fmt="parquet", part_customers=100)
    assert len(list((tmp_path / "orders").iterdir())) == 3
    ctx = pages.context(tmp_path / "analysis.yaml", smoke=True)
    row = next(line for line in str(pages.inventory(ctx)).splitlines() if line.strip().startswith("orders"))
    assert "orders/" in row and f"{len(ctx.data.orders):,}" in row
