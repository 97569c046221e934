"""A query's result written for people and tools: terminal tables, CSV, JSON, Markdown,
Parquet and Excel."""
