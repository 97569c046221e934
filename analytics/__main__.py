"""`python -m analytics` runs the CLI."""

from analytics.cli.app import main

if __name__ == "__main__":
    main()
