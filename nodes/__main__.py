"""``python -m nodes``: the same as the ``splitbrain-server`` command."""

import sys

from nodes.cli import main

sys.exit(main())
