"""`/_stats` counts requests per repository: each root `repository(owner:, name:)` a request
names (through aliases, fragments and variables) counts once for that request."""

from __future__ import annotations

from github_standin import FakeGitHub
from standin_helpers import post_json

QUERY = """
query Two($owner: String!, $name: String!) {
  first: repository(owner: $owner, name: $name) { id }
  again: repository(owner: $owner, name: $name) { name }
  ...Other
}
fragment Other on Query { repository(owner: "acme", name: "gadgets") { id } }
"""


def test_requests_are_counted_per_repository_named_at_the_root():
    with FakeGitHub(seed=3, prs=2, repositories=["acme/widgets", "acme/gadgets"]) as github:
        variables = {"owner": "acme", "name": "widgets"}
        for _ in range(2):
            answer = post_json(github.graphql_url, {"query": QUERY, "variables": variables})
            assert answer.status == 200 and "errors" not in answer.json()
        single = '{ repository(owner: "acme", name: "gadgets") { id } }'
        post_json(github.graphql_url, {"query": single})

        assert github.stats()["repositories"] == {"acme/widgets": 2, "acme/gadgets": 3}
        github.reset_stats()
        assert github.stats()["repositories"] == {}
