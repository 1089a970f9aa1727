"""One self-contained HTML report of the tap-github-prs marts (`tap-github-prs-report`)."""
