"""The data: reference facts, table schemas and rules, the synthetic sample and the DuckDB store.

Raw tables come in here and leave validated; nothing here computes an indicator."""
