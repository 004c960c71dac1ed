"""The most frequent words and phrases of texts no theme caught: what to add to the codebook next.

:func:`frequent_terms` counts, for each word and each phrase of two or three words, how many texts
contain it (a text that repeats a word counts once). Words are compared case-insensitively and with
accents folded (:data:`kit.text.codebook.FOLD_TABLE`), each shown in its most frequent spelling
(capitals kept);
common function words of English, German, Portuguese, Spanish, French, Italian and Dutch are left
out, and phrases neither start nor end with one.
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from kit.text.codebook import FOLD_TABLE

__all__ = ["STOPWORDS", "frequent_terms"]

STOPWORDS: frozenset[str] = frozenset("""
a about after again all also am an and any are as at be because been before being but by can could did do does
doing don for from get got had has have having he her here him his how i if in into is it its just me more most
my no nor not now of off on once only or other our out over own same she should so some such than that the their
them then there these they this those through to too under until up very was we were what when where which while
who why will with would you your yours im ive dont didnt cant wont thats it's i'm i've i'd you're that's there's
don't didn't can't won't isn't wasn't doesn't yes ok okay few really yet us one still even ever every much many
may might must shall let also well
aber alle allem allen aller alles als also am an auch auf aus bei beim bin bis bist da damit dann das dass dem den
der des dich die dies diese diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines er
es etwas euch euer für hab habe haben hat hatte hatten hier hin ich ihm ihn ihnen ihr ihre im in ist ja jede jedem
jeden jeder jedes jetzt kann kein keine können man mein meine mich mir mit muss nach nicht nichts noch nun nur ob
oder ohne schon sehr sein seine sich sie sind so soll sollte sondern um und uns unser unter viel vom von vor war
waren warum was weil wenn wer wie wir wird wo zu zum zur über
o os as um uma uns umas de do da dos das em no na nos nas por para com sem que e é ou se mas muito mais foi ser
está estava eu ele ela eles elas meu minha seu sua isso este esta esse essa ao aos já não nao também tem ter
el la los las un una unos unas del al y en con por para es son fue pero muy más lo le les se su sus mi yo
le la les un une des du de et est en au aux pour par avec pas que qui ne il elle je nous vous ils sont mais très
il lo la gli le un una di del della che e è per con non ma molto sono
de het een en van ik je niet is dat op te zijn met voor maar ook heel
""".split())

_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*")


def _tokens(text: str) -> list[str]:
    return [m.group(0) for m in _WORD.finditer(text)]


def _key(token: str) -> str:
    return token.lower().translate(FOLD_TABLE).replace("’", "'")


def frequent_terms(texts: pd.Series, *, top: int = 15, phrases: int = 10, min_texts: int = 2,
                   min_length: int = 3) -> pd.DataFrame:
    """The words and phrases found in the most texts (to grow a codebook from what it does not catch).

    Parameters
    ----------
    texts : Series
        The texts, e.g. :func:`kit.text.coding.uncoded_texts` of the survey comments.
    top : int
        Number of single words returned.
    phrases : int
        Number of two- and three-word phrases returned.
    min_texts : int
        A term must occur in at least this many texts.
    min_length : int
        Shortest word counted (in letters).

    Returns
    -------
    DataFrame
        ``term``, ``kind`` (``word`` or ``phrase``), ``texts`` (texts containing it), ``share`` (of all
        non-empty texts), ``n`` (non-empty texts); words first, each kind by ``texts`` descending.
        ``attrs["n"]`` is the number of non-empty texts.

    Examples
    --------
    >>> t = pd.Series(["Kundenkarte geht nicht", "die Kundenkarte geht nicht mehr", "App stürzt ab"])
    >>> frequent_terms(t)[["term", "kind", "texts"]].values.tolist()
    [['Kundenkarte', 'word', 2], ['geht', 'word', 2], ['Kundenkarte geht', 'phrase', 2]]
    """
    docs = [str(t) for t in texts.dropna() if str(t).strip()]
    words: Counter[str] = Counter()
    grams: Counter[str] = Counter()
    spelled: dict[str, Counter[str]] = {}
    for doc in docs:
        tokens = _tokens(doc)
        keys = [_key(t) for t in tokens]
        for token, key in zip(tokens, keys, strict=True):
            spelled.setdefault(key, Counter())[token] += 1
        # dict.fromkeys: each term once per text, in order of first appearance (ties keep that order)
        words.update(list(dict.fromkeys(k for k in keys if len(k) >= min_length and k not in STOPWORDS)))
        seen: dict[str, None] = {}
        for size in (2, 3):
            for i in range(len(keys) - size + 1):
                gram = keys[i:i + size]
                if gram[0] in STOPWORDS or gram[-1] in STOPWORDS or any(len(g) < 2 for g in gram):
                    continue
                seen[" ".join(gram)] = None
        grams.update(list(seen))

    def shown(key: str) -> str:
        return " ".join(spelled[k].most_common(1)[0][0] for k in key.split(" "))

    n = len(docs)
    rows = [{"term": shown(k), "kind": "word", "texts": c} for k, c in words.most_common() if c >= min_texts][:top]
    # a phrase is worth a row when it says more than its words: drop those whose every text holds a longer one
    picked = [(k, c) for k, c in grams.most_common() if c >= min_texts]
    longer = {k for k, c in picked if any(o != k and (" " + k + " ") in (" " + o + " ") and oc == c
                                          for o, oc in picked)}
    rows += [{"term": shown(k), "kind": "phrase", "texts": c} for k, c in picked if k not in longer][:phrases]
    out = pd.DataFrame(rows, columns=["term", "kind", "texts"])
    out["share"] = out["texts"] / n if n else float("nan")
    out["n"] = n
    out.attrs["n"] = n
    return out.astype({"texts": "int64"})
