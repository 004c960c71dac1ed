"""Writers of the sample business (private to :mod:`kit.sample`): German CSV exports and Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kit.sample._sim import DRIVERS

__all__ = ["CsvWriter", "ParquetWriter"]


def _german_money(values: np.ndarray) -> list[str]:
    cents = np.round(np.asarray(values, dtype=float) * 100).astype(np.int64)
    return [f"{c // 100:,}".replace(",", ".") + f",{c % 100:02d}" for c in cents]


def _iso_offset(local: pd.Series) -> pd.Series:
    """Naive Berlin time -> ``2026-03-29T10:15:00+02:00`` (empty where missing)."""
    aware = local.dt.tz_localize("Europe/Berlin", ambiguous=np.zeros(len(local), dtype=bool),
                                 nonexistent="shift_forward")
    text = aware.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    return (text.str[:-2] + ":" + text.str[-2:]).fillna("")


def _num(series: pd.Series) -> pd.Series:
    """Integer-valued float scores -> '7' / '' (missing)."""
    return series.astype("Int64").astype("str").fillna("").replace("<NA>", "")


class CsvWriter:
    """Appends chunk after chunk to the German-style CSV exports."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._started: set[str] = set()
        self._written: list[Path] = []

    def _append(self, name: str, frame: pd.DataFrame, *, encoding: str, sep: str) -> None:
        path = self.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        first = name not in self._started
        if first:
            self._started.add(name)
            self._written.append(path)
        text = frame.to_csv(sep=sep, index=False, header=first, lineterminator="\n")
        with open(path, "w" if first else "a", encoding=encoding, newline="") as handle:
            handle.write(text)

    def write(self, t: dict[str, pd.DataFrame]) -> None:
        """Append one chunk's tables (first chunk: with headers) and write its interview notes."""
        c = t["customers"]
        self._append("kunden.csv", pd.DataFrame({
            "Kundennummer": c.customer_id, "Registriert_am": c.signup_date.dt.strftime("%d.%m.%Y"),
            "Segment": c.segment, "Bundesland": c.region, "Akquisekanal": c.acquisition_channel,
        }), encoding="cp1252", sep=";")
        o = t["orders"]
        self._append("bestellungen.csv", pd.DataFrame({
            "Bestellnummer": o.order_id, "Kundennummer": o.customer_id,
            "Bestelldatum": o.order_date.dt.strftime("%d.%m.%Y"), "Umsatz": _german_money(o.revenue),
            "Erstattung": _german_money(o.refund_amount), "Retoure": np.where(o.returned, "ja", "nein"),
            "Menge": o.quantity, "Kategorie": o.category, "Kanal": o.channel,
        }), encoding="utf-8-sig" if "bestellungen.csv" not in self._started else "utf-8", sep=";")
        s = t["surveys"].copy()
        s["responded_at"] = s.responded_at.dt.strftime("%Y-%m-%dT%H:%M:%S")
        for col in ("nps", "csat", "ces", "rating", *[f"driver_{d}" for d in DRIVERS]):
            s[col] = _num(s[col])
        s["comment"] = s.comment.fillna("")
        self._append("surveys.csv", s, encoding="utf-8", sep=",")
        k = t["tickets"].copy()
        for col in ("opened_at", "first_response_at", "resolved_at"):
            k[col] = _iso_offset(k[col])
        k["is_complaint"] = np.where(k.is_complaint, "true", "false")
        self._append("tickets.csv", k, encoding="utf-8", sep=",")
        e = t["exits"].copy()
        e["exit_date"] = e.exit_date.dt.strftime("%Y-%m-%d")
        self._append("exits.csv", e, encoding="utf-8", sep=",")
        r = t["referrals"].copy()
        r["referred_at"] = r.referred_at.dt.strftime("%Y-%m-%d")
        self._append("referrals.csv", r, encoding="utf-8", sep=",")
        v = t["contacts"].copy()
        v["sent_at"] = v.sent_at.dt.strftime("%Y-%m-%dT%H:%M:%S")
        v["responded"] = np.where(v.responded, "true", "false")
        self._append("survey_invitations.csv", v, encoding="utf-8", sep=",")
        tr = t["truth"].copy()
        for col in ("signup_date", "first_slow_ticket_at", "lifetime_end", "last_order_date"):
            tr[col] = tr[col].dt.strftime("%Y-%m-%d").fillna("")
        for col in ("loyal", "five_star", "referred", "planted_at_risk_high_value", "only_refunded",
                    "slow_first_response", "churned", "lapsed"):
            tr[col] = np.where(tr[col], "true", "false")
        tr["churn_hazard_multiplier"] = tr.churn_hazard_multiplier.map("{:.4f}".format)
        tr["order_rate_multiplier"] = tr.order_rate_multiplier.map("{:.1f}".format)
        self._append("truth/customers_truth.csv", tr, encoding="utf-8", sep=",")
        for i, row in enumerate(t["interviews"].itertuples(index=False), start=1):
            self._interview(i, row)
        a = t["subscriptions"]
        self._append("abos.csv", pd.DataFrame({
            "Kundennummer": a.customer_id, "Abo_Beginn": a.start_date.dt.strftime("%d.%m.%Y"),
            "Abo_Ende": a.end_date.dt.strftime("%d.%m.%Y").fillna(""), "Tarif": a.plan,
            "Monatsbetrag": _german_money(a.amount),
        }), encoding="utf-8", sep=";")

    def _interview(self, i: int, row: Any) -> None:
        folder = self.out / "interviews"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{i:02d}_{row.segment}_{row.customer_id}.md"
        lines = ["---", f"customer_id: {row.customer_id}", f"date: {row.date}",
                 f"interviewer: {row.interviewer}", f"segment: {row.segment}", f"language: {row.language}"]
        if row.codes:
            lines.append(f"codes: [{', '.join(row.codes.split(','))}]")
        lines += ["---", "", row.text]
        path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
        self._written.append(path)

    def close(self) -> None:
        """Nothing to flush: every chunk is appended and closed at once."""

    def files(self) -> list[Path]:
        """The files written, in the order they were first written."""
        return list(self._written)


class ParquetWriter:
    """Writes canonical tables incrementally, one row group per chunk: one file per table, or (``part_customers``)
    a folder per table with a new part file every ``part_customers`` customers, as a chunked export or a data
    lake holds it (the ground truth stays one file)."""

    _TABLES = ("customers", "orders", "surveys", "tickets", "exits", "referrals", "contacts", "truth",
               "subscriptions")

    def __init__(self, out: Path, part_customers: int | None = None) -> None:
        if part_customers is not None and part_customers < 1:
            raise ValueError(f"part_customers must be at least 1, found {part_customers}")
        self.out = out
        self.part_customers = part_customers
        self._writers: dict[str, Any] = {}
        self._schemas: dict[str, Any] = {}
        self._written: list[Path] = []
        self._part = 0
        self._in_part = 0

    def write(self, t: dict[str, pd.DataFrame]) -> None:
        """Append one chunk's tables as one row group per file (schema fixed by the first chunk)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.part_customers is not None and self._in_part >= self.part_customers:
            for name in [n for n in self._writers if n != "truth"]:
                self._writers.pop(name).close()
            self._part += 1
            self._in_part = 0
        for name in self._TABLES:
            frame = t[name]
            if name in self._schemas:
                table = pa.Table.from_pandas(frame, schema=self._schemas[name], preserve_index=False)
            else:
                table = pa.Table.from_pandas(frame, preserve_index=False)
                self._schemas[name] = table.schema
            if name not in self._writers:
                path = self._path(name)
                path.parent.mkdir(parents=True, exist_ok=True)
                if self.part_customers is not None and self._part == 0 and name != "truth":
                    for old in path.parent.glob("part-*.parquet"):   # an earlier, larger set's parts
                        old.unlink()
                self._writers[name] = pq.ParquetWriter(path, self._schemas[name])
                self._written.append(path)
            self._writers[name].write_table(table)
        self._in_part += len(t["customers"])

    def close(self) -> None:
        """Close the Parquet files and write the ``analysis.yaml`` that maps them."""
        for writer in self._writers.values():
            writer.close()
        text = _PARQUET_CONFIG
        if self.part_customers is not None:   # the folders
            text = text.replace(".parquet}", "}").replace('fmt="parquet")', 'fmt="parquet", part_customers=...)')
        (self.out / "analysis.yaml").write_text(text, encoding="utf-8")

    def files(self) -> list[Path]:
        """The Parquet files and the configuration, in a stable order (the order they were begun in)."""
        return [*self._written, self.out / "analysis.yaml"]

    def _path(self, name: str) -> Path:
        if name == "truth":
            return self.out / "truth" / "customers_truth.parquet"
        if self.part_customers is None:
            return self.out / f"{name}.parquet"
        return self.out / name / f"part-{self._part:05d}.parquet"


_PARQUET_CONFIG = """\
# Generated by kit.sample.write_sample(fmt="parquet"): a large synthetic Bohnenpost data set.
business:
  name: Bohnenpost Kaffeerösterei GmbH (synthetic benchmark set)
  currency: EUR
periods:
  granularity: quarter
data:
  timezone: Europe/Berlin
  tables:
    customers: {file: customers.parquet}
    orders: {file: orders.parquet}
    surveys: {file: surveys.parquet}
    tickets: {file: tickets.parquet}
    exits: {file: exits.parquet}
    referrals: {file: referrals.parquet}
    contacts: {file: contacts.parquet}
    subscriptions: {file: subscriptions.parquet}
"""

