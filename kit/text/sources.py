"""Checking the text sources of an analysis (codebook, interview notes) as ``validate`` does the tables.

``loyalty-kit run`` reads the codebook and the interview folder when pages 3 to 5 need them;
:func:`check_text_sources` reads them up front, so a broken codebook or interview header is found
by ``validate`` in a second instead of by the run half a minute later. Each check is one row of the
data-quality report (:data:`kit.data.contract.QUALITY_COLUMNS`).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import pandas as pd

from kit.data.contract import QUALITY_COLUMNS, quality_row
from kit.errors import ConfigError, DataError, DataQualityWarning
from kit.text.codebook import Codebook, read_codebook
from kit.text.interviews import read_interviews

if TYPE_CHECKING:
    from kit.data.config import AnalysisConfig

__all__ = ["check_text_sources"]


def _error(table: str, check_key: str, exc: Exception) -> dict[str, Any]:
    return quality_row(table, check_key, "error", 1, example=str(exc))


def check_text_sources(config: AnalysisConfig, *, customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read the configured codebook and interview notes; one quality-report row per check (none for a source
    that is not configured: the sections that need it say so in the report).

    Parameters
    ----------
    config : AnalysisConfig
        The analysis configuration (``data.codebook``, ``data.interviews``).
    customers : DataFrame, optional
        The customers table: interviews naming unknown customers give a warning row.

    Returns
    -------
    DataFrame
        :data:`kit.data.contract.QUALITY_COLUMNS`; an unreadable codebook or interview file is a row
        with severity ``error`` whose example is the full message (file, theme or key, fix).

    Examples
    --------
    >>> from kit.data.config import load_config
    >>> from kit.sample import sample_config_path
    >>> rows = check_text_sources(load_config(sample_config_path()))  # doctest: +SKIP
    >>> rows[["table", "check", "severity"]].values.tolist()  # doctest: +SKIP
    [['codebook', 'codebook read', 'info'], ['interviews', 'interviews read', 'info']]
    """
    rows: list[dict[str, Any]] = []
    codebook: Codebook | None = None
    data = config.data
    if data.codebook is not None:
        try:
            codebook = read_codebook(data.codebook)
        except ConfigError as exc:
            rows.append(_error("codebook", "read_codebook", exc))
        else:
            rows.append(quality_row("codebook", "read_codebook", "info", 0, example_key="ex_codebook",
                                    params={"n": len(codebook.ids), "themes": ", ".join(codebook.ids)}))
    if data.interviews is not None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DataQualityWarning)
            try:
                interviews = read_interviews(data.interviews, customers=customers, codebook=codebook)
            except DataError as exc:
                rows.append(_error("interviews", "read_interviews", exc))
                interviews = None
        for warning in caught:
            if issubclass(warning.category, DataQualityWarning):
                rows.append(quality_row("interviews", "read_interviews", "warning", 1, example=str(warning.message)))
        if interviews is not None:
            rows.append(quality_row("interviews", "read_interviews", "info", 0, example_key="ex_interviews",
                                    params={"n": len(interviews)}))
    return pd.DataFrame(rows, columns=QUALITY_COLUMNS).astype({"count": "int64"})
