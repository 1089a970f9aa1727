"""`python -m tap_github_prs` runs the tap's CLI."""

from tap_github_prs.tap import TapGitHubPRs

TapGitHubPRs.cli()
