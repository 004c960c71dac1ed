"""The shared plot helpers: language tables and column checks."""

from __future__ import annotations

import pandas as pd
import pytest

from kit.errors import DataError
from kit.report.plots._style import require_columns, texts


def test_texts_lists_supported_languages():
    table = {"en": {"t": "Drivers"}, "de": {"t": "Treiber"}}
    assert texts(table, "en")["t"] == "Drivers"
    with pytest.raises(ValueError, match=r"lang 'fr' is not supported; choose one of \['de', 'en'\]"):
        texts(table, "fr")


def test_require_columns_names_the_frame_the_columns_and_the_source():
    with pytest.raises(DataError, match=r"driver summary: column\(s\) ci_low missing\. Expected driver, ci_low; "
                                        r"pass the frame kit.models.drivers.KeyDrivers.summary returns\."):
        require_columns(pd.DataFrame({"driver": ["a"]}), ("driver", "ci_low"), "driver summary",
                        source="kit.models.drivers.KeyDrivers.summary")


def test_plots_refuse_a_frame_without_their_columns():
    from kit.report.plots.clv import plot_p_alive
    from kit.report.plots.drivers import plot_driver_importance

    with pytest.raises(DataError, match="customer value: column"):
        plot_p_alive(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(DataError, match="driver summary: column"):
        plot_driver_importance(pd.DataFrame({"x": [1.0]}))
