"""Privacy: stable pseudonyms for customer ids in exported lists and quotes."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable

import pandas as pd

__all__ = ["pseudonymise", "scrub_personal_data", "customer_ids", "pseudonymise_quality", "pseudonymise_text",
           "pseudonymise_outputs",
           "pseudonym_key", "DEFAULT_ID_PATTERN"]

#: Columns of the data contract that hold a customer's id.
ID_COLUMNS = ("customer_id", "referrer_id", "referred_id")


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



def pseudonym_key(pseudonyms: Iterable[object], ids: Iterable[object], *, salt: str) -> pd.DataFrame:
    """The real customer id behind each pseudonym: the key for the people allowed to contact the customers.

    Every id of ``ids`` is pseudonymised with ``salt`` (as :func:`pseudonymise` does) and kept where its
    pseudonym is one of ``pseudonyms``. Without the key, an authorised person re-identifies a list the
    same way: pseudonymise the customer ids of the customer table with ``privacy.salt`` and match.

    Parameters
    ----------
    pseudonyms : iterable
        The pseudonyms of a list (e.g. ``winback.csv``'s ``customer_id``).
    ids : iterable
        Candidate real ids (e.g. :func:`customer_ids` of the data).
    salt : str
        ``privacy.salt``.

    Returns
    -------
    DataFrame
        ``pseudonym, customer_id`` in the order of ``pseudonyms`` (each once); a pseudonym no id produces is
        left out.

    Examples
    --------
    >>> pseudonym_key(["C-dc32378075", "C-unknown"], ["K2", "K1"], salt="s").values.tolist()
    [['C-dc32378075', 'K1']]
    """
    real = pd.Series(sorted({str(i) for i in ids if i is not None and not (isinstance(i, float) and pd.isna(i))}),
                     dtype=object)
    lookup = dict(zip(pseudonymise(real, salt=salt), real, strict=True))
    wanted = list(dict.fromkeys(str(p) for p in pseudonyms if p is not None))
    rows = [(p, lookup[p]) for p in wanted if p in lookup]
    return pd.DataFrame(rows, columns=["pseudonym", "customer_id"])

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[0-9A-Z]{4}){3,7}(?:[ ]?[0-9A-Z]{1,3})?\b")
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s/().-]{5,}\d(?!\w)")
_DATE_LIKE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
_TITLED_NAME = re.compile(
    r"(?<!\w)(?:Herrn?|Frau|Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+(?:(?:Dr|Prof)\.?\s+)?[A-ZÄÖÜ][\w'’-]+")


def _phone(match: re.Match[str]) -> str:
    text = match.group()
    digits = sum(c.isdigit() for c in text)
    if digits < 7 or _DATE_LIKE.fullmatch(text.strip()):
        return text
    return "[phone]"


DEFAULT_ID_PATTERN = r"(?<![\w-])[A-Z]{1,3}[-_]?\d{4,}(?![\w-])"
"""Customer numbers such as ``K00841``, ``KD-12345``: one to three capitals, four or more digits
(``privacy.id_pattern`` replaces it)."""

_CAP_WORD = re.compile(r"(?<![\w\[])[A-ZÄÖÜ][a-zäöüßéèáàçñ]+(?:-[A-ZÄÖÜ][a-zäöüßéèáàçñ]+)*(?![\w])")


def _first_name(word: str, names: frozenset[str]) -> bool:
    return all(part in names for part in word.lower().split("-"))


def _scrub_first_names(text: str) -> str:
    """A known first name, with the capitalised word after it (the surname), becomes ``[name]``; a first name
    that is also a common word (``Will``, ``Frank``, ``Rose``) only when such a surname follows."""
    from kit.data._names import AMBIGUOUS, COMMON, first_names

    names = first_names()
    if not names:
        return text
    words = list(_CAP_WORD.finditer(text))
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        word = words[i]
        lower = word.group().lower()
        if _first_name(lower, names) and lower not in COMMON:
            follower = words[i + 1] if i + 1 < len(words) else None
            if follower is not None and re.fullmatch(r"[ \t]{1,2}", text[word.end():follower.start()]) \
                    and follower.group().lower() not in COMMON:
                spans.append((word.start(), follower.end()))
                i += 2
                continue
            if not any(part in AMBIGUOUS for part in word.group().lower().split("-")):
                spans.append((word.start(), word.end()))
        i += 1
    for start, end in reversed(spans):
        text = text[:start] + "[name]" + text[end:]
    return text


def scrub_personal_data(text: str, *, names: Iterable[str] = (), ids: Collection[str] = (),
                        id_pattern: str | None = DEFAULT_ID_PATTERN, first_names: bool = True) -> str:
    """Remove e-mail addresses, phone numbers, IBANs, customer numbers and personal names from a text.

    Used before a quote from an interview, a comment or an exit reason is shown in a report or a list.
    Names are removed when they follow a title ("Herr Müller", "Frau Dr. Schmidt", "Mr Smith",
    "Ms Brown"), wherever one of ``names`` occurs (the full name, and each part of three or more
    letters, e.g. the interviewer's first and last name), and, with ``first_names``, where a first
    name of the ``gender-guesser`` list occurs, with the surname after it ("Max Mustermann"). Customer
    numbers are what ``id_pattern`` matches (``K00841``) and every one of ``ids`` (e.g. the ids of the
    data, e-mail-like ones included). Dates such as 12.03.2026 are kept.

    Parameters
    ----------
    text : str
        The text; anything else (e.g. a missing value) is returned unchanged.
    names : iterable of str
        Names known to occur, e.g. the interviewer's and the interviewee's.
    ids : collection of str
        Customer ids known to the data; each is removed where it occurs as a word.
    id_pattern : str or None
        Regular expression of a customer number (``privacy.id_pattern``); None: only ``ids``.
    first_names : bool
        Remove first names of the name list (and the surname after one).

    Returns
    -------
    str
        The text with ``[e-mail]``, ``[phone]``, ``[iban]``, ``[id]`` and ``[name]`` in place of
        what was removed.

    Examples
    --------
    >>> scrub_personal_data("Frau Schmidt: 0221 9876543, anna@example.com", names=["Tom Becker"])
    '[name]: [phone], [e-mail]'
    >>> scrub_personal_data("Tom said it came on 12.03.2026", names=["Tom Becker"])
    '[name] said it came on 12.03.2026'
    >>> scrub_personal_data("Max Mustermann (K00841) fand die Lieferung zu langsam")
    '[name] ([id]) fand die Lieferung zu langsam'
    """
    if not isinstance(text, str):
        return text
    text = _EMAIL.sub("[e-mail]", text)
    text = _IBAN.sub("[iban]", text)
    known_ids = sorted((str(i) for i in ids if str(i).strip()), key=len, reverse=True)
    for one in known_ids:
        if one in text:
            text = re.sub(rf"(?<![\w@.-]){re.escape(one)}(?![\w@-])", "[id]", text)
    if id_pattern:
        text = re.sub(id_pattern, "[id]", text)
    text = _PHONE.sub(_phone, text)
    text = _TITLED_NAME.sub("[name]", text)
    known = [n.strip() for n in names if isinstance(n, str) and n.strip()]
    parts = {p for n in known for p in re.split(r"[\s-]+", n) if len(p) >= 3}
    for name in sorted(set(known) | parts, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", "[name]", text)
    if first_names:
        text = _scrub_first_names(text)
    return text


def customer_ids(tables: Iterable[pd.DataFrame | None]) -> set[str]:
    """Every customer id in ``tables`` (columns ``customer_id``, ``referrer_id``, ``referred_id``), as text.

    Examples
    --------
    >>> sorted(customer_ids([pd.DataFrame({"customer_id": ["K1", None]}), None,
    ...                      pd.DataFrame({"referrer_id": ["K2"], "referred_id": ["K1"]})]))
    ['K1', 'K2']
    """
    found: set[str] = set()
    for table in tables:
        if table is None:
            continue
        for col in ID_COLUMNS:
            if col in table:
                unique = table[col].dropna().unique()
                # text columns hand over their strings at once (10x faster than str() of each of 1M ids)
                found.update(unique.tolist() if isinstance(unique.dtype, pd.StringDtype) else map(str, unique))
    return found


_TOKEN = re.compile(r"[^\s'\",;:()\[\]{}<>|=]+")


def pseudonymise_text(value: object, ids: set[str], salt: str) -> object:
    """``value`` with every word that is one of ``ids`` replaced by its pseudonym (anything but text unchanged).

    Examples
    --------
    >>> pseudonymise_text("customers K1, K2 unknown.", {"K1"}, "s")
    'customers C-dc32378075, K2 unknown.'
    """
    if not isinstance(value, str) or not ids:
        return value

    def one(match: re.Match[str]) -> str:
        token = match.group()
        core = token.rstrip(".!?")   # an id at the end of a sentence
        if core in ids:
            return pseudonymise(pd.Series([core]), salt=salt).iloc[0] + token[len(core):]
        return token

    return _TOKEN.sub(one, value)


#: Output fields of a notebook cell that carry text (nbformat 4): what :func:`pseudonymise_outputs` rewrites.
_TEXT_OUTPUTS = ("text/plain", "text/html", "text/markdown", "text/latex")


def pseudonymise_outputs(cells: Iterable[dict], ids: set[str], salt: str) -> int:
    """Replace every customer id in the outputs of executed notebook cells by its pseudonym, in place.

    The report's work cells display the tables as read (``data.orders.head()``, ...), and the executed notebooks
    are files of the shareable run folder; with ``privacy.pseudonymise`` on they show the same pseudonyms as the
    customer lists. Text, HTML and error outputs are rewritten; images are not looked at.

    Parameters
    ----------
    cells : iterable of dict
        The notebook's cells (``nbformat`` 4: ``cell["outputs"]`` of code cells).
    ids : set of str
        The data's customer ids (:func:`customer_ids`).
    salt : str
        ``privacy.salt``.

    Returns
    -------
    int
        How many output texts changed.

    Examples
    --------
    >>> cells = [{"cell_type": "code", "outputs": [{"output_type": "stream", "text": "K1 ordered"},
    ...           {"output_type": "display_data", "data": {"text/html": ["<td>K1</td>"], "image/png": "K1"}}]}]
    >>> pseudonymise_outputs(cells, {"K1"}, "s"), cells[0]["outputs"][0]["text"]
    (2, 'C-dc32378075 ordered')
    >>> cells[0]["outputs"][1]["data"]
    {'text/html': ['<td>C-dc32378075</td>'], 'image/png': 'K1'}
    """
    if not ids:
        return 0
    changed = 0

    def rewrite(value: object) -> object:
        nonlocal changed
        if isinstance(value, list):
            return [rewrite(v) for v in value]
        new = pseudonymise_text(value, ids, salt)
        changed += new != value
        return new

    for cell in cells:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if "text" in output:
                output["text"] = rewrite(output["text"])
            for kind in _TEXT_OUTPUTS:
                if kind in output.get("data", {}):
                    output["data"][kind] = rewrite(output["data"][kind])
            for key in ("evalue", "traceback"):
                if key in output:
                    output[key] = rewrite(output[key])
    return changed


def pseudonymise_quality(quality: pd.DataFrame, *, ids: Iterable[str], salt: str) -> pd.DataFrame:
    """The data-quality report with every customer id in its examples and parameters replaced by its pseudonym.

    The examples of some checks quote the offending values (a repeated customer id, an order whose
    customer is unknown); with ``privacy.pseudonymise`` on, the report's page, its notebook and
    ``run.log`` show the same pseudonyms as the customer lists instead (row numbers stay as they are).

    Parameters
    ----------
    quality : DataFrame
        ``LoyaltyData.quality``.
    ids : iterable of str
        The customer ids of the data (:func:`customer_ids`).
    salt : str
        ``privacy.salt``.

    Returns
    -------
    DataFrame
        A copy; ``example`` and the values of ``params`` pseudonymised.

    Examples
    --------
    >>> q = pd.DataFrame({"example": ["'K1' (rows 2, 3); anna@example.com."], "params": [{"values": "K1"}]})
    >>> out = pseudonymise_quality(q, ids={"K1", "anna@example.com"}, salt="s")
    >>> out.loc[0, "example"], out.loc[0, "params"]
    ("'C-dc32378075' (rows 2, 3); C-e9699d285f.", {'values': 'C-dc32378075'})
    """
    known = set(map(str, ids))
    out = quality.copy()
    if "example" in out:
        out["example"] = [pseudonymise_text(v, known, salt) for v in out["example"]]
    if "params" in out:
        out["params"] = [{k: pseudonymise_text(v, known, salt) for k, v in p.items()} if isinstance(p, dict) else p
                         for p in out["params"]]
    return out
