"""The report notebooks and their ``parameters`` cell: where they are, what they declare, and checking a
run's parameters against them before any kernel starts."""

from __future__ import annotations

import ast
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kit.errors import ConfigError, ReportError

__all__ = ["NOTEBOOKS", "NOTEBOOKS_DE", "SETTINGS", "notebook_dir", "report_notebooks", "notebook_parameters",
           "check_parameters"]


#: The five report notebooks, in page order.
NOTEBOOKS: tuple[str, ...] = ("01_goals.ipynb", "02_data.ipynb", "03_criteria.ipynb", "04_interviews.ipynb",
                              "05_actions.ipynb")
#: The German set (``notebooks/de/``): the same code cells as :data:`NOTEBOOKS`, German narrative.
NOTEBOOKS_DE: tuple[str, ...] = ("01_ziele.ipynb", "02_daten.ipynb", "03_kriterien.ipynb", "04_interviews.ipynb",
                                 "05_massnahmen.ipynb")
#: Parameters that default to None (= as configured) and otherwise take a value of these types.
SETTINGS: dict[str, tuple[type, ...]] = {"inactivity_days": (int,), "sla_hours": (int, float), "min_n": (int,),
                                         "segment_by": (str,), "driver_outcome": (str,)}


def notebook_dir(lang: str = "en") -> Path:
    """The folder of the bundled notebooks (``notebooks/`` beside the package; ``notebooks/de`` for German)."""
    root = Path(__file__).resolve().parents[2] / "notebooks"
    return root / "de" if lang == "de" else root


def report_notebooks(lang: str = "en") -> list[Path]:
    """The five report notebooks in the report language (``business.language``), in page order.

    Examples
    --------
    >>> [p.name for p in report_notebooks("de")][:2]
    ['01_ziele.ipynb', '02_daten.ipynb']
    """
    return [notebook_dir(lang) / n for n in (NOTEBOOKS_DE if lang == "de" else NOTEBOOKS)]


def notebook_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """The parameters declared in a notebook's ``parameters`` cell (name -> default, help).

    Parameters
    ----------
    path : Path
        The notebook.

    Returns
    -------
    dict
        As :func:`papermill.inspect_notebook`: name -> ``{"default": "...", "help": "..."}``.

    Raises
    ------
    ReportError
        When the notebook is missing or has no ``parameters`` cell.
    """
    import papermill

    path = Path(path)
    if not path.is_file():
        raise ReportError(f"notebook {str(path)!r} does not exist", notebook=path.name)
    params = papermill.inspect_notebook(str(path))
    if not params:
        raise ReportError("no cell tagged 'parameters' (literals only, one per line, each with a help comment)",
                          notebook=path.name)
    return params


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None


def check_parameters(notebooks: Sequence[Path], parameters: Mapping[str, Any]) -> None:
    """Check that every parameter is declared by every notebook, with a value of the declared type.

    A default of ``None`` accepts text (a path) or None, or for the analyst's settings (:data:`SETTINGS`:
    ``inactivity_days``, ``sla_hours``, ``min_n``, ``segment_by``, ``driver_outcome``) a value of their type;
    otherwise the value must have the type of the default (``"latest"`` -> str, ``False`` -> bool). The values
    themselves are checked when the run opens the data (``pages.context``).

    Parameters
    ----------
    notebooks : sequence of Path
    parameters : mapping
        Name -> value as passed to papermill.

    Raises
    ------
    ConfigError
        Naming the parameter and listing the valid ones with their help text.

    Examples
    --------
    >>> check_parameters([notebook_dir() / "01_goals.ipynb"], {"perod": "2026-Q3"})  # doctest: +SKIP
    Traceback (most recent call last):
    kit.errors.ConfigError: unknown notebook parameter 'perod' (01_goals.ipynb). Did you mean 'period'? ...
    """
    import difflib

    for nb in notebooks:
        declared = notebook_parameters(nb)
        valid = "; ".join(f"{name} = {p['default']} ({p['help']})" if p.get("help") else
                          f"{name} = {p['default']}" for name, p in declared.items())
        for name, value in parameters.items():
            if name not in declared:
                close = difflib.get_close_matches(name, list(declared), n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise ConfigError(f"unknown notebook parameter {name!r} ({Path(nb).name}).{hint} "
                                  f"Valid parameters: {valid}.", key=name)
            default = _literal(declared[name]["default"])
            if default is None and name in SETTINGS:
                types = SETTINGS[name]
                ok = value is None or (isinstance(value, types) and not isinstance(value, bool))
                expected = " or ".join(t.__name__ for t in types) + " or None"
            elif default is None:
                ok = value is None or isinstance(value, (str, os.PathLike))
                expected = "text (a path) or None"
            else:
                ok = type(value) is type(default)
                expected = type(default).__name__
            if not ok:
                raise ConfigError(f"notebook parameter {name!r} ({Path(nb).name}) must be {expected}, found "
                                  f"{value!r} ({type(value).__name__}). Valid parameters: {valid}.", key=name)
