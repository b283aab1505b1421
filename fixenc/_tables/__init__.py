"""GENERATED tables for ``fixenc.lm``; do not edit, run ``python scripts/build_tables.py``.

Everything in this folder except this file is written by ``scripts/build_tables.py`` from
the train part of the clean corpora; ``PROVENANCE.txt`` records the sources and their
sha256.  The data files are read lazily with ``importlib.resources``, never at import.
"""
