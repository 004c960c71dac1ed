"""Inline figures are drawn once for their picture (kit.report.plots._inline).

Each check runs in a fresh interpreter: an IPython shell and its hooks are global to a process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("IPython")

_CELL = "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 3, 2])\nax.set_title('three points')"

_SCRIPT = f'''
import base64, hashlib, json
from IPython.core.interactiveshell import InteractiveShell
import IPython.core.display_functions as shown
from matplotlib.backends.backend_agg import FigureCanvasAgg

class Shell(InteractiveShell):
    def enable_gui(self, gui=None):   # a terminal-less shell: the inline backend needs no event loop
        pass

shell = Shell.instance()
shell.run_line_magic("matplotlib", "inline")
draws, pictures = [], []
real = FigureCanvasAgg.draw
FigureCanvasAgg.draw = lambda self, *a, **k: (draws.append(1), real(self, *a, **k))[1]
shown.publish_display_data = lambda data, metadata=None, **kw: pictures.append(data.get("image/png"))

def cell():
    draws.clear(); pictures.clear()
    assert shell.run_cell({_CELL!r}).success
    return len(draws), [hashlib.sha256(base64.b64decode(p) if isinstance(p, str) else p).hexdigest()
                        for p in pictures]

from kit.report.plots._inline import flush_before_redraw
before = cell()
changed, again = flush_before_redraw(), flush_before_redraw()
after = cell()
hooks = [getattr(h, "__name__", "") for h in shell.events.callbacks["post_execute"]]
print(json.dumps({{"before": before, "after": after, "changed": changed, "again": again, "hooks": hooks}}))
'''


def test_matplotlibs_redraw_runs_after_the_inline_flush_and_the_picture_is_the_same():
    out = json.loads(subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                                    check=True).stdout.strip().splitlines()[-1])
    (draws_before, pictures_before), (draws_after, pictures_after) = out["before"], out["after"]
    assert out["changed"] is True and out["again"] is False     # moved once; then already in order
    assert draws_after == draws_before - 1                       # the draw nobody saw is gone
    assert len(pictures_after) == 1 and pictures_after == pictures_before   # the same PNG, byte for byte
    hooks = out["hooks"]
    assert hooks.index("flush_figures") < hooks.index("_draw_all_if_interactive")   # still registered, behind


def test_outside_ipython_nothing_happens():
    code = ("import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot\n"
            "from kit.report.plots._inline import flush_before_redraw\nprint(flush_before_redraw())")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"
