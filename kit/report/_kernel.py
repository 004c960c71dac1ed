"""A run's kernel serves one page after another: between two pages it is made as it was when it started.

:func:`remember` runs once, after the kernel's warm-up imports (``kit.report.execute._KernelPool``); :func:`fresh`
runs before each further page. It closes every figure, puts back the settings of matplotlib, pandas and NumPy's
printing and the warning filters (and forgets which warnings were shown, so a page shows its warnings as in a
kernel of its own) and empties the user namespace, with the execution count back at 1 (IPython's
``reset(new_session=True)``). What stays is what a kernel of its own would import again: the modules, already
loaded, and the kit's caches of read-only data.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

__all__ = ["remember", "fresh"]

_SAVED: dict[str, Any] = {}


def remember() -> None:
    """Keep the kernel's settings as they are now (after its warm-up imports)."""
    import matplotlib
    import numpy as np

    _SAVED["rc"] = matplotlib.rcParams.copy()
    _SAVED["filters"] = list(warnings.filters)
    _SAVED["numpy"] = np.get_printoptions()
    options = _pandas_options()
    if options is not None:
        _SAVED["pandas"] = copy.deepcopy(options)


def _pandas_options() -> dict[str, Any] | None:
    """pandas' option values (``pd.options``; private storage: None when this pandas keeps them elsewhere)."""
    try:
        from pandas._config import config
    except ImportError:   # pragma: no cover - pandas moved its options
        return None
    options = getattr(config, "_global_config", None)
    return options if isinstance(options, dict) else None


def fresh() -> None:
    """Make the kernel as :func:`remember` found it, for the next page (see the module doc)."""
    import matplotlib
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    plt.close("all")
    if "rc" in _SAVED:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # matplotlib warns on deprecated keys it holds itself
            matplotlib.rcParams.update(_SAVED["rc"])
    warnings.resetwarnings()   # public, and it invalidates every module's record of warnings already shown
    warnings.filters[:] = _SAVED.get("filters", [])
    if "numpy" in _SAVED:
        import numpy as np

        np.set_printoptions(**_SAVED["numpy"])
    options = _pandas_options()
    if options is not None and "pandas" in _SAVED:
        options.clear()
        options.update(copy.deepcopy(_SAVED["pandas"]))
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)
