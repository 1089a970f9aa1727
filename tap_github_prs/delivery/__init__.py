"""Delivery streams: deployments (with their statuses), releases and incident issues.

One repository at a time, page by page, with the PR stream's client (retries, token rotation,
shrinking on timeouts) and its rule of saving state after every page. `walker.py` holds the two
walks (newest first with a lookback window, for connections that have no `since` filter; and
oldest update first from a bookmark, for issues), `records.py` the mapping to the contracts in
docs/contracts.md, `schemas.py` their JSON schemas, `settings.py` the settings they read, and
`stream_base.py` the singer-sdk stream that drives a walk.
"""
