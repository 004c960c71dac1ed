"""First names for scrubbing free text: the name list of ``gender-guesser`` (about 45,000 first names with their
frequency in 54 countries, from Jörg Michael's ``nam_dict``), narrowed to names in use in Europe, the US, Turkey
and Russia, minus words of English and German that are also first names.

Used by :func:`kit.data.privacy.scrub_personal_data`; loaded once, on first use (about 0.3 s).
"""

from __future__ import annotations

import functools
from pathlib import Path

__all__: list[str] = []   # private to kit.data.privacy

#: countries of the list whose names count: Europe, North America, Turkey, Russia (the Asian columns hold
#: syllables such as 'The', 'My', 'Long', 'Im' that are everyday words here)
_COUNTRIES = ("great_britain", "ireland", "usa", "italy", "malta", "portugal", "spain", "france", "belgium",
              "luxembourg", "the_netherlands", "east_frisia", "germany", "austria", "swiss", "iceland", "denmark",
              "norway", "sweden", "finland", "estonia", "latvia", "lithuania", "poland", "czech_republic",
              "slovakia", "hungary", "romania", "bulgaria", "bosniaand", "croatia", "kosovo", "macedonia",
              "montenegro", "serbia", "slovenia", "albania", "greece", "russia", "belarus", "moldova", "ukraine",
              "turkey", "arabia", "israel")

#: first names that are also words ("Will", "Frank", "Rose", "Smith"): a name only with a surname after it
AMBIGUOUS = frozenset("""
    will may mark art hope guy grant bill ray dean chase summer joy sunny august wolf rose frank long page
    man van pet rich sky star storm sun faith grace honor jean justice king major miles norman pat penny price
    robin royal sandy sterling sunday trinity victory ben bo don ernst fritz hans heinz hart kurt lang mai maria
    lotte klaus christian christ emil carmen golden hunter ivy jay jewel lily liberty marine mercedes olive pearl
    reed river rock ruby sage scout sonne sommer stern winter herbst april june july march engel frieden friede
    glück heide hertha kaiser könig mond nord ost süd west treu trost rosa viola smith hall ward wade wood worth
    bliss chance charity destiny dusty ever free gale glory haven heaven holly love lovely merit misty miracle
    neville noble precious promise rain randy shady sharp short silver spring tuesday wednesday zeal marge
    lasse constant german kit""".split())

#: everyday German and English words in the name list: never a name, neither alone nor as a surname
COMMON = frozenset("""
    so see de la le ob per alle aber also auch auf aus bei bis das dass dem den der des die doch ein eine für gut
    hat hier ich ihr ist kann mal mit nach nicht noch nun nur oder sehr sie sind und uns vom von vor war was wie
    wir zum zur the and but for not you all any can had her one our out day get has him his how its new now old
    two way who boy did say she too use well best dear fine good happy lucky merry nice sweet true young able
    early mir mich dich sich mein meine meinen meiner dein deine sein seine seinen einer eines einem allen alles
    kamen kam tage tag seit else line carry even edit job darin lies davor take are file tone ohne eben gern
    gerne leider nie oft sonst ehe fast ganz halt heute jeden kein keine mehr rund selbst sogar viel weil wenn
    wer zwei drei vier dann denn schon jetzt immer bald dort hin her more just lane case care ende liebe""".split())

_MIN_FREQUENCY = "2"   # the list's frequency code per country: 1 (rare) ... D (very common), in hex order


@functools.lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Lower-case first names (see the module doc), ambiguous words included; empty when the list is missing."""
    try:
        import gender_guesser
    except ImportError:   # pragma: no cover - a declared dependency
        return frozenset()
    source = Path(gender_guesser.__file__).parent / "data" / "nam_dict.txt"
    from gender_guesser.detector import Detector

    columns = [Detector.COUNTRIES.index(c) for c in _COUNTRIES]
    names: set[str] = set()
    with source.open(encoding="utf-8") as f:
        for line in f:
            if not line or line[0] in "#=":
                continue
            parts = line.split()
            if len(parts) < 2:
                continue
            values = line[30:-1]
            if any(i < len(values) and values[i].strip() and values[i].upper() >= _MIN_FREQUENCY
                   for i in columns):
                name = parts[1].lower()
                for variant in (name.replace("+", ""), name.replace("+", " "), name.replace("+", "-")):
                    if len(variant) >= 3:
                        names.add(variant)
    return frozenset(names)
