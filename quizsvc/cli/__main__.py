"""`python -m quizsvc.cli`: the `quizsvc` console script."""

from quizsvc.cli import main

main()
