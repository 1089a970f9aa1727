"""GitHub's server time, modelled: heavy pages time out after the budget and are charged.

Every server here runs the model at a tiny time scale, so no test waits for long; the tests
assert on status, body, charged cost and the modelled seconds in /_stats, never on wall time.
"""

import pytest
from graphql import parse

from github_standin import FakeGitHub
from github_standin.cli import build_parser, server_from_args
from github_standin.generator import generate_dataset
from github_standin.graphql_endpoint import GATEWAY_TIMEOUT_MESSAGE
from github_standin.heavy import make_heavy
from github_standin.schema_loader import load_schema
from github_standin.server_time import GITHUB_BUDGET_SECONDS, ServerTimeModel
from standin_helpers import TOKEN_2, graphql

SCALE = 0.001  # a 10 s budget is 10 ms of wall time

# A page of PRs as a sync asks for it: the nested connections that make GitHub time out.
PAGE = """query Page($owner: String!, $name: String!, $size: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequests(first: $size, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number title additions deletions changedFiles
        author { __typename login }
        labels(first: 20) { nodes { name } }
        reviews(first: 100) { nodes { state author { login } } }
        commits(first: 100) { nodes { commit {
          oid message additions deletions changedFilesIfAvailable
          author { name email user { login } } committer { name email user { login } } } } }
        files(first: 100) { nodes { path additions deletions changeType } }
        headCommit: commits(last: 1) { nodes { commit {
          checkSuites(first: 5) { nodes { app { slug }
            checkRuns(first: 100) { nodes { name status conclusion } } } } } } }
      }
    }
  }
  rateLimit { cost }
}"""


def page(server, size, owner="acme", name="widgets", after=None):
    variables = {"owner": owner, "name": name, "size": size, "after": after}
    return graphql(server, PAGE, variables)


def last_server_time(server):
    return server.stats()["server_time"]["requests"][-1]


@pytest.fixture(scope="module")
def heavy_server():
    """60 PRs, each with more than 100 commits and 100 files; stats reset by each test."""
    with FakeGitHub(
        seed=1,
        prs=60,
        repositories=["acme/widgets"],
        heavy_share=1.0,
        time_model=True,
        time_scale=SCALE,
    ) as server:
        yield server


@pytest.fixture
def heavy(heavy_server):
    heavy_server.reset_stats()
    return heavy_server


@pytest.fixture(scope="module")
def default_dataset_server():
    """The CLI's default dataset (seed 42, 2,000 PRs), time model on."""
    with FakeGitHub(seed=42, prs=2000, time_model=True, time_scale=SCALE) as server:
        yield server


@pytest.mark.slow  # builds the 2,000-PR default dataset
def test_pages_of_60_typical_prs_fit_in_the_budget(default_dataset_server):
    server = default_dataset_server
    owner, name = next(iter(server.dataset.repositories)).split("/")
    modelled, after = [], None
    while True:
        result = page(server, 60, owner, name, after)
        assert result.status == 200, result.body[:200]
        modelled.append(last_server_time(server)["modelled"])
        info = result.json()["data"]["repository"]["pullRequests"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert len(modelled) >= 4
    full_pages = modelled[:-1]
    # A few seconds each, as on GitHub: well inside the budget, far above an empty query.
    assert all(2.0 < seconds < 0.6 * GITHUB_BUDGET_SECONDS for seconds in full_pages), modelled
    assert server.stats()["server_time"]["timeouts"] == 0


def test_a_page_of_60_heavy_prs_times_out_with_githubs_502_and_is_charged(heavy):
    server = heavy
    prs = server.dataset.repositories["acme/widgets"].pull_requests
    assert all(len(pr.commits) > 100 and len(pr.files) > 100 for pr in prs)
    cost = graphql(
        server,
        PAGE.replace("rateLimit {", "rateLimit(dryRun: true) {"),
        {"owner": "acme", "name": "widgets", "size": 60},
    ).json()["data"]["rateLimit"]["cost"]

    result = page(server, 60)

    assert result.status == 502
    body = result.json()
    assert body["data"] is None
    message = body["errors"][0]["message"]
    assert message.startswith(
        "Something went wrong while executing your query. This may be the result of a timeout, "
        "or it could be a GitHub bug."
    )
    assert result.headers["x-github-request-id"] in message
    stats = server.stats()
    assert stats["cost"] == cost  # charged, although nothing came back
    assert int(result.headers["x-ratelimit-used"]) == cost
    timing = last_server_time(server)
    assert timing["timed_out"] is True
    assert timing["seconds"] == GITHUB_BUDGET_SECONDS  # answered when the budget ran out
    assert timing["modelled"] > 3 * GITHUB_BUDGET_SECONDS
    assert timing["objects"]["PullRequestChangedFile"] == 6000
    assert timing["objects"]["Commit"] >= 6000
    assert stats["server_time"]["timeouts"] == 1


def test_the_same_heavy_prs_fit_in_smaller_pages(heavy):
    server = heavy
    result = page(server, 12)
    assert result.status == 200
    assert len(result.json()["data"]["repository"]["pullRequests"]["nodes"]) == 12
    timing = last_server_time(server)
    assert 0.5 * GITHUB_BUDGET_SECONDS < timing["modelled"] < GITHUB_BUDGET_SECONDS
    assert timing["timed_out"] is False


def test_a_timeout_can_be_githubs_504(fake_github_factory, heavy):
    server = fake_github_factory(
        dataset=heavy.dataset, time_model=True, time_scale=SCALE, timeout_status=504
    )
    result = page(server, 30)
    assert result.status == 504
    assert result.json() == {"message": GATEWAY_TIMEOUT_MESSAGE}
    assert server.stats()["cost"] > 0


def test_a_smaller_budget_times_out_sooner(fake_github_factory):
    server = fake_github_factory(
        prs=20, repositories=["acme/widgets"], time_model=True, time_scale=SCALE, time_budget=0.2
    )
    assert page(server, 20).status == 502
    assert graphql(server, "{ viewer { login } }").status == 200  # 0.1 s: the base time


def test_the_model_is_off_by_default(fake_github):
    assert graphql(fake_github, "{ viewer { login } }").status == 200
    assert fake_github.stats()["server_time"] == {
        "seconds": 0,
        "timeouts": 0,
        "tokens": {},
        "requests": [],
    }


def test_dry_runs_and_early_answers_take_no_modelled_time(fake_github_factory):
    server = fake_github_factory(prs=5, time_model=True, time_scale=SCALE)
    assert graphql(server, "{ rateLimit(dryRun: true) { cost } }").status == 200
    assert graphql(server, "{ nope }").status == 200
    assert server.stats()["server_time"]["requests"] == []


def _measure(query, data):
    return ServerTimeModel().measure(load_schema(), parse(query), None, data)


def test_weights_by_kind_and_diff_stats_only_when_asked_for():
    labels = _measure(
        '{ repository(owner: "a", name: "b") { labels(first: 3) { nodes { name } } } }',
        {"repository": {"labels": {"nodes": [{"name": "x"}] * 3}}},
    )
    assert labels.objects == {"Repository": 1, "Label": 3}
    assert labels.seconds == pytest.approx(0.1 + 0.002 + 3 * 0.0002)

    def commit(fields):
        query = (
            '{ repository(owner: "a", name: "b") { pullRequest(number: 1) { '
            f"commits(first: 1) {{ nodes {{ commit {{ {fields} }} }} }} }} }} }}"
        )
        data = {"oid": "1", "additions": 1}
        node = {"commit": {k: data[k] for k in fields.split()}}
        data = {"repository": {"pullRequest": {"commits": {"nodes": [node]}}}}
        return _measure(query, data).seconds

    assert commit("oid additions") - commit("oid") == pytest.approx(0.0025)
    assert commit("oid") - labels.seconds > 0  # a PR and a commit outweigh three labels


def test_union_members_are_weighed_by_their_own_type():
    query = """{ search(query: "is:pr", type: ISSUE, first: 2) { nodes {
        ... on PullRequest { number } ... on Issue { title } } } }"""
    work = _measure(query, {"search": {"nodes": [{"number": 1}, {"title": "t"}]}})
    assert work.objects == {"PullRequest": 1, "Issue": 1}


def test_cpu_seconds_per_minute_secondary_limit(fake_github_factory):
    # A small budget makes every page time out: each spends exactly the budget, 0.2 s.
    server = fake_github_factory(
        prs=20,
        repositories=["acme/widgets"],
        time_model=True,
        time_scale=SCALE,
        time_budget=0.2,
        secondary_cpu_per_minute=0.4,
    )
    wall = [1000.0]
    server.secondary.wall_clock = lambda: wall[0]
    assert server.secondary.cpu_window == pytest.approx(60 * SCALE)
    assert [page(server, 20).status for _ in range(2)] == [502, 502]
    limited = page(server, 20)
    assert limited.status == 403
    assert "secondary rate limit" in limited.json()["message"]
    assert int(limited.headers["retry-after"]) >= 1
    assert server.stats()["secondary_limited"] == 1
    assert server.stats()["server_time"]["tokens"] == {"token-1": pytest.approx(0.4)}
    assert graphql(server, "{ viewer { login } }", token=TOKEN_2).status == 200
    wall[0] += 60 * SCALE  # a modelled minute later
    assert graphql(server, "{ viewer { login } }").status == 200


def test_heavy_share_is_reproducible_and_proportional():
    first = generate_dataset(seed=3, prs=40, repositories=["acme/widgets"], heavy_tails=False)
    second = generate_dataset(seed=3, prs=40, repositories=["acme/widgets"], heavy_tails=False)
    made = make_heavy(first, 0.5)
    again = make_heavy(second, 0.5)
    assert [(pr.repository, pr.number) for pr in made] == [
        (pr.repository, pr.number) for pr in again
    ]
    assert 8 < len(made) < 32
    heavy = {(pr.repository, pr.number) for pr in made}
    for pr in first.all_pull_requests():
        assert (len(pr.commits) > 100) == ((pr.repository, pr.number) in heavy)


def test_cli_flags_switch_the_model_on():
    args = build_parser().parse_args(
        [
            "--prs",
            "3",
            "--time-model",
            "--time-scale",
            "0.01",
            "--time-budget",
            "5",
            "--timeout-status",
            "504",
            "--secondary-cpu-per-minute",
            "60",
            "--heavy-share",
            "1",
        ]
    )
    server = server_from_args(args)
    assert server.time_model == ServerTimeModel(time_scale=0.01, budget=5, timeout_status=504)
    assert server.secondary.cpu_per_minute == 60
    assert server.secondary.cpu_window == pytest.approx(0.6)
    assert all(len(pr.files) > 100 for pr in server.dataset.all_pull_requests())
    assert server_from_args(build_parser().parse_args(["--prs", "10"])).time_model is None
