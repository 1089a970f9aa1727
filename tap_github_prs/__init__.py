"""tap-github-prs: GitHub pull requests via nested GraphQL pages."""
