"""``python -m gwangju_twin`` runs the same command line as ``gwangju-twin``."""

from gwangju_twin.app.commands import main

raise SystemExit(main())
