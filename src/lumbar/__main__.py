"""`python -m lumbar` runs the CLI."""

from lumbar.cli import main

main()
