"""Figures with one consistent look: ``plot_*(data, *, ax=None) -> Axes``.

One module per area (``survey``, ``service``, ``behaviour``, ``clv``, ``interviews``, ``drivers``,
``actions``); the shared look lives in :mod:`kit.report.plots._style`. Every plot function is also
exported from ``kit`` directly.
"""

__all__: list[str] = []
