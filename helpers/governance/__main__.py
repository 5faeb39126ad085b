"""``python -m helpers.governance``: the governance command (see :mod:`helpers.governance.cli`)."""

import sys

from helpers.governance.cli import main

sys.exit(main())
