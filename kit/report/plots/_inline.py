"""Figures shown inline in a notebook are drawn once for their picture, not once more before it.

After every cell IPython runs two hooks of ``post_execute`` in the order they were registered: matplotlib's
``_draw_all_if_interactive`` (registered when the backend is chosen) draws every figure changed by the cell, then
the inline backend's ``flush_figures`` renders each figure to PNG (which draws it again) and closes it. With the
inline backend the first draw paints pixels nobody sees: about a third of the time of a cell that plots.
:func:`flush_before_redraw` moves matplotlib's hook behind ``flush_figures``: the figures are closed when it runs,
so it draws nothing, and with any other backend (where ``flush_figures`` is not registered) nothing changes.
"""

from __future__ import annotations

import sys

__all__ = ["flush_before_redraw"]


def flush_before_redraw() -> bool:
    """In an IPython shell whose ``post_execute`` runs matplotlib's redraw before the inline backend's
    ``flush_figures``, run it after instead; True when the order was changed. Outside IPython, without
    matplotlib's pyplot or the inline backend, or when the order is already so: nothing happens (False).
    Each figure's picture is the same: ``flush_figures`` draws the figure itself before rendering it."""
    ipython, pyplot = sys.modules.get("IPython"), sys.modules.get("matplotlib.pyplot")
    if ipython is None or pyplot is None:
        return False
    shell = ipython.get_ipython()
    redraw = getattr(pyplot, "_draw_all_if_interactive", None)   # private to matplotlib: absent, nothing to do
    if shell is None or redraw is None:
        return False
    hooks = shell.events.callbacks.get("post_execute", [])
    flush = [i for i, hook in enumerate(hooks) if getattr(hook, "__name__", "") == "flush_figures"
             and getattr(hook, "__module__", "").startswith("matplotlib_inline")]
    if redraw not in hooks or not flush or hooks.index(redraw) > flush[-1]:
        return False
    shell.events.unregister("post_execute", redraw)
    shell.events.register("post_execute", redraw)
    return True
