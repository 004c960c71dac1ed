"""The private key of the win-back list: pseudonym -> customer id, outside the shareable run folder.

``winback.csv`` names customers by pseudonym (``privacy.pseudonymise``). The people allowed to call them need the
real ids; the run writes them to ``<reports>/.private/<run-id>/winback_key.csv`` (folders mode 0700, the file
0600), beside the run folder rather than in it, so that a run folder can be shared, zipped or published without
the key. ``run.log`` names the file. ``privacy.key_file: false`` writes no key; the ids can then be recovered by
whoever holds the data and ``privacy.salt`` (:func:`kit.data.privacy.pseudonym_key`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from kit.data.privacy import customer_ids, pseudonym_key
from kit.report.csvfile import write_csv

__all__ = ["PRIVATE_DIR", "KEY_FILE", "key_path", "winback_key", "write_key"]

PRIVATE_DIR = ".private"
"""Folder of the reports folder that holds the key files, one subfolder per run (hidden, like the temporary run
folders, so that nothing that lists the run folders takes it for one)."""

KEY_FILE = "winback_key.csv"
"""The key file of a run's ``winback.csv``."""


def key_path(out: Path, run_id: str) -> Path:
    """Where the key of run ``run_id`` goes: ``<out>/.private/<run-id>/winback_key.csv``.

    Examples
    --------
    >>> key_path(Path("/srv/reports"), "2026-Q3_20261202T190000Z").as_posix()
    '/srv/reports/.private/2026-Q3_20261202T190000Z/winback_key.csv'
    """
    return Path(out) / PRIVATE_DIR / run_id / KEY_FILE


def winback_key(winback: pd.DataFrame | None, data: Any, config: Any, *,
                ids: Iterable[object] | None = None) -> pd.DataFrame | None:
    """The key of ``winback`` (pseudonym -> customer id), or None when no key is wanted or possible.

    None when the ids are not pseudonymised (``privacy.pseudonymise: false``: the list holds the real ids),
    when ``privacy.key_file`` is false, or when there is no list. ``ids``: the candidate real ids (default:
    every id of the customers, orders, exits and subscriptions; the run passes the few ids its list was made
    from, instead of pseudonymising a million).

    Examples
    --------
    >>> from kit.data.config import AnalysisConfig
    >>> from kit.data.contract import LoyaltyData
    >>> from kit.data.privacy import pseudonymise
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "S"}, "privacy": {"salt": "s"},
    ...     "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}}})
    >>> d = LoyaltyData(orders=pd.DataFrame({"customer_id": ["K1", "K2"]}))
    >>> w = pd.DataFrame({"customer_id": pseudonymise(pd.Series(["K2"]), salt="s")})
    >>> winback_key(w, d, cfg)["customer_id"].tolist()
    ['K2']
    """
    if winback is None or not config.privacy.pseudonymise or not config.privacy.key_file:
        return None
    if ids is None:
        ids = customer_ids(getattr(data, name, None) for name in ("customers", "orders", "exits", "subscriptions"))
    return pseudonym_key(winback["customer_id"], ids, salt=config.privacy.salt)


def write_key(key: pd.DataFrame, out: Path, run_id: str) -> Path:
    """Write ``key`` to :func:`key_path` with the folders mode 0700 and the file mode 0600.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> p = write_key(pd.DataFrame({"pseudonym": ["C-1"], "customer_id": ["K1"]}), out, "run")
    >>> oct(p.stat().st_mode & 0o777), oct(p.parent.parent.stat().st_mode & 0o777)
    ('0o600', '0o700')
    """
    path = key_path(out, run_id)
    Path(out).mkdir(parents=True, exist_ok=True)
    for folder in (path.parent.parent, path.parent):
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)
    return write_csv(key, path, mode=0o600)
