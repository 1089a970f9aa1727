import pytest

from github_standin.models import format_datetime
from standin_helpers import UNKNOWN_TOKEN, graphql, post_json

PAGE = """
query Page($owner: String!, $name: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequests(first: 10, after: $after, orderBy: {field: CREATED_AT, direction: ASC}) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id number title updatedAt author { login __typename }
              commits(first: 5) { totalCount } reviews(first: 5) { totalCount } }
    }
  }
}
"""


@pytest.mark.fake_github(prs=25, repositories=["acme/widgets"], heavy_tails=False)
def test_pages_through_every_pull_request_in_order(fake_github):
    seen, after = [], None
    while True:
        result = graphql(fake_github, PAGE, {"owner": "acme", "name": "widgets", "after": after})
        assert result.status == 200
        connection = result.json()["data"]["repository"]["pullRequests"]
        assert connection["totalCount"] == 25
        seen += connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    expected = fake_github.dataset.repositories["acme/widgets"].pull_requests
    assert [n["number"] for n in seen] == [pr.number for pr in expected]
    first = expected[0]
    assert seen[0]["id"] == first.node_id
    assert seen[0]["updatedAt"] == format_datetime(first.updated_at)
    assert seen[0]["commits"]["totalCount"] == len(first.commits)
    assert seen[0]["reviews"]["totalCount"] == len(first.reviews)


def test_both_graphql_paths_answer(fake_github):
    for path in ("/graphql", "/api/graphql"):
        result = post_json(fake_github.url + path, {"query": "{ rateLimit { limit } }"})
        assert result.status == 200
        assert result.json()["data"]["rateLimit"]["limit"] == 5000


@pytest.mark.parametrize("token", [None, UNKNOWN_TOKEN])
def test_missing_or_unknown_token_gets_bad_credentials(fake_github, token):
    result = graphql(fake_github, "{ rateLimit { limit } }", token=token)
    assert result.status == 401
    assert result.json() == {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/graphql",
    }


def test_unknown_repository_gets_github_not_found_shape(fake_github):
    result = graphql(fake_github, '{ repository(owner: "nobody", name: "nothing") { id } }')
    assert result.status == 200
    body = result.json()
    assert body["data"] == {"repository": None}
    assert body["errors"] == [
        {
            "type": "NOT_FOUND",
            "path": ["repository"],
            "locations": [{"line": 1, "column": 3}],
            "message": "Could not resolve to a Repository with the name 'nobody/nothing'.",
        }
    ]


def test_invalid_query_is_rejected_with_200_and_errors(fake_github):
    result = graphql(fake_github, '{ repository(owner: "acme", name: "widgets") { nope } }')
    assert result.status == 200
    body = result.json()
    assert "data" not in body
    assert body["errors"][0]["message"] == "Field 'nope' doesn't exist on type 'Repository'"
    assert body["errors"][0]["extensions"]["code"] == "undefinedField"


def test_extra_routes_share_auth_faults_headers_and_accounting(fake_github):
    from github_standin import Response

    def pulls(request):
        fake_github.limiters["core"].try_charge(request.token_label, 1)
        repo = fake_github.dataset.repositories[f"{request.match['owner']}/{request.match['repo']}"]
        return Response(200, [{"number": pr.number} for pr in repo.pull_requests[:2]])

    fake_github.add_route("GET", r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/pulls", pulls)
    url = fake_github.url + "/repos/acme/widgets/pulls"
    ok = post_json(url, None, method="GET")
    assert ok.status == 200
    assert [p["number"] for p in ok.json()] == [
        pr.number for pr in fake_github.dataset.repositories["acme/widgets"].pull_requests[:2]
    ]
    assert ok.headers["x-ratelimit-resource"] == "core"
    assert ok.headers["x-ratelimit-used"] == "1"
    assert post_json(url, None, method="GET", token=None).status == 401
    fake_github.add_fault("secondary_429", retry_after=1)
    limited = post_json(url, None, method="GET")
    assert (limited.status, limited.headers["retry-after"]) == (429, "1")
    assert fake_github.stats()["by_kind"] == {"rest": 3}
