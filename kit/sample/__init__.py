"""The bundled sample business "Bohnenpost" and large generated data sets for benchmarks.

Owns: the deterministic simulation with planted, documented effects (``data/sample/README.md``) and
writing it as the shop, survey tool and helpdesk would export it. Imports :mod:`kit.data` (to load
what it wrote) and the shared vocabulary; nothing in :mod:`kit.metrics`, :mod:`kit.models`,
:mod:`kit.text`, :mod:`kit.plan` or :mod:`kit.report` imports it.

- :mod:`kit.sample.generate`: the public functions (``load_sample``, ``generate_sample``, ``write_sample``);
- ``_business`` (the business's constants), ``_text`` (comments and interview notes), ``_frames`` and
  ``_sim`` (the simulation), ``_write`` (CSV and chunked Parquet writers).
"""

from __future__ import annotations

from kit.sample.generate import SAMPLE_END, SAMPLE_START, generate_sample, load_sample, sample_config_path, write_sample

__all__ = ["sample_config_path", "load_sample", "generate_sample", "write_sample", "SAMPLE_START", "SAMPLE_END"]
