"""Embedded DuckDB results store: experiments, outcomes, provenance and a chunk ledger for resume."""

from brinkmanship.store.results import FORMAT, SCHEMA_VERSION, ResultsStore, open_store

__all__ = ["FORMAT", "SCHEMA_VERSION", "ResultsStore", "open_store"]
