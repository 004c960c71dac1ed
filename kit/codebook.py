"""The codebook: themes, their German and English patterns, and polarity cues.

A codebook is a YAML file (``data/sample/codebook.yaml``) read and validated by
:func:`read_codebook`. :func:`code_texts` in :mod:`kit.interviews` applies it to
interview notes, survey comments and exit reasons alike.

Pattern syntax (the same for theme patterns, polarity cues and negators):

- a plain word matches the whole word, any case: ``preis`` matches "Preis", not "Preise";
- ``*`` stands for any letters inside the same word: ``preis*`` matches "Preise", "Preiserhöhung";
  ``*liefer*`` also matches "geliefert", "Lieferzeit", "Paketlieferung" (German compounds);
- several words match with any spaces or hyphens between them: ``customer service``;
- umlauts and ß match both spellings automatically: ``pünktlich`` matches "puenktlich",
  ``strasse`` matches "Straße";
- ``re:`` starts a raw Python regular expression for the rare case that needs one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kit.errors import ConfigError

__all__ = [
    "Terms", "Label", "Cues", "SubTheme", "Theme", "Negation", "Codebook",
    "read_codebook", "parse_codebook", "term_regex", "DEFAULT_CUES", "split_sentences", "code_texts",
    "CODED_COLUMNS",
]

Lang = Literal["en", "de"]

_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
_DIGRAPHS = {v: k for k, v in _UMLAUTS.items()}
_WORD_CHARS = r"(?:\w|-(?=\w))*"  # letters inside one word, hyphenated compounds included


def term_regex(term: str, *, bounded: bool = True) -> str:
    """Translate one codebook term into a regular expression (case is handled by the caller).

    Parameters
    ----------
    term : str
        A word, a phrase, a stem with ``*`` wildcards, or ``re:<regex>``.
    bounded : bool
        Wrap in word boundaries (``False`` when the caller adds them once around many terms).

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
            if char in _UMLAUTS:
                out.append(f"(?:{char}|{_UMLAUTS[char]})")
            elif char == "*":
                out.append(_WORD_CHARS)
            else:
                out.append(re.escape(char))
            i += 1
        parts.append("".join(out))
    body = r"[\s\-]+".join(parts)
    return r"(?<!\w)" + body + r"(?!\w)" if bounded else body


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Terms(_Model):
    """Terms (patterns, cues or negators) per language."""

    en: tuple[str, ...] = ()
    de: tuple[str, ...] = ()

    @field_validator("en", "de", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        return value

    @field_validator("en", "de")
    @classmethod
    def _valid(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for term in value:
            if not term.strip() or term.strip("* ") == "":
                raise ValueError(f"empty pattern {term!r}; write a word, a stem like 'liefer*' or 're:<regex>'")
            try:
                re.compile(term_regex(term))
            except re.error as exc:
                raise ValueError(f"pattern {term!r} is not a valid regular expression ({exc})") from None
        return tuple(t.strip() for t in value)

    def all(self) -> tuple[str, ...]:
        """English and German terms together."""
        return self.en + self.de

    def __add__(self, other: Terms) -> Terms:
        return Terms(en=self.en + other.en, de=self.de + other.de)


class Label(_Model):
    """A label in English and German."""

    en: str
    de: str


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
        """The theme's label in ``lang`` (the id itself for unknown ids)."""
        try:
            return getattr(self.theme(theme_id).label, lang)
        except KeyError:
            return theme_id

    def labels(self, *, lang: Lang = "en") -> dict[str, str]:
        """Theme id -> label in ``lang``."""
        return {t.id: getattr(t.label, lang) for t in self.themes}

    def to_frame(self, *, lang: Lang = "en") -> Any:
        """One row per theme: ``theme``, ``label``, ``definition``, ``patterns_en``, ``patterns_de``, ``subthemes``.

        Examples
        --------
        >>> parse_codebook({"themes": [{"id": "price", "label": {"en": "Price", "de": "Preis"},
        ...     "patterns": {"en": ["price*"], "de": ["preis*"]}}]}).to_frame(lang="de")["label"].tolist()
        ['Preis']
        """
        import pandas as pd

        return pd.DataFrame([{
            "theme": t.id, "label": getattr(t.label, lang), "definition": t.definition,
            "patterns_en": ", ".join(t.patterns.en), "patterns_de": ", ".join(t.patterns.de),
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
        hint = (" Each theme needs id, label {en, de} and patterns {en: [...], de: [...]}; "
                "optional: definition, polarity {positive, negative}, subthemes.")
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
    if not path.is_file():
        raise ConfigError(f"codebook file {str(path)!r} does not exist. Set data.codebook in analysis.yaml "
                          "to your codebook (the sample's is data/sample/codebook.yaml).")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path.name}: not valid YAML{where}: {getattr(exc, 'problem', exc)}. "
                          "Check the indentation and quotes around that line.") from None
    return parse_codebook(raw, source=path.name)


# --------------------------------------------------------------------------------------------
# Sentences and coding
# --------------------------------------------------------------------------------------------

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
        plain = sorted({term_regex(t, bounded=False) for t in terms if not t.startswith(("re:", "*"))},
                       key=len, reverse=True)
        infix = sorted({term_regex(t.lstrip("*"), bounded=False) for t in terms if t.startswith("*")},
                       key=len, reverse=True)
        raw = [term_regex(t) for t in terms if t.startswith("re:")]
        self._bounded = re.compile(r"(?<!\w)(?:" + "|".join(plain) + r")(?!\w)", re.IGNORECASE) if plain else None
        self._infix = re.compile(r"(?:" + "|".join(infix) + r")(?!\w)", re.IGNORECASE) if infix else None
        self._raw = re.compile("|".join(raw), re.IGNORECASE) if raw else None

    def spans(self, text: str) -> list[tuple[int, int]]:
        found: set[tuple[int, int]] = set()
        if self._bounded is not None:
            found.update(m.span() for m in self._bounded.finditer(text))
        if self._infix is not None:
            for m in self._infix.finditer(text):
                start = m.start()
                while start > 0 and _is_word_char(text, start - 1):
                    start -= 1
                found.add((start, m.end()))
        if self._raw is not None:
            found.update(m.span() for m in self._raw.finditer(text) if m.end() > m.start())
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


def _text_series(texts: Any, column: str, id_column: str | None) -> Any:
    import pandas as pd

    if isinstance(texts, pd.DataFrame):
        if column not in texts.columns:
            raise KeyError(f"column {column!r} not found; texts has columns {', '.join(map(str, texts.columns))}. "
                           "Pass column='comment' (or the name of the text column).")
        if id_column is None:
            id_column = next((c for c in _ID_COLUMNS if c in texts.columns), None)
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
        From :func:`read_codebook`.
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
    >>> cb = parse_codebook({"themes": [
    ...     {"id": "delivery", "label": {"en": "Delivery", "de": "Lieferung"},
    ...      "patterns": {"en": ["deliver*"], "de": ["*liefer*"]}}]})
    >>> code_texts(pd.Series({"a": "Die Lieferung war nicht pünktlich."}), cb)[["theme", "polarity"]].values.tolist()
    [['delivery', 'negative']]
    """
    import pandas as pd

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
