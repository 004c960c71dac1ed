"""The bundled sample business: "Bohnenpost", a fictional German online coffee roastery.

:func:`generate_sample` simulates customers, orders, survey waves, tickets, exits, referrals,
survey invitations and interview notes with a fixed seed and **planted effects** (documented,
with their sizes, in ``data/sample/README.md``), so that tests and workshop exercises can check
that the analysis finds what was planted. :func:`write_sample` writes the files the way the
shop, survey tool and helpdesk would export them (German CSV conventions for the shop exports),
or, for benchmarks, large Parquet data sets generated chunk by chunk.

Everything is deterministic: the same ``customers`` and ``seed`` give byte-identical files.
Nothing here looks at the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from kit.sample._sim import SAMPLE_END, SAMPLE_START, finalise, simulate
from kit.sample._write import CsvWriter, ParquetWriter

if TYPE_CHECKING:
    from kit.data.config import AnalysisConfig
    from kit.data.contract import LoyaltyData

__all__ = ["sample_config_path", "load_sample", "generate_sample", "write_sample", "SAMPLE_START", "SAMPLE_END"]


_CHUNK = 50_000

# --------------------------------------------------------------------------------------------
# public API


def sample_config_path() -> Path:
    """Path of the bundled sample's configuration, ``data/analysis.yaml`` of the repository.

    Returns
    -------
    pathlib.Path
        Absolute path of the YAML file (it may not exist in an installed wheel without data).

    Example
    -------
    >>> sample_config_path().name
    'analysis.yaml'
    """
    return Path(__file__).resolve().parents[2] / "data" / "analysis.yaml"


def load_sample() -> tuple[AnalysisConfig, LoyaltyData]:
    """Load the bundled sample business: its configuration and its validated tables.

    Returns
    -------
    (AnalysisConfig, LoyaltyData)
        The parsed ``data/analysis.yaml`` and the tables read through :func:`kit.read_data`.

    Raises
    ------
    kit.errors.ConfigError
        When the configuration is invalid.
    kit.errors.DataError
        When a sample file is missing or unreadable.

    Example
    -------
    >>> config, data = load_sample()  # doctest: +SKIP
    >>> data.orders.order_date.max()  # doctest: +SKIP
    Timestamp('2026-09-30 00:00:00')
    """
    from kit.data.config import load_config
    from kit.data.io import read_data

    config = load_config(sample_config_path())
    return config, read_data(config)


def generate_sample(customers: int = 3000, seed: int = 7) -> dict[str, pd.DataFrame]:
    """Simulate the sample business in memory.

    Parameters
    ----------
    customers : int, default 3000
        Number of customers. Above 50,000 the customers are simulated in chunks of 50,000
        (each chunk with its own seed derived from ``seed``); use :func:`write_sample` for
        very large sets so that not everything is held in memory.
    seed : int, default 7
        Random seed; the same seed gives the same data.

    Returns
    -------
    dict of str to DataFrame
        ``customers``, ``orders``, ``surveys``, ``tickets``, ``exits``, ``referrals``,
        ``contacts`` with the canonical columns of :data:`kit.data.contract.TABLES` (timestamps naive in
        Europe/Berlin), ``truth`` (the answer key, one row per customer, documented in
        ``data/sample/README.md``) and ``interviews`` (customer_id, date, interviewer, segment,
        language, codes, text; only for the first chunk).

    Raises
    ------
    ValueError
        When ``customers`` is smaller than 10.

    Example
    -------
    >>> tables = generate_sample(customers=200, seed=1)
    >>> sorted(tables)[:3]
    ['contacts', 'customers', 'exits']
    """
    parts = [finalise(chunk) for chunk in _chunks(customers, seed)]
    return {name: pd.concat([p[name] for p in parts], ignore_index=True) for name in parts[0]}


def write_sample(directory: str | Path, *, customers: int = 3000, seed: int = 7,
                 fmt: Literal["csv", "parquet"] = "csv", part_customers: int | None = None) -> list[Path]:
    """Generate the sample business and write it to ``directory``.

    ``fmt="csv"`` writes the exports exactly as ``data/analysis.yaml`` maps them
    (``kunden.csv`` in cp1252 with ``;``; ``bestellungen.csv`` UTF-8 with BOM, ``;``, decimal
    commas and ``DD.MM.YYYY``; the other tables as plain CSV with ISO timestamps, tickets with
    UTC offsets), plus ``truth/customers_truth.csv`` and, for the first 50,000 customers,
    ``interviews/*.md``. ``fmt="parquet"`` writes one Parquet file per table with the canonical
    columns, incrementally, chunk by chunk, plus an ``analysis.yaml`` that maps them; this is
    how benchmark sets of a million customers are made without holding them in memory.

    Parameters
    ----------
    directory : str or Path
        Output folder (created if needed). Existing files of the same name are replaced.
    customers : int, default 3000
        Number of customers.
    seed : int, default 7
        Random seed.
    fmt : {"csv", "parquet"}, default "csv"
        Output format.
    part_customers : int, optional
        Parquet only: write each table as a folder of part files (``orders/part-00000.parquet``, ...), a new part
        after every ``part_customers`` customers (rounded up to the simulation's chunks of 50,000), as a
        chunked export or a data lake holds it; ``analysis.yaml`` then maps the folders. The rows are the same
        as in one file per table.

    Returns
    -------
    list of Path
        The files written, in a stable order.

    Raises
    ------
    ValueError
        When ``fmt`` is unknown, ``customers`` is smaller than 10, or ``part_customers`` is given for CSV or is
        smaller than 1.

    Example
    -------
    >>> import tempfile
    >>> files = write_sample(tempfile.mkdtemp(), customers=100, seed=3)
    >>> files[0].name
    'kunden.csv'
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', found {fmt!r}")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    if part_customers is not None and fmt != "parquet":
        raise ValueError("part_customers needs fmt='parquet' (CSV tables are one file each)")
    writer = CsvWriter(out) if fmt == "csv" else ParquetWriter(out, part_customers)
    try:
        for chunk in _chunks(customers, seed):
            writer.write(finalise(chunk))
    finally:
        writer.close()
    return writer.files()



def _chunks(customers: int, seed: int) -> Iterator[dict]:
    if customers < 10:
        raise ValueError(f"customers must be at least 10, found {customers}")
    width = max(5, len(str(customers)))
    offsets = {"order": 0, "ticket": 0, "response": 0}
    done = 0
    k = 0
    while done < customers:
        n = min(_CHUNK, customers - done)
        rng = np.random.default_rng(np.random.SeedSequence([seed, k]))
        chunk = simulate(n, rng, first=done, width=width, offsets=offsets, with_texts=(k == 0))
        yield chunk
        done += n
        k += 1
