"""Data from the reporting units: Excel templates, reading and checking workbooks, loading them
into the store (or rejecting them, leaving it as it was)."""
