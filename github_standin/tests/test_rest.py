import re
import urllib.request

import pytest

from github_standin.models import format_datetime
from standin_helpers import TOKEN, post_json

ONE_REPO = {"prs": 45, "repositories": ["acme/widgets"], "heavy_tails": False}


def get(server, path, token=TOKEN):
    return post_json(server.url + path, None, token=token, method="GET")


def links(response) -> dict[str, str]:
    header = response.headers.get("link", "")
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', header)}


@pytest.mark.fake_github(**ONE_REPO)
def test_pulls_pages_follow_link_headers_through_every_pr_newest_update_first(fake_github):
    path = "/repos/acme/widgets/pulls?state=all&sort=updated&direction=desc&per_page=20"
    seen, pages = [], 0
    while path:
        response = get(fake_github, path)
        assert response.status == 200
        pages += 1
        seen += response.json()
        rels = links(response)
        if pages == 1:
            assert rels["last"].endswith("page=3")
            assert "prev" not in rels
        path = rels.get("next", "").removeprefix(fake_github.url)
    assert pages == 3
    assert "next" not in rels and rels["prev"].endswith("page=2")
    expected = sorted(
        fake_github.dataset.repositories["acme/widgets"].pull_requests,
        key=lambda pr: (pr.updated_at, pr.number),
        reverse=True,
    )
    assert [pr["number"] for pr in seen] == [pr.number for pr in expected]
    assert fake_github.stats()["operations"]["pulls.list"]["requests"] == 3


@pytest.mark.fake_github(**ONE_REPO)
def test_pull_shape_matches_the_dataset(fake_github):
    pr = fake_github.dataset.repositories["acme/widgets"].pull_requests[0]
    [first] = [
        p
        for p in get(fake_github, "/repos/acme/widgets/pulls?state=all&per_page=100").json()
        if p["number"] == pr.number
    ]
    assert (first["id"], first["node_id"], first["title"]) == (
        pr.full_database_id,
        pr.node_id,
        pr.title,
    )
    assert first["state"] == ("open" if pr.state == "OPEN" else "closed")
    assert first["updated_at"] == format_datetime(pr.updated_at)
    assert first["head"]["ref"] == pr.head_ref_name
    assert first["base"]["repo"]["name"] == "widgets"
    assert first["base"]["user"]["login"] == "acme"
    assert [label["name"] for label in first["labels"]] == [label.name for label in pr.labels]


@pytest.mark.fake_github(**ONE_REPO)
def test_reviews_and_commits_count_equal_the_dataset(fake_github):
    repository = fake_github.dataset.repositories["acme/widgets"]
    for pr in repository.pull_requests[:5]:
        reviews = get(fake_github, f"/repos/acme/widgets/pulls/{pr.number}/reviews?per_page=100")
        commits = get(fake_github, f"/repos/acme/widgets/pulls/{pr.number}/commits?per_page=100")
        assert [r["id"] for r in reviews.json()] == [r.database_id for r in pr.reviews]
        assert [c["sha"] for c in commits.json()] == [c.oid for c in pr.commits][:100]
    assert get(fake_github, "/repos/acme/widgets/pulls/99999/reviews").status == 404
    assert get(fake_github, "/repos/acme/nope/pulls").status == 404


@pytest.mark.fake_github(**ONE_REPO)
def test_each_request_spends_one_core_point_and_anonymous_is_refused_by_default(fake_github):
    get(fake_github, "/repos/acme/widgets")
    response = get(fake_github, "/repos/acme/widgets/pulls")
    assert response.headers["x-ratelimit-resource"] == "core"
    assert response.headers["x-ratelimit-used"] == "2"
    quota = get(fake_github, "/rate_limit").json()["resources"]["core"]
    assert quota["used"] == 2  # /rate_limit itself is free
    assert get(fake_github, "/repos/acme/widgets", token=None).status == 401
    assert fake_github.stats()["by_kind"] == {"rest": 4}


@pytest.mark.fake_github(**ONE_REPO, allow_anonymous=True, rate_limit=2)
def test_anonymous_requests_get_their_own_quota_then_403(fake_github):
    assert get(fake_github, "/repos/acme/widgets", token=None).status == 200
    assert get(fake_github, "/repos/acme/widgets", token=None).status == 200
    over = get(fake_github, "/repos/acme/widgets", token=None)
    assert over.status == 403
    assert "rate limit" in over.json()["message"]
    assert get(fake_github, "/repos/acme/widgets").status == 200  # a token's quota is apart
    assert fake_github.stats()["tokens"]["anonymous"]["requests"] == 3


@pytest.mark.fake_github(**ONE_REPO)
def test_latency_fault_applies_to_rest_too(fake_github):
    fake_github.add_fault("latency", seconds=0.01)
    assert get(fake_github, "/repos/acme/widgets/pulls").status == 200
    assert fake_github.stats()["faults"] == {"latency": 1}


@pytest.mark.fake_github(**ONE_REPO)
def test_pull_diff_has_one_section_per_changed_file(fake_github):
    pr = fake_github.dataset.repositories["acme/widgets"].pull_requests[0]
    request = urllib.request.Request(  # noqa: S310 - the local stand-in
        f"{fake_github.url}/repos/acme/widgets/pulls/{pr.number}",
        headers={
            "Accept": "application/vnd.github.v3.diff",
            "Authorization": f"bearer {TOKEN}",
        },
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        diff = response.read().decode()
    assert diff.count("diff --git ") == len(pr.files)
    assert diff.count("\n+new") == sum(changed.additions for changed in pr.files)
