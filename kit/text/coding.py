"""Coding free texts with a codebook: sentences, theme matches and negation-aware polarity.

:func:`code_texts` applies a :class:`kit.text.codebook.Codebook` to interview notes, survey
comments and exit reasons alike: it splits each text into sentences (:func:`split_sentences`),
finds the themes whose patterns occur in a sentence, and gives each theme the polarity of the
cues in the clause that mentions it, flipped when negated ("nicht zufrieden", "no problem").
:func:`uncoded_texts` and :func:`uncoded_share` show what the codebook missed.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from kit.text.codebook import FOLD_TABLE, Codebook, term_regex

__all__ = ["split_sentences", "code_texts", "uncoded_texts", "uncoded_share", "CODED_COLUMNS"]


_ABBREVIATIONS = frozenset({
    "z.b", "z. b", "bzw", "ca", "usw", "etc", "vs", "nr", "dr", "mr", "mrs", "ms", "hr", "fr", "st", "u.a",
    "d.h", "inkl", "ggf", "evtl", "tel", "str", "prof", "e.g", "i.e", "approx", "no", "sog", "vgl", "u.s.w",
})
_MONTHS = frozenset({"januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
                     "oktober", "november", "dezember"})
_BOUNDARY = re.compile(r"[.!?…]+[\"'”“»)\]]*\s+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_HEADER = re.compile(r"^\s*#{1,6}\s+")
_MARKUP = re.compile(r"\*\*|__|`")
_CLAUSE = re.compile(
    r"[,;:()–—]|\s-\s|(?<!\w)(?:but|however|although|though|whereas|while|except|aber|jedoch|doch|sondern|"
    r"obwohl|allerdings|trotzdem|dennoch|außer|ausser)(?!\w)", re.IGNORECASE)
_WORD = re.compile(r"\w+")


def split_sentences(text: object) -> list[str]:
    """Split a text (plain or Markdown notes) into sentences.

    Blank lines, headings and list items end a sentence; inside a paragraph a sentence ends at
    ``.``, ``!``, ``?`` or ``…`` followed by a space, except after common abbreviations
    ("z.B.", "Mr.", "ca.") and German ordinals ("am 3. Mai").

    Parameters
    ----------
    text : str
        Any text; missing values give no sentences.

    Returns
    -------
    list of str

    Examples
    --------
    >>> split_sentences("Super Kaffee! Die Lieferung kam z.B. am 3. Mai. Danke")
    ['Super Kaffee!', 'Die Lieferung kam z.B. am 3. Mai.', 'Danke']
    """
    if not isinstance(text, str) or not text.strip():
        return []
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            blocks.append(" ".join(current))
            current.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            flush()
        elif _HEADER.match(stripped):
            flush()
            blocks.append(_HEADER.sub("", stripped))
        elif _LIST_ITEM.match(stripped):
            flush()
            current.append(_LIST_ITEM.sub("", stripped))
        else:
            current.append(re.sub(r"^>\s*", "", stripped))
    flush()
    sentences: list[str] = []
    for block in blocks:
        block = _MARKUP.sub("", block)
        start = 0
        for match in _BOUNDARY.finditer(block):
            if match.group().strip() == "." and _no_break(block[start:match.start()], block[match.end():]):
                continue
            sentences.append(block[start:match.end()].strip())
            start = match.end()
        sentences.append(block[start:].strip())
    return [s for s in sentences if any(c.isalnum() for c in s)]


def _no_break(before: str, after: str) -> bool:
    """True when a full stop ends an abbreviation or an ordinal, not a sentence."""
    last = before.split()[-1].lower() if before.split() else ""
    if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()) or re.fullmatch(r"(?:\w\.)+\w", last):
        return True
    if last.isdigit() and len(last) <= 2:
        following = after.split()[0].strip(".,") if after.split() else ""
        return following.lower() in _MONTHS or following[:1].islower()
    return False


def _is_word_char(text: str, i: int) -> bool:
    char = text[i]
    if char.isalnum() or char == "_":
        return True
    return char == "-" and 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


class _Matcher:
    """Terms compiled for fast search; :meth:`spans` gives (start, end) of every match.

    Plain terms share one word boundary. Terms with a leading ``*`` ("*liefer*") are searched
    without it, from their first letters, and the match is then extended back to the start of
    the word: much faster than letting the regex engine guess where a compound begins.
    """

    def __init__(self, terms: tuple[str, ...]) -> None:
        plain = sorted({term_regex(t, bounded=False, folded=True) for t in terms if not t.startswith(("re:", "*"))},
                       key=len, reverse=True)
        infix = sorted({term_regex(t.lstrip("*"), bounded=False, folded=True) for t in terms if t.startswith("*")},
                       key=len, reverse=True)
        raw = [term_regex(t) for t in terms if t.startswith("re:")]
        self._bounded = re.compile(r"(?<!\w)(?:" + "|".join(plain) + r")(?!\w)", re.IGNORECASE) if plain else None
        self._infix = re.compile(r"(?:" + "|".join(infix) + r")(?!\w)", re.IGNORECASE) if infix else None
        self._raw = re.compile("|".join(raw), re.IGNORECASE) if raw else None

    def spans(self, text: str) -> list[tuple[int, int]]:
        raw = text
        text = text.translate(FOLD_TABLE)  # accents folded, one character for one: the spans stay valid
        found: set[tuple[int, int]] = set()
        if self._bounded is not None:
            found.update(m.span() for m in self._bounded.finditer(text))
        if self._infix is not None:
            for m in self._infix.finditer(text):
                start = m.start()
                while start > 0 and _is_word_char(text, start - 1):
                    start -= 1
                found.add((start, m.end()))
        if self._raw is not None:  # a raw regular expression sees the text as it is
            found.update(m.span() for m in self._raw.finditer(raw) if m.end() > m.start())
        return sorted(found, key=lambda span: (span[0], -span[1]))

    def starts_with(self, text: str) -> bool:
        return any(start == 0 for start, _ in self.spans(text))


def _union(terms: tuple[str, ...]) -> _Matcher | None:
    return _Matcher(terms) if terms else None


class _Compiled:
    """A codebook compiled to matchers (one per theme, sub-theme and cue list)."""

    def __init__(self, codebook: Codebook) -> None:
        self.themes: list[tuple[str, _Matcher, list[tuple[str, _Matcher]]]] = []
        self.theme_cues: dict[str, tuple[_Matcher | None, _Matcher | None]] = {}
        for theme in codebook.themes:
            pattern = _union(theme.all_patterns())
            assert pattern is not None  # validated: every theme has patterns
            subs = [(s.id, p) for s in theme.subthemes if (p := _union(s.patterns.all())) is not None]
            self.themes.append((theme.id, pattern, subs))
            self.theme_cues[theme.id] = (_union(theme.polarity.positive.all()),
                                         _union(theme.polarity.negative.all()))
        cues = codebook.cues()
        self.positive = _union(cues.positive.all())
        self.negative = _union(cues.negative.all())
        self.negators = _union(codebook.negation.words.all())
        self.trailing = _union(codebook.negation.trailing.all())
        self.exceptions = _union(codebook.negation.exceptions.all())
        self.window = codebook.negation.window


def _clauses(sentence: str) -> list[tuple[int, int]]:
    bounds = [0]
    for match in _CLAUSE.finditer(sentence):
        bounds.extend([match.start(), match.start() if match.group().strip().isalpha() else match.end()])
    bounds.append(len(sentence))
    pairs = list(zip(bounds[::2], bounds[1::2], strict=True))
    return [(a, b) for a, b in pairs if b > a] or [(0, len(sentence))]


def _negated(compiled: _Compiled, sentence: str, clause: tuple[int, int], start: int, end: int) -> bool:
    before = sentence[clause[0]:start]
    if compiled.negators is not None:
        for _, neg_end in compiled.negators.spans(before):
            between = _WORD.findall(before[neg_end:])
            if len(between) > compiled.window:
                continue
            next_word = before[neg_end:] + " " + sentence[start:end]
            if compiled.exceptions is not None and compiled.exceptions.starts_with(next_word.lstrip()):
                continue
            return True
    if compiled.trailing is not None:
        after = sentence[end:clause[1]]
        for neg_start, neg_end in compiled.trailing.spans(after):
            if len(_WORD.findall(after[:neg_start])) <= compiled.window and not _WORD.search(after[neg_end:]):
                return True
    return False


def _general_cues(compiled: _Compiled, text: str) -> list[tuple[int, int, int, int]]:
    """General cue matches (start, end, sign, priority 0) of one sentence."""
    found: list[tuple[int, int, int, int]] = []
    for pattern, sign in ((compiled.positive, 1), (compiled.negative, -1)):
        if pattern is not None:
            found.extend((a, b, sign, 0) for a, b in pattern.spans(text))
    return found


def _cues(compiled: _Compiled, text: str, theme_id: str,
          general: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int]]:
    """Cue matches (start, end, sign) for one theme: general + theme cues, overlaps removed (longest wins)."""
    found = list(general)
    specific_pos, specific_neg = compiled.theme_cues[theme_id]
    for pattern, sign in ((specific_pos, 1), (specific_neg, -1)):
        if pattern is not None:
            found.extend((a, b, sign, 1) for a, b in pattern.spans(text))
    found.sort(key=lambda c: (-(c[1] - c[0]), -c[3], c[0]))
    kept: list[tuple[int, int, int]] = []
    for start, end, sign, _ in found:
        if all(end <= a or start >= b for a, b, _ in kept):
            kept.append((start, end, sign))
    return sorted(kept)


def _code_sentence(compiled: _Compiled, sentence: str) -> list[dict[str, Any]]:
    text = sentence.replace("’", "'")  # same length: spans stay valid in the original
    hits = []
    for theme_id, pattern, subs in compiled.themes:
        matches = pattern.spans(text)
        if matches:
            sub = next((sub_id for sub_id, sub_pattern in subs if sub_pattern.spans(text)), None)
            hits.append((theme_id, matches, sub))
    if not hits:
        return []
    clauses = _clauses(text)

    def clause_of(pos: int) -> tuple[int, int]:
        return next((c for c in clauses if c[0] <= pos < c[1]), clauses[-1])

    theme_clauses = {theme_id: {clause_of(a) for a, _ in matches} for theme_id, matches, _ in hits}
    general = _general_cues(compiled, text)
    rows = []
    for theme_id, matches, sub in hits:
        own = theme_clauses[theme_id]
        others = set().union(*(c for t, c in theme_clauses.items() if t != theme_id))
        free = [c for c in clauses if c not in own and c not in others]
        score, shown = 0, []
        cues = _cues(compiled, text, theme_id, general)
        for scope in (own, free):
            for start, end, sign in cues:
                clause = clause_of(start)
                if clause not in scope:
                    continue
                negated = _negated(compiled, text, clause, start, end)
                score += -sign if negated else sign
                shown.append(("not " if negated else "") + sentence[start:end])
            if shown:
                break
        rows.append({
            "theme": theme_id, "subtheme": sub,
            "polarity": "positive" if score > 0 else "negative" if score < 0 else "neutral",
            "span": sentence[matches[0][0]:matches[0][1]],
            "cues": "; ".join(shown),
        })
    return rows


_ID_COLUMNS = ("text_id", "interview_id", "response_id")


def _id_column(texts: pd.DataFrame, id_column: str | None) -> str | None:
    """The text id column of ``texts``: ``id_column``, else the first of :data:`_ID_COLUMNS` it has."""
    return id_column if id_column is not None else next((c for c in _ID_COLUMNS if c in texts.columns), None)


def _text_ids(texts: pd.DataFrame | pd.Series, id_column: str | None) -> pd.Series:
    """Text ids aligned with the rows of ``texts`` (same rule as :func:`code_texts`)."""
    if isinstance(texts, pd.DataFrame):
        id_column = _id_column(texts, id_column)
        if id_column is not None:
            return pd.Series(texts[id_column].to_numpy(), index=texts.index, name="text_id")
    return pd.Series(texts.index.to_numpy(), index=texts.index, name="text_id")


def _text_series(texts: Any, column: str, id_column: str | None) -> Any:
    if isinstance(texts, pd.DataFrame):
        if column not in texts.columns:
            raise KeyError(f"column {column!r} not found; texts has columns {', '.join(map(str, texts.columns))}. "
                           "Pass column='comment' (or the name of the text column).")
        id_column = _id_column(texts, id_column)
        index = texts[id_column] if id_column else texts.index
        return pd.Series(texts[column].to_numpy(), index=pd.Index(index, name="text_id"), name="text")
    if isinstance(texts, pd.Series):
        return texts.rename("text").rename_axis("text_id")
    series = pd.Series(list(texts), name="text")
    return series.rename_axis("text_id")


CODED_COLUMNS = ["text_id", "sentence_no", "sentence", "theme", "subtheme", "polarity", "span", "cues"]


def code_texts(texts: Any, codebook: Codebook, *, column: str = "text", id_column: str | None = None) -> Any:
    """Code free texts (interview notes, survey comments, exit reasons) with a codebook.

    Each text is split into sentences; a sentence gets every theme whose patterns occur in it.
    Its polarity for that theme comes from the polarity cues in the clause that mentions the
    theme (general cues + the theme's own), each flipped when negated ("nicht zufrieden",
    "no problem"); when that clause has no cue, cues in clauses without any theme count.

    Parameters
    ----------
    texts : Series, DataFrame or list of str
        A Series (index = text id), or a DataFrame with a text column. The text id of a
        DataFrame is ``id_column``, else the first of ``text_id``, ``interview_id``,
        ``response_id`` it has, else its index.
    codebook : Codebook
        From :func:`~kit.text.codebook.read_codebook`.
    column : str
        Text column of a DataFrame (e.g. ``"comment"`` for surveys, ``"reason"`` for exits).
    id_column : str, optional
        Column holding the text id.

    Returns
    -------
    DataFrame
        One row per (text_id, sentence_no, theme): ``text_id``, ``sentence_no`` (1-based),
        ``sentence``, ``theme``, ``subtheme`` (or None), ``polarity`` (positive, negative,
        neutral), ``span`` (the first matched words), ``cues`` (the polarity cues, negated
        ones as "not ..."). Texts without any theme have no rows.

    Raises
    ------
    KeyError
        When ``column`` is not in the DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> from kit.text.codebook import parse_codebook
    >>> cb = parse_codebook({"themes": [
    ...     {"id": "delivery", "label": {"en": "Delivery", "de": "Lieferung"},
    ...      "patterns": {"en": ["deliver*"], "de": ["*liefer*"]}}]})
    >>> code_texts(pd.Series({"a": "Die Lieferung war nicht pünktlich."}), cb)[["theme", "polarity"]].values.tolist()
    [['delivery', 'negative']]
    """
    series = _text_series(texts, column, id_column)
    compiled = _Compiled(codebook)
    rows = []
    for text_id, text in series.items():
        for number, sentence in enumerate(split_sentences(text), start=1):
            for row in _code_sentence(compiled, sentence):
                rows.append({"text_id": text_id, "sentence_no": number, "sentence": sentence, **row})
    frame = pd.DataFrame(rows, columns=CODED_COLUMNS)
    frame["sentence_no"] = frame["sentence_no"].astype("int64")
    frame["subtheme"] = frame["subtheme"].astype(object)
    return frame


def uncoded_texts(texts: pd.DataFrame | pd.Series, coded: pd.DataFrame, *, column: str = "text",
                  id_column: str | None = None) -> pd.Series:
    """The non-empty texts that got no theme at all (to improve the codebook).

    Parameters
    ----------
    texts : DataFrame or Series
        The texts given to :func:`code_texts`.
    coded : DataFrame
        Its output.
    column, id_column : str
        As for :func:`code_texts`.

    Returns
    -------
    Series
        Index = text id, values = text.

    Examples
    --------
    >>> uncoded_texts(pd.Series({"a": "zu teuer", "b": "hm", "c": ""}),
    ...               pd.DataFrame({"text_id": ["a"], "theme": ["price"]})).to_dict()
    {'b': 'hm'}
    """
    values = texts[column] if isinstance(texts, pd.DataFrame) else texts
    series = pd.Series(values.to_numpy(), index=_text_ids(texts, id_column).to_numpy(), name="text")
    series = series.loc[series.fillna("").astype(str).str.strip() != ""]
    return series.loc[~series.index.isin(set(coded["text_id"]))]


def uncoded_share(texts: pd.DataFrame | pd.Series, coded: pd.DataFrame, *, column: str = "text",
                  id_column: str | None = None) -> float:
    """Share of the non-empty texts that got no theme (NaN when there are no texts).

    Examples
    --------
    >>> uncoded_share(pd.Series({"a": "zu teuer", "b": "hm"}), pd.DataFrame({"text_id": ["a"], "theme": ["price"]}))
    0.5
    """
    values = texts[column] if isinstance(texts, pd.DataFrame) else texts
    n = int((values.fillna("").astype(str).str.strip() != "").sum())
    return len(uncoded_texts(texts, coded, column=column, id_column=id_column)) / n if n else float("nan")
