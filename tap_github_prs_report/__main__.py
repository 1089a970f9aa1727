"""`python -m tap_github_prs_report`: the same as `tap-github-prs-report`."""

import sys

from tap_github_prs_report.cli import main

sys.exit(main())
