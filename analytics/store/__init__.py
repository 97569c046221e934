"""The system of record: the schema, reading and parsing input, ingest, derivation, validation,
and the Parquet files with their one all-or-nothing commit."""
