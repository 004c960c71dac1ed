"""The workshop's exercises on the sample business, and a check of each answer against the planted effects.

One exercise per report step (``docs/workshop.md``; the exercise cells of the five notebooks; the
solutions in ``notebooks/solutions/``). The expected answers are the effects planted in the sample
(``data/sample/README.md``, period 2026-Q3), so a participant can check an answer without a facilitator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["EXERCISES", "Exercise", "check_exercise"]


@dataclass(frozen=True)
class Exercise:
    """One workshop exercise.

    Attributes
    ----------
    number : int
        1 … 5, the report step it belongs to.
    question : dict
        The question, by language (``en``, ``de``).
    example : dict
        The form an answer takes (shown when no answer is given yet), by language.
    effect : dict
        The planted effect it recovers (``data/sample/README.md``), by language.
    """

    number: int
    question: dict[str, str]
    example: dict[str, str]
    effect: dict[str, str]
    accepts: Callable[[Any], bool]


def _as_set(answer: Any) -> set[str]:
    if isinstance(answer, str):
        return {answer}
    try:
        return {str(a) for a in answer}
    except TypeError:
        return set()


def _number(answer: Any) -> float | None:
    try:
        return float(answer)
    except (TypeError, ValueError):
        return None


def _between(value: float | None, low: float, high: float) -> bool:
    """The 2026-Q3 response rate lies in its own 95 % interval (27.1 % to 32.1 %): any share in it is right."""
    return value is not None and low <= value <= high


def _segment_and_test(answer: Any) -> bool:
    """("Abo", p) with p < 0.05: the Abo segment churns less, and a log-rank test says the difference is real."""
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return False
    segment, p = answer
    p_value = _number(p)
    return str(segment) == "Abo" and p_value is not None and p_value < 0.05


#: The five exercises, by number (questions in English and German).
EXERCISES: dict[int, Exercise] = {e.number: e for e in (
    Exercise(1, {"en": "Which KPIs of 2026-Q3 are inconclusive against their target (the interval straddles it)?",
                 "de": "Welche Kennzahlen von 2026-Q3 sind gegenüber ihrem Ziel nicht eindeutig (das Intervall "
                       "schließt das Ziel ein)?"},
             {"en": '{"nps", "csat"} (a set of KPI ids)', "de": '{"nps", "csat"} (eine Menge von KPI-Ids)'},
             {"en": "scorecard 2026-Q3: CES 5.51 against 5.5 and return rate 0.055 against 0.05 are inconclusive",
              "de": "Scorecard 2026-Q3: CES 5,51 gegenüber 5,5 und Retourenquote 0,055 gegenüber 0,05 sind nicht "
                    "eindeutig"},
             lambda a: _as_set(a) == {"ces", "return_rate"}),
    Exercise(2, {"en": "What is the survey response rate of 2026-Q3, and can it be trusted to be above 25 %?",
                 "de": "Wie hoch ist die Rücklaufquote der Umfrage in 2026-Q3, und liegt sie sicher über 25 %?"},
             {"en": "0.42 (the rate as a share, from kit.response_rate)",
              "de": "0.42 (die Quote als Anteil, aus kit.response_rate)"},
             {"en": "about 27 % of invited customers answer; 2026-Q3: 29.5 % (95 % CI 27.1 % to 32.1 %)",
              "de": "etwa 27 % der Eingeladenen antworten; 2026-Q3: 29,5 % (95-%-KI 27,1 % bis 32,1 %)"},
             lambda a: _between(_number(a), 0.271, 0.321)),
    Exercise(3, {"en": "Which segment churns less (Abo or Einzelkauf), and is the difference real (log-rank p)?",
                 "de": "Welches Segment wandert weniger ab (Abo oder Einzelkauf), und ist der Unterschied echt "
                       "(Log-Rank-p)?"},
             {"en": '("Einzelkauf", 0.2) (the segment and the p-value of kit.logrank_test)',
              "de": '("Einzelkauf", 0.2) (das Segment und der p-Wert von kit.logrank_test)'},
             {"en": "Abo customers' base churn hazard is 2.2 % a month against 5 % for one-off buyers",
              "de": "das Grund-Abwanderungsrisiko im Abo ist 2,2 % im Monat gegenüber 5 % bei Einzelkäufern"},
             _segment_and_test),
    Exercise(4, {"en": "Which theme do 2026-Q3 detractors complain about most, compared with promoters?",
                 "de": "Über welches Thema beschweren sich die Kritiker in 2026-Q3 am meisten, verglichen mit den "
                       "Promotoren?"},
             {"en": '"packaging" (a theme id of the codebook)', "de": '"packaging" (eine Themen-Id des Codebuchs)'},
             {"en": "effect 3: detractors complain about delivery (42 % of them) and price (32 %)",
              "de": "Effekt 3: Kritiker beschweren sich über die Lieferung (42 %) und den Preis (32 %)"},
             lambda a: str(a) == "delivery"),
    Exercise(5, {"en": "Which driver rating fell most from 2026-Q2 to 2026-Q3?",
                 "de": "Welche Treiber-Bewertung ist von 2026-Q2 auf 2026-Q3 am stärksten gefallen?"},
             {"en": '"driver_price" (a driver column of the surveys)',
              "de": '"driver_price" (eine Treiber-Spalte der Umfragen)'},
             {"en": "effect 8: the carrier change of 2026-Q2/Q3 shifts delivery ratings down (0.4 latent sd in Q3)",
              "de": "Effekt 8: der Wechsel des Paketdienstes 2026-Q2/Q3 senkt die Lieferbewertungen (0,4 latente "
                    "SD in Q3)"},
             lambda a: str(a) == "driver_delivery"),
)}


def check_exercise(number: int, answer: Any, *, lang: str = "en") -> str:
    """Whether ``answer`` to workshop exercise ``number`` matches the effect planted in the sample.

    Parameters
    ----------
    number : int
        1 … 5 (see :data:`EXERCISES`).
    answer : Any
        The participant's answer; None while there is none yet.
    lang : {"en", "de"}

    Returns
    -------
    str
        "no answer yet" (with the form an answer takes), "right" (with the planted effect) or "not yet".

    Raises
    ------
    KeyError
        When there is no exercise ``number`` (the message lists the valid ones).

    Examples
    --------
    >>> check_exercise(5, "driver_delivery")[:5]
    'right'
    >>> check_exercise(5, None)
    'Exercise 5: no answer yet. An answer looks like "driver_price" (a driver column of the surveys).'
    """
    if number not in EXERCISES:
        raise KeyError(f"no exercise {number!r}; the exercises are {', '.join(map(str, EXERCISES))}")
    exercise = EXERCISES[number]
    de = lang == "de"
    if answer is None:
        return (f"Übung {number}: noch keine Antwort. Eine Antwort sieht so aus: {exercise.example['de']}." if de
                else f"Exercise {number}: no answer yet. An answer looks like {exercise.example['en']}.")
    if exercise.accepts(answer):
        return (f"richtig: {answer!r} entspricht dem eingebauten Effekt ({exercise.effect['de']})." if de else
                f"right: {answer!r} matches the planted effect ({exercise.effect['en']}).")
    return (f"noch nicht: {answer!r} ist nicht, was die Beispieldaten zeigen. Lesen Sie den Hinweis noch einmal." if de
            else f"not yet: {answer!r} is not what the sample shows. Read the hint again.")
