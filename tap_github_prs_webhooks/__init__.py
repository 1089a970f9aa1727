"""`tap-github-prs-webhooks`: GitHub webhooks in, a durable queue of changed repositories out.

The receiver verifies each delivery and records its repository in the warehouse
(`tap_github_prs_webhooks.queue`); `tap-github-prs-webhooks sync` then runs the pipeline for the
queued repositories only. The scheduled full run stays the safety net: GitHub does not retry a
failed delivery.
"""
