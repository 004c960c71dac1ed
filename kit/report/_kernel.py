"""A run's kernel serves one page after another: between two pages it is made as it was when it started.

:func:`remember` runs once, after the kernel's warm-up imports (``kit.report.execute._KernelPool``); :func:`fresh`
runs before each further page. It closes every figure and puts back what a page can change for the whole process:

- the working folder, the environment variables and ``sys.path``;
- matplotlib's settings and the inline backend's (figure formats, ``rc``, closing figures after a cell);
- pandas' options (through ``pd.set_option``, so pandas' own callbacks run), NumPy's print options and its
  floating-point error handling (``np.seterr``);
- the warning filters, and it forgets which warnings were shown, so a page shows its warnings as in a kernel of
  its own; the root logger's level and handlers;
- the user namespace, emptied, with the execution count back at 1 (IPython's ``reset(new_session=True)``).

A page that left a thread of its own running (a timer, a background job; not a daemon thread) could still write
into the next page: :func:`fresh` then refuses (``KernelNotReusable``) and the run starts the next page on another
kernel. What stays is what a kernel of its own would import again: the modules, already loaded, and the kit's
caches of read-only data.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import warnings
from typing import Any

__all__ = ["remember", "fresh", "KernelNotReusable"]

_SAVED: dict[str, Any] = {}

#: the inline backend's settings a page can change with ``%config InlineBackend.<name> = ...``
_INLINE = ("figure_formats", "print_figure_kwargs", "close_figures", "rc")


class KernelNotReusable(RuntimeError):
    """The last page left something running in the kernel: the next page needs a kernel of its own."""


def remember() -> None:
    """Keep the kernel's settings as they are now (after its warm-up imports)."""
    import matplotlib
    import numpy as np

    root = logging.getLogger()
    _SAVED.update(cwd=os.getcwd(), environ=dict(os.environ), path=list(sys.path),
                  rc=matplotlib.rcParams.copy(), filters=list(warnings.filters),
                  numpy=np.get_printoptions(), seterr=np.geterr(), pandas=_pandas_options(),
                  log=(root.level, list(root.handlers)), threads={t.ident for t in threading.enumerate()})
    inline = _inline_backend()
    if inline is not None:
        _SAVED["inline"] = {name: _copy(getattr(inline, name)) for name in _INLINE if hasattr(inline, name)}


def _copy(value: Any) -> Any:
    return type(value)(value) if isinstance(value, dict | list | set) else value


def _inline_backend() -> Any:
    """The inline backend's configuration object of this IPython session, or None."""
    try:
        from matplotlib_inline.config import InlineBackend
    except ImportError:   # pragma: no cover - ipykernel depends on matplotlib-inline
        return None
    return InlineBackend.instance()


def _pandas_options() -> dict[str, Any]:
    """Every registered pandas option and its value (deprecated ones left out)."""
    import pandas as pd

    try:
        from pandas._config.config import _deprecated_options, _registered_options
    except ImportError:   # pragma: no cover - pandas moved its registry: its options are not restored
        return {}
    values: dict[str, Any] = {}
    for key in _registered_options:
        if key in _deprecated_options:
            continue
        try:
            values[key] = pd.get_option(key)
        except Exception:  # noqa: BLE001, S112 - an option pandas cannot report is not restored
            continue
    return values


def fresh() -> None:
    """Make the kernel as :func:`remember` found it, for the next page (see the module doc).

    Raises
    ------
    KernelNotReusable
        The last page left a thread running.
    """
    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
    from IPython import get_ipython

    # daemon threads are the libraries' helpers that live as long as the process (zmq's garbage collector,
    # tqdm's monitor); a thread of the page's own (a timer, a job) is not one
    running = [t.name for t in threading.enumerate()
               if t.ident not in _SAVED.get("threads", set()) and t.is_alive() and not t.daemon]
    if "threads" in _SAVED and running:
        raise KernelNotReusable(f"the last page left threads running: {', '.join(running)}")
    plt.close("all")
    if "cwd" in _SAVED:
        os.chdir(_SAVED["cwd"])
        os.environ.clear()
        os.environ.update(_SAVED["environ"])
        sys.path[:] = _SAVED["path"]
    if "rc" in _SAVED:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # matplotlib warns on deprecated keys it holds itself
            matplotlib.rcParams.update(_SAVED["rc"])
    inline = _inline_backend() if "inline" in _SAVED else None
    if inline is not None:
        for name, value in _SAVED["inline"].items():
            if getattr(inline, name) != value:
                setattr(inline, name, _copy(value))   # figure_formats: its observer puts back the formatters
    if "filters" in _SAVED:
        warnings.resetwarnings()   # public, and it invalidates every module's record of warnings already shown
        warnings.filters[:] = _SAVED["filters"]
    if "numpy" in _SAVED:
        np.set_printoptions(**_SAVED["numpy"])
        np.seterr(**_SAVED["seterr"])
    for key, value in _SAVED.get("pandas", {}).items():
        try:
            if pd.get_option(key) != value:
                pd.set_option(key, value)
        except Exception:  # noqa: BLE001, S112 - an option pandas refuses to take back stays as it is
            continue
    if "log" in _SAVED:
        root = logging.getLogger()
        root.setLevel(_SAVED["log"][0])
        root.handlers[:] = _SAVED["log"][1]
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)
