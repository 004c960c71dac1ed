"""Privacy: stable pseudonyms for customer ids in exported lists and quotes."""

from __future__ import annotations

import hashlib

import pandas as pd

__all__ = ["pseudonymise"]


def pseudonymise(ids: pd.Series, *, salt: str, prefix: str = "C-") -> pd.Series:
    """Replace ids by stable pseudonyms (salted SHA-256, 10 hex digits).

    The same id and salt always give the same pseudonym, so lists from two runs
    can be compared without showing who is who. Missing ids stay missing.

    Parameters
    ----------
    ids : Series
        Customer ids (any type; compared as text).
    salt : str
        Secret per business (``privacy.salt`` in the configuration).
    prefix : str
        Text put before the hash.

    Returns
    -------
    Series of str

    Examples
    --------
    >>> pseudonymise(pd.Series(["K1001", "K1001", None]), salt="s").tolist()
    ['C-70f37656d9', 'C-70f37656d9', None]
    """
    def one(value: object) -> str | None:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return None
        digest = hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()[:10]
        return prefix + digest

    return pd.Series([one(v) for v in ids], index=ids.index, dtype=object, name=ids.name)
