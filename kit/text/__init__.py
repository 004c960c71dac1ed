"""Stage 3, the words: codebook, coding of free text, themes, interviews and quotes.

Owns: reading and checking a codebook (:mod:`~kit.text.codebook`), coding interviews, survey
comments and exit reasons against it (:mod:`~kit.text.coding`), theme frequencies, aspects and
contrasts (:mod:`~kit.text.themes`), interview notes (:mod:`~kit.text.interviews`) and quotes
scrubbed of personal data (:mod:`~kit.text.verbatims`).

May import :mod:`kit.data` and the shared vocabulary; never :mod:`kit.plan` or :mod:`kit.report`.
"""
