"""The nhanluc Dagster code location."""
