"""``python -m helpers.governance``: the governance command (see :mod:`helpers.governance.cli`)."""

import sys

from helpers.governance.cli import main

if __name__ == "__main__":  # importing the module (doctest collection) runs nothing
    sys.exit(main())
