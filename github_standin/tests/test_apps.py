"""GitHub Apps on the stand-in: the JWT checks, the token exchange, installation quotas and expiry.

The rules are GitHub's (see github_standin/apps.py for the documents they come from).
"""

from __future__ import annotations

import jwt
import pytest

from github_standin.apps import (
    JWT_EXPIRED,
    JWT_IAT_FUTURE,
    JWT_TOO_LONG,
    JWT_UNDECODABLE,
    Installation,
    generate_key_pair,
)
from github_standin.models import parse_datetime
from standin_helpers import graphql, post_json

APP_ID = 4242
RATE_LIMIT_QUERY = "query { rateLimit { limit remaining used } }"


class ManualClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def signed_jwt(
    private_key: str, now: float, *, iat: float = -60, exp: float = 540, iss=str(APP_ID)
):
    claims = {"iat": int(now + iat), "exp": int(now + exp), "iss": iss}
    return jwt.encode(claims, private_key, algorithm="RS256")


def as_app(server, path: str, token: str, method: str = "POST"):
    return post_json(
        server.url + path, {} if method == "POST" else None, token=token, method=method
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def server(fake_github_factory, clock):
    github = fake_github_factory(
        prs=10, repositories=["acme/widgets", "acme/gadgets", "other/tool"], app_clock=clock
    )
    github.add_app(APP_ID)
    return github


def test_a_signed_jwt_buys_an_installation_token_that_reads_graphql_with_its_own_quota(
    server, clock
):
    app = server.apps.apps[APP_ID]
    token_jwt = signed_jwt(app.private_key, clock.now)
    listed = as_app(server, "/app/installations", token_jwt, method="GET")
    assert listed.status == 200
    ids = [i["id"] for i in listed.json()]
    assert ids == [APP_ID * 1000 + 1, APP_ID * 1000 + 2]  # one per owner: acme, other
    assert [i["account"]["login"] for i in listed.json()] == ["acme", "other"]

    answer = as_app(server, f"/app/installations/{ids[0]}/access_tokens", token_jwt)
    assert answer.status == 201
    token = answer.json()["token"]
    assert token.startswith("ghs_") and len(token) == 40
    expires = parse_datetime(answer.json()["expires_at"]).timestamp()
    assert expires == int(clock.now + 3600)  # GitHub: 1 hour

    first = graphql(server, RATE_LIMIT_QUERY, token=token)
    assert first.status == 200
    assert first.headers["x-ratelimit-limit"] == "5000"  # 2 repositories: the minimum
    # A second token of the same installation spends the same quota.
    second_token = as_app(server, f"/app/installations/{ids[0]}/access_tokens", token_jwt)
    second = graphql(server, RATE_LIMIT_QUERY, token=second_token.json()["token"])
    assert int(second.headers["x-ratelimit-used"]) == int(first.headers["x-ratelimit-used"]) + 1
    # ...and not the personal tokens' quota.
    assert server.rate_limit(server.tokens[0])["used"] == 0
    stats = server.stats()
    assert stats["tokens"][f"installation-{ids[0]}"]["requests"] == 2
    assert stats["operations"]["apps.createInstallationAccessToken"]["requests"] == 2
    assert not any(key.startswith("ghs_") for key in stats["tokens"])


def test_github_enterprise_server_serves_the_exchange_under_api_v3(server, clock):
    app = server.apps.apps[APP_ID]
    token_jwt = signed_jwt(app.private_key, clock.now)
    answer = as_app(
        server, f"/api/v3/app/installations/{APP_ID * 1000 + 2}/access_tokens", token_jwt
    )
    assert answer.status == 201
    assert as_app(server, "/api/v3/app/installations", token_jwt, method="GET").status == 200


def test_an_installation_token_expires_after_its_ttl_with_bad_credentials(server, clock):
    app = server.apps.apps[APP_ID]
    answer = as_app(
        server,
        f"/app/installations/{APP_ID * 1000 + 1}/access_tokens",
        signed_jwt(app.private_key, clock.now),
    )
    token = answer.json()["token"]
    clock.now += 3599
    assert graphql(server, RATE_LIMIT_QUERY, token=token).status == 200
    clock.now += 1
    expired = graphql(server, RATE_LIMIT_QUERY, token=token)
    assert expired.status == 401
    assert expired.json()["message"] == "Bad credentials"


def test_expire_tokens_ends_every_live_installation_token_now(server, clock):
    app = server.apps.apps[APP_ID]
    url = f"/app/installations/{APP_ID * 1000 + 1}/access_tokens"
    token = as_app(server, url, signed_jwt(app.private_key, clock.now)).json()["token"]
    assert server.apps.expire_tokens() == 1
    assert graphql(server, RATE_LIMIT_QUERY, token=token).status == 401


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"exp": 601}, JWT_TOO_LONG),  # GitHub: at most 10 minutes into the future
        ({"iat": -700, "exp": -1}, JWT_EXPIRED),
        ({"iat": 30}, JWT_IAT_FUTURE),  # why GitHub says to backdate iat by 60 s
        ({"iss": "999"}, JWT_UNDECODABLE),  # no such App: no key to check the signature with
        ({"iss": "not-a-number"}, JWT_UNDECODABLE),
    ],
)
def test_jwt_claims_are_checked_like_github(server, clock, claims, message):
    app = server.apps.apps[APP_ID]
    answer = as_app(
        server,
        f"/app/installations/{APP_ID * 1000 + 1}/access_tokens",
        signed_jwt(app.private_key, clock.now, **claims),
    )
    assert answer.status == 401
    assert answer.json()["message"] == message


def test_a_jwt_signed_by_another_key_or_not_a_jwt_is_refused(server, clock):
    other_private, _ = generate_key_pair()
    url = f"/app/installations/{APP_ID * 1000 + 1}/access_tokens"
    for token in (signed_jwt(other_private, clock.now), "not-a-jwt", server.tokens[0]):
        answer = as_app(server, url, token)
        assert answer.status == 401
        assert answer.json()["message"] == JWT_UNDECODABLE
    assert as_app(server, url, None).status == 401
    assert server.apps.issued == 0


def test_an_app_given_only_its_public_key_checks_signatures_with_it(fake_github_factory, clock):
    private, public = generate_key_pair()
    github = fake_github_factory(prs=5, repositories=["acme/widgets"], app_clock=clock)
    app = github.add_app(7, public_key=public, installations={70: ["acme/widgets"]})
    assert app.private_key is None
    good = as_app(
        github, "/app/installations/70/access_tokens", signed_jwt(private, clock.now, iss="7")
    )
    assert good.status == 201
    unknown = as_app(
        github, "/app/installations/71/access_tokens", signed_jwt(private, clock.now, iss="7")
    )
    assert unknown.status == 404


@pytest.mark.parametrize(
    ("repositories", "users", "limit"),
    [(1, 0, 5_000), (20, 20, 5_000), (30, 0, 5_500), (30, 25, 5_750), (500, 0, 12_500)],
)
def test_installation_quota_is_5000_plus_50_per_repository_and_user_above_20(
    repositories, users, limit
):
    names = [f"acme/r{n}" for n in range(repositories)]
    assert Installation(1, "acme", names, users).rate_limit == limit


def test_a_big_installation_gets_its_bigger_limit_in_the_headers(fake_github_factory, clock):
    github = fake_github_factory(prs=5, repositories=["acme/widgets"], app_clock=clock)
    app = github.add_app(8, installations={80: [f"acme/r{n}" for n in range(40)]})
    token = as_app(
        github,
        "/app/installations/80/access_tokens",
        signed_jwt(app.private_key, clock.now, iss="8"),
    ).json()["token"]
    answer = graphql(github, RATE_LIMIT_QUERY, token=token)
    assert answer.headers["x-ratelimit-limit"] == "6000"
    assert answer.json()["data"]["rateLimit"]["limit"] == 6000
