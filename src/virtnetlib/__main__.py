"""``python -m virtnetlib`` runs the command line."""

from virtnetlib.cli import run

run()
