"""The report notebooks and their ``parameters`` cell: where they are, what they declare, and checking a
run's parameters against them before any kernel starts."""

from __future__ import annotations

import ast
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kit.errors import ConfigError, ReportError

__all__ = ["NOTEBOOKS", "notebook_dir", "notebook_parameters", "check_parameters"]


#: The five report notebooks, in page order.
NOTEBOOKS: tuple[str, ...] = ("01_goals.ipynb", "02_data.ipynb", "03_criteria.ipynb", "04_interviews.ipynb",
                              "05_actions.ipynb")


def notebook_dir() -> Path:
    """The folder of the bundled notebooks (``notebooks/`` beside the package)."""
    return Path(__file__).resolve().parents[2] / "notebooks"


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

    A default of ``None`` accepts text (a path) or None; otherwise the value must have
    the type of the default (``"latest"`` -> str, ``False`` -> bool).

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
            if default is None:
                ok = value is None or isinstance(value, (str, os.PathLike))
                expected = "text (a path) or None"
            else:
                ok = type(value) is type(default)
                expected = type(default).__name__
            if not ok:
                raise ConfigError(f"notebook parameter {name!r} ({Path(nb).name}) must be {expected}, found "
                                  f"{value!r} ({type(value).__name__}). Valid parameters: {valid}.", key=name)
