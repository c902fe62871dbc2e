"""``python -m virtnetlib`` runs the command line."""

import sys

from virtnetlib.cli import main

sys.exit(main())
