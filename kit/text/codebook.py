"""The codebook: themes, their German and English patterns, and polarity cues.

A codebook is a YAML file (``data/sample/codebook.yaml``) read and validated by
:func:`read_codebook`. :func:`kit.text.coding.code_texts` applies it to interview notes,
survey comments and exit reasons alike.

Pattern syntax (the same for theme patterns, polarity cues and negators):

- a plain word matches the whole word, any case: ``preis`` matches "Preis", not "Preise";
- ``*`` stands for any letters inside the same word: ``preis*`` matches "Preise", "Preiserhöhung";
  ``*liefer*`` also matches "geliefert", "Lieferzeit", "Paketlieferung" (German compounds);
- several words match with any spaces or hyphens between them: ``customer service``;
- umlauts and ß match both spellings automatically: ``pünktlich`` matches "puenktlich",
  ``strasse`` matches "Straße";
- accents of every Latin script are folded (Unicode NFKD): ``não`` matches "nao" and "não", ``cafe``
  matches "café", ``entrega rapida`` matches "entrega rápida"; the German umlauts keep their own rule
  (``schon`` does not match "schön");
- ``re:`` starts a raw Python regular expression for the rare case that needs one.

Patterns, polarity cues, negators and labels have one slot per language: ``en``, ``de`` or any other
ISO 639 code (``pt``, ``es``, ``fr``, ``pt-BR``); every slot is used for coding, whatever the language of a
text. A label is shown in the report's language, else in English, else in the first language given.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kit.data.config import read_yaml
from kit.errors import ConfigError

__all__ = [
    "Terms", "Label", "Cues", "SubTheme", "Theme", "Negation", "Codebook",
    "read_codebook", "parse_codebook", "term_regex", "DEFAULT_CUES", "FOLD_TABLE",
]

Lang = str

_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
_DIGRAPHS = {v: k for k, v in _UMLAUTS.items()}
_WORD_CHARS = r"(?:\w|-(?=\w))*"  # letters inside one word, hyphenated compounds included
_LANG_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z]{2,4})?$")


def _latin_variants() -> dict[str, str]:
    """Base letter -> the lower-case accented Latin letters that fold to it under NFKD (umlauts excluded)."""
    variants: dict[str, list[str]] = {}
    for block in (range(0x00C0, 0x0250), range(0x1E00, 0x1F00)):
        for code in block:
            char = chr(code)
            base = unicodedata.normalize("NFKD", char)[0]
            if char == char.lower() and char != base and base.isascii() and base.isalpha() and char not in _UMLAUTS:
                variants.setdefault(base.lower(), []).append(char)
    return {base: "".join(chars) for base, chars in variants.items()}


_VARIANTS = _latin_variants()
#: str.translate table: every accented Latin letter (both cases, umlauts and ß excluded) -> its base letter.
#: One character for one, so positions in a folded text are positions in the original.
FOLD_TABLE: dict[int, str] = {ord(v): base for base, chars in _VARIANTS.items() for v in chars}
FOLD_TABLE.update({ord(v.upper()): base.upper() for base, chars in _VARIANTS.items() for v in chars
                   if len(v.upper()) == 1 and v.upper() != v})


def _fold(char: str) -> str:
    """The base letter of an accented Latin letter (``ã`` -> ``a``); other characters as they are."""
    base = unicodedata.normalize("NFKD", char)[0]
    return base.lower() if base.isascii() and base.isalpha() and char not in _UMLAUTS else char


def term_regex(term: str, *, bounded: bool = True, folded: bool = False) -> str:
    """Translate one codebook term into a regular expression (case is handled by the caller).

    Parameters
    ----------
    term : str
        A word, a phrase, a stem with ``*`` wildcards, or ``re:<regex>``.
    bounded : bool
        Wrap in word boundaries (``False`` when the caller adds them once around many terms).
    folded : bool
        The text searched is folded with :data:`FOLD_TABLE` (``text.translate(FOLD_TABLE)``), so accented
        letters of the term are written as their base letter (faster than a class per letter, which
        ``False`` gives to search raw text).

    Returns
    -------
    str
        A regular expression with word boundaries.

    Examples
    --------
    >>> import re
    >>> bool(re.search(term_regex("*liefer*"), "Die Paketlieferung kam", re.IGNORECASE))
    True
    >>> bool(re.search(term_regex("pünktlich"), "kam puenktlich", re.IGNORECASE))
    True
    >>> bool(re.search(term_regex("nao"), "Não chegou", re.IGNORECASE))
    True
    """
    term = term.strip()
    if term.startswith("re:"):
        return f"(?:{term[3:]})"
    words = term.lower().split()
    parts = []
    for word in words:
        out: list[str] = []
        i = 0
        while i < len(word):
            pair, char = word[i:i + 2], word[i]
            if pair in _DIGRAPHS:
                out.append(f"(?:{pair}|{_DIGRAPHS[pair]})")
                i += 2
                continue
            fold_to = _fold(char)
            if char in _UMLAUTS:
                out.append(f"(?:{char}|{_UMLAUTS[char]})")
            elif char == "*":
                out.append(_WORD_CHARS)
            elif fold_to in _VARIANTS:
                out.append(re.escape(fold_to) if folded else f"[{fold_to}{_VARIANTS[fold_to]}]")
            else:
                out.append(re.escape(char))
            i += 1
        parts.append("".join(out))
    body = r"[\s\-]+".join(parts)
    return r"(?<!\w)" + body + r"(?!\w)" if bounded else body


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _listify(value: Any) -> Any:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return value


def _check_terms(value: tuple[str, ...]) -> tuple[str, ...]:
    for term in value:
        if not isinstance(term, str):
            raise ValueError(f"pattern {term!r} is not text; write a word, a stem like 'liefer*' or 're:<regex>'")
        if not term.strip() or term.strip("* ") == "":
            raise ValueError(f"empty pattern {term!r}; write a word, a stem like 'liefer*' or 're:<regex>'")
        try:
            # only a 're:' term can be an invalid expression (the others are escaped word by word); compiling
            # every term here took about a second at each import (the default cues) for no check at all
            if term.strip().startswith("re:"):
                re.compile(term_regex(term))
        except re.error as exc:
            raise ValueError(f"pattern {term!r} is not a valid regular expression ({exc})") from None
    return tuple(t.strip() for t in value)


def _check_language(key: str) -> None:
    if not _LANG_CODE.match(key):
        raise ValueError(f"{key!r} is not a language code; use an ISO 639 code such as en, de, pt, es, fr "
                         "(optionally with a region: pt-BR)")


class Terms(BaseModel):
    """Terms (patterns, cues or negators) per language: ``en``, ``de`` or any other ISO 639 code.

    Examples
    --------
    >>> Terms(en=["price*"], pt=["preço*", "caro"]).all()
    ('price*', 'preço*', 'caro')
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    en: tuple[str, ...] = ()
    de: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _languages(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        out = {}
        for key, terms in value.items():
            _check_language(str(key))
            out[str(key)] = _listify(terms)
        return out

    @field_validator("en", "de")
    @classmethod
    def _valid(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _check_terms(value)

    @model_validator(mode="after")
    def _valid_extra(self) -> Terms:
        for key, value in (self.model_extra or {}).items():
            self.model_extra[key] = _check_terms(tuple(value))  # type: ignore[index]
        return self

    def by_language(self) -> dict[str, tuple[str, ...]]:
        """Language code -> terms (``en`` and ``de`` first, then the others in the order written)."""
        out = {"en": self.en, "de": self.de}
        out.update({k: tuple(v) for k, v in (self.model_extra or {}).items()})
        return {k: v for k, v in out.items() if v}

    def all(self) -> tuple[str, ...]:
        """The terms of every language together."""
        return tuple(t for terms in self.by_language().values() for t in terms)

    def __add__(self, other: Terms) -> Terms:
        merged: dict[str, tuple[str, ...]] = dict(self.by_language())
        for key, terms in other.by_language().items():
            merged[key] = merged.get(key, ()) + terms
        return Terms(**merged)


class Label(BaseModel):
    """A label per language (``en``, ``de`` or any ISO 639 code); at least one.

    Examples
    --------
    >>> Label(pt="Preço").text("de")
    'Preço'
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    en: str | None = None
    de: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _languages(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            for key in value:
                _check_language(str(key))
            if not any(isinstance(v, str) and v.strip() for v in value.values()):
                raise ValueError("a label needs at least one language, e.g. {en: Price, de: Preis} or {pt: Preço}")
        return value

    def text(self, lang: str = "en") -> str:
        """The label in ``lang``, else English, else German, else the first language given."""
        extra = {k: v for k, v in (self.model_extra or {}).items() if isinstance(v, str)}
        for key in (lang, "en", "de"):
            value = extra.get(key) if key not in ("en", "de") else getattr(self, key)
            if value:
                return value
        return next(iter(extra.values()))


class Cues(_Model):
    """Words that make a sentence positive or negative (flipped when negated)."""

    positive: Terms = Terms()
    negative: Terms = Terms()


class SubTheme(_Model):
    """A finer code inside a theme; its patterns also count for the theme."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Label | None = None
    definition: str = ""
    patterns: Terms

    @model_validator(mode="after")
    def _has_patterns(self) -> SubTheme:
        if not self.patterns.all():
            raise ValueError(f"sub-theme {self.id!r} has no patterns; add patterns: {{en: [...], de: [...]}}")
        return self


class Theme(_Model):
    """One theme of the codebook."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Lower-case id, e.g. 'delivery'")
    label: Label
    definition: str = ""
    patterns: Terms = Terms()
    polarity: Cues = Cues()
    subthemes: tuple[SubTheme, ...] = ()

    @model_validator(mode="after")
    def _has_patterns(self) -> Theme:
        if not (self.patterns.all() or any(s.patterns.all() for s in self.subthemes)):
            raise ValueError(f"theme {self.id!r} has no patterns; add patterns: {{en: [...], de: [...]}}")
        return self

    def all_patterns(self) -> tuple[str, ...]:
        """The theme's own patterns and those of its sub-themes."""
        return self.patterns.all() + tuple(p for s in self.subthemes for p in s.patterns.all())


class Negation(_Model):
    """How negation is recognised.

    A cue is negated when a negator stands among the ``window`` words before it in
    the same clause ("nicht zufrieden", "no problem"), or when a ``trailing`` negator
    ends the clause within ``window`` words after it ("gefällt mir nicht").
    A negator followed by one of ``exceptions`` ("nicht nur", "not only") is ignored.
    """

    window: int = Field(2, ge=0, le=10)
    words: Terms = Terms(
        en=("not", "*n't", "no", "never", "without", "hardly", "nothing", "none", "nobody", "cannot",
            "nor", "neither", "wasnt", "didnt", "dont", "isnt", "cant", "wont"),
        de=("nicht", "kein*", "nie", "niemals", "nichts", "ohne", "kaum", "keineswegs"),
    )
    trailing: Terms = Terms(de=("nicht", "nie", "niemals", "keineswegs"))
    exceptions: Terms = Terms(en=("only", "just"), de=("nur",))


#: General polarity cues used by every codebook unless ``use_default_cues: false``.
DEFAULT_CUES = Cues(
    positive=Terms(
        en=("good", "great", "excellent", "brilliant", "fantastic", "amazing", "perfect*", "love*", "liked",
            "like it", "i like", "happy", "pleased", "satisfied", "helpful", "friendly", "easy", "quick*",
            "fast", "efficient*", "smooth*", "nice", "went well", "work* well", "very well", "well done",
            "best", "recommend*", "superb", "wonderful", "impressed", "reliable", "professional*", "polite",
            "problem free", "hassle free", "trouble free", "no problems", "fine", "thank*", "awesome",
            "outstanding", "delighted", "courteous", "knowledgeable", "better", "improved", "excellent*",
            "pleasant", "seamless*", "straightforward", "simple", "painless", "spot on", "first class",
            "on time", "punctual"),
        de=("gut", "gute*", "super", "toll*", "prima", "klasse", "perfekt*", "zufrieden*", "begeistert",
            "freundlich*", "hilfsbereit*", "schnell*", "unkompliziert*", "hervorragend*", "ausgezeichnet*",
            "empfehle*", "empfehl*", "weiterempfehl*", "gerne", "gern", "liebe", "lieben", "liebt", "liebevoll*",
            "mag", "gefällt", "gefallen",
            "zuverlässig*", "top", "klappt*", "spitze", "wunderbar*", "angenehm*", "besser", "beste", "besten",
            "bester", "bestes",
            "kompetent*", "danke*", "sehr schön", "problemlos*", "reibungslos*", "immer wieder", "großartig*",
            "genial*", "überzeugt", "überzeugend*", "positiv*", "pünktlich*", "rechtzeitig",
            "hilfreich*", "in ordnung"),
    ),
    negative=Terms(
        en=("bad", "poor*", "terrible", "awful", "horrible", "worst", "worse", "disappoint*", "unhappy",
            "annoy*", "frustrat*", "problem*", "issue*", "fault*", "slow*", "late", "delay*", "rude",
            "useless", "unhelpful", "complain*", "complaint*", "hate", "never again", "waste*", "fail*",
            "broken", "wrong", "difficult", "nightmare", "shocking", "appalling", "dreadful", "rubbish",
            "unacceptable", "ridiculous", "incompetent", "confus*", "mistake*", "error*", "lack*",
            "expensive", "overcharg*", "hassle", "chasing", "chased", "still waiting", "not yet",
            "unreliable", "dissatisfied", "misled", "misleading", "lied", "lies", "shambles", "pathetic",
            "could be better", "could have been better", "negative*", "horrendous", "disgrac*", "joke",
            "struggl*", "stress*", "upset", "angry", "worried", "concern*", "fed up", "poorly"),
        de=("schlecht*", "schlimm*", "furchtbar*", "schrecklich*", "enttäusch*", "unzufrieden*", "ärger*",
            "problem*", "mangel*", "mängel*", "fehler*", "langsam*", "spät", "zu spät", "verspät*",
            "unfreundlich*", "leider", "nie wieder", "nicht mehr", "beschwer*", "reklamation*", "reklamier*",
            "kaputt*", "beschädigt*", "falsch*", "schade", "katastroph*", "unmöglich*", "frech*", "teuer*",
            "teurer*", "teure*",
            "zu teuer", "überteuert*", "umständlich*", "kompliziert*", "nervig*", "nervt", "mühsam*",
            "chaotisch*", "abzocke*", "unverschämt*", "veraltet*", "könnte besser*", "ausbaufähig*",
            "negativ*", "ärgerlich*", "unzuverlässig*", "ungenügend*", "mangelhaft*"),
    ),
)


class Codebook(_Model):
    """A validated codebook. Build it with :func:`read_codebook` or :func:`parse_codebook`.

    Examples
    --------
    >>> cb = parse_codebook({"themes": [{"id": "price", "label": {"en": "Price", "de": "Preis"},
    ...                                  "patterns": {"en": ["price*"], "de": ["preis*"]}}]})
    >>> cb.ids
    ('price',)
    >>> cb.label("price", lang="de")
    'Preis'
    """

    name: str = ""
    description: str = ""
    use_default_cues: bool = True
    polarity: Cues = Cues()
    negation: Negation = Negation()
    themes: tuple[Theme, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Codebook:
        ids = [t.id for t in self.themes] + [s.id for t in self.themes for s in t.subthemes]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"theme and sub-theme ids must be unique; repeated: {', '.join(dupes)}")
        return self

    @property
    def ids(self) -> tuple[str, ...]:
        """Theme ids in codebook order."""
        return tuple(t.id for t in self.themes)

    def theme(self, theme_id: str) -> Theme:
        """The theme with id ``theme_id``; ``KeyError`` listing the valid ids otherwise."""
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(f"unknown theme {theme_id!r}; valid: {', '.join(self.ids)}")

    def label(self, theme_id: str, *, lang: Lang = "en") -> str:
        """The theme's label in ``lang`` (else English, else the first given; the id itself for unknown ids)."""
        try:
            return self.theme(theme_id).label.text(lang)
        except KeyError:
            return theme_id

    def labels(self, *, lang: Lang = "en") -> dict[str, str]:
        """Theme id -> label in ``lang`` (else English, else the first language given)."""
        return {t.id: t.label.text(lang) for t in self.themes}

    def to_frame(self, *, lang: Lang = "en") -> Any:
        """One row per theme: ``theme``, ``label``, ``definition``, ``patterns_en``, ``patterns_de`` (and
        ``patterns_<code>`` for every other language of the codebook), ``subthemes``.

        Examples
        --------
        >>> parse_codebook({"themes": [{"id": "price", "label": {"en": "Price", "de": "Preis"},
        ...     "patterns": {"en": ["price*"], "de": ["preis*"]}}]}).to_frame(lang="de")["label"].tolist()
        ['Preis']
        """
        import pandas as pd

        others = list(dict.fromkeys(k for t in self.themes for k in t.patterns.by_language() if k not in ("en", "de")))
        return pd.DataFrame([{
            "theme": t.id, "label": t.label.text(lang), "definition": t.definition,
            "patterns_en": ", ".join(t.patterns.en), "patterns_de": ", ".join(t.patterns.de),
            **{f"patterns_{k}": ", ".join(t.patterns.by_language().get(k, ())) for k in others},
            "subthemes": ", ".join(s.id for s in t.subthemes),
        } for t in self.themes])

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(index=False, escape=True, border=0, classes="kit-table")

    def cues(self) -> Cues:
        """The general polarity cues in force (defaults + the codebook's own)."""
        if not self.use_default_cues:
            return self.polarity
        return Cues(positive=DEFAULT_CUES.positive + self.polarity.positive,
                    negative=DEFAULT_CUES.negative + self.polarity.negative)


def _where(raw: Mapping[str, Any], loc: tuple[Any, ...]) -> str:
    """Name a validation error location by theme id and key instead of list indexes."""
    parts: list[str] = []
    rest = list(loc)
    if len(loc) >= 2 and loc[0] == "themes" and isinstance(loc[1], int):
        themes = raw.get("themes") or []
        item = themes[loc[1]] if loc[1] < len(themes) else None
        theme_id = item.get("id") if isinstance(item, Mapping) else None
        parts.append(f"theme {theme_id!r}" if theme_id else f"themes[{loc[1]}]")
        rest = list(loc[2:])
    if rest:
        parts.append("key '" + ".".join(str(p) for p in rest) + "'")
    return ", ".join(parts)


def parse_codebook(raw: Mapping[str, Any], *, source: str = "codebook") -> Codebook:
    """Validate a codebook given as a mapping (the parsed YAML).

    Parameters
    ----------
    raw : mapping
        ``{"themes": [...], "polarity": ..., "negation": ...}``.
    source : str
        Name used in error messages (the file name).

    Returns
    -------
    Codebook

    Raises
    ------
    ConfigError
        Naming the theme and the key that is wrong, and what is expected.

    Examples
    --------
    >>> parse_codebook({"themes": [{"id": "x", "label": {"en": "X", "de": "X"},
    ...                             "patterns": {"en": ["x"]}}]}).ids
    ('x',)
    """
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: expected a mapping with a 'themes:' list, found {type(raw).__name__}.")
    try:
        return Codebook.model_validate(raw)
    except ValidationError as exc:
        messages = []
        first_key = None
        for error in exc.errors()[:6]:
            loc = tuple(error["loc"])
            where = _where(raw, loc)
            key = ".".join(str(p) for p in loc)
            first_key = first_key or key
            if error["type"] == "extra_forbidden":
                msg = f"unknown key '{loc[-1]}'"
            elif error["type"] == "missing":
                msg = f"required key '{loc[-1]}' is missing"
            else:
                msg = error["msg"].removeprefix("Value error, ")
            messages.append(f"{source}, {where}: {msg}." if where else f"{source}: {msg}.")
        hint = (" Each theme needs id, label {en, de or any language code} and patterns {en: [...], de: [...], "
                "pt: [...], ...}; optional: definition, polarity {positive, negative}, subthemes.")
        raise ConfigError("\n".join(messages) + hint, key=first_key) from None


def read_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook YAML file.

    Parameters
    ----------
    path : str or Path
        The YAML file, e.g. ``data/sample/codebook.yaml``.

    Returns
    -------
    Codebook

    Raises
    ------
    ConfigError
        When the file is missing, is not YAML, or a theme is invalid (the message names
        the theme id and the key).

    Examples
    --------
    >>> import kit
    >>> cb = read_codebook(kit.sample_config_path().parent / "sample" / "codebook.yaml")  # doctest: +SKIP
    >>> "delivery" in cb.ids  # doctest: +SKIP
    True
    """
    path = Path(path)
    raw = read_yaml(path, missing=f"codebook file {str(path)!r} does not exist. Set data.codebook in "
                                  "analysis.yaml to your codebook (the sample's is data/sample/codebook.yaml).")
    return parse_codebook(raw, source=path.name)
