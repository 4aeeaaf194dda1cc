"""`python -m analysis`: the command line (`analysis.cli`)."""

from .cli import cli

if __name__ == "__main__":
    cli()
