"""The analysis language: DuckDB sessions over the Parquet files, the one sandbox every
statement passes, the named queries and the SQL rules of views.sql."""
