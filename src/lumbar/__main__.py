"""`python -m lumbar` runs the CLI."""

from lumbar.entry import main

main()
