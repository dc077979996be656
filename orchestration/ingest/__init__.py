"""Ingest: one asset per seed file, reading CSV with DuckDB and writing per-unit Parquet."""
