from tap_github_prs_webhooks.cli import main

raise SystemExit(main())
