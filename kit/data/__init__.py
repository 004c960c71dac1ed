"""Stage 1, the data: configuration, data contract, reading, conversion and validation.

Owns: ``analysis.yaml`` as a typed object (:mod:`~kit.data.config`), the tables and their columns
(:mod:`~kit.data.contract`), reading CSV / Excel / Parquet into raw text tables
(:mod:`~kit.data.rawtables`), converting them to typed columns (:mod:`~kit.data.convert`), the
pandera checks and the data-quality report (:mod:`~kit.data.schema`, :mod:`~kit.data.check_texts`),
the one entry point :func:`~kit.data.io.read_data`, reporting periods (:mod:`~kit.data.periods`) and
pseudonymisation and scrubbing of personal data (:mod:`~kit.data.privacy`).

May import only the shared vocabulary (:mod:`kit.errors`, :mod:`kit.definitions`, :mod:`kit.labels`,
:mod:`kit.results`). Every later stage may import it.
"""
