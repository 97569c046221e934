"""The `analytics` command line: thin Typer commands over the library; the only stdout writer."""
