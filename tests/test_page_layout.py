"""The report pages in a browser: wide tables fit a 1280 px window (headless Chromium; skipped without it).

The German win-back list on page 5 is the widest table of the sample (11 columns, long German headers
such as "Kündigungsgrund (eigene Worte)"). Each table must fit the width of its section, and the page
must not scroll sideways. Measured by the browser's own layout (element widths), not by pixels.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")]

#: appended to a page: once laid out, write every table's width and its section's inner width into the DOM
_MEASURE = """<script>
window.addEventListener('load', function () {
  var found = {page: document.documentElement.scrollWidth, window: window.innerWidth, tables: []};
  document.querySelectorAll('table.kit-table').forEach(function (t) {
    var section = t.closest('section'), style = getComputedStyle(section);
    var inner = section.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    var head = Array.prototype.map.call(t.querySelectorAll('th'), function (th) { return th.textContent; });
    found.tables.push({width: t.getBoundingClientRect().width, inner: inner, head: head});
  });
  var pre = document.createElement('pre'); pre.id = 'kit-layout'; pre.textContent = JSON.stringify(found);
  document.body.appendChild(pre);
});
</script>"""


def _layout(page: Path, tmp_path: Path, width: int = 1280) -> dict:
    copy = tmp_path / f"measured_{page.name}"
    copy.write_text(page.read_text(encoding="utf-8").replace("</head>", _MEASURE + "</head>", 1), encoding="utf-8")
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'chromium'}",
         f"--window-size={width},4000", "--virtual-time-budget=5000", "--dump-dom", copy.as_uri()],
        capture_output=True, text=True, timeout=120, check=True)
    found = re.search(r'<pre id="kit-layout">(.*?)</pre>', result.stdout, flags=re.DOTALL)
    assert found, result.stderr[-2000:]
    import html

    return json.loads(html.unescape(found.group(1)))


@pytest.fixture(scope="module")
def german_report(tmp_path_factory) -> Path:
    """The sample report in German (``business: language: de``), smoke size."""
    from kit.cli import main

    folder = tmp_path_factory.mktemp("german_sample")
    english = (ROOT / "data" / "analysis.yaml").read_text(encoding="utf-8")
    assert english.count("\n  language: en\n") == 1
    (folder / "analysis.yaml").write_text(english.replace("\n  language: en\n", "\n  language: de\n"),
                                          encoding="utf-8")
    (folder / "sample").symlink_to(ROOT / "data" / "sample", target_is_directory=True)  # paths are relative
    out = folder / "reports"
    assert main(["run", "--smoke", "--config", str(folder / "analysis.yaml"), "--out", str(out), "--jobs", "3"]) == 0
    return (out / "latest").resolve()


def test_german_win_back_table_fits_a_1280_px_window(german_report, tmp_path):
    found = _layout(german_report / "05_massnahmen.html", tmp_path)  # the German set (notebooks/de)
    winback = [t for t in found["tables"] if "Kündigungsgrund (eigene Worte)" in t["head"]]
    assert len(winback) == 1
    assert winback[0]["width"] <= winback[0]["inner"] + 0.5, winback[0]
    assert found["page"] <= found["window"], "the page scrolls sideways"


@pytest.mark.parametrize("page", ["02_daten", "03_kriterien", "04_interviews", "05_massnahmen"])
def test_every_table_of_the_german_pages_fits_its_section(german_report, tmp_path, page):
    found = _layout(german_report / f"{page}.html", tmp_path)
    assert found["tables"]
    too_wide = [(t["head"][:3], round(t["width"]), round(t["inner"])) for t in found["tables"]
                if t["width"] > t["inner"] + 0.5]
    assert not too_wide
    assert found["page"] <= found["window"]
