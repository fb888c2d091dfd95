"""``python -m analysis VERB ...``: see ``analysis.cli.main``."""

from analysis.cli.main import main

raise SystemExit(main())
