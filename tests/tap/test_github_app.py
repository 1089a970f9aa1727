"""GitHub App authentication against the stand-in, which checks the JWT and expires installation
tokens as GitHub does (github_standin/apps.py)."""

from __future__ import annotations

import json
import logging
import re
import subprocess

import pytest
from github_standin.apps import generate_key_pair

from tap_github_prs.errors import TapConfigError
from tap_github_prs.github_app import GitHubAppError, apps_from_config, rest_api_url
from tap_github_prs.tap import TapGitHubPRs
from tests.tap.fakes import FakeClock
from tests.tap.helpers import (
    expected_keys,
    parse_messages,
    record_keys,
    run_in_process,
    subprocess_env,
    tap_command,
)

APP_ID = 4242
DATA = {"prs": 30, "repositories": ["acme/widgets", "acme/gadgets"], "heavy_tails": False}
KEY_VARIABLE = "TAP_GITHUB_PRS_GITHUB_APP_PRIVATE_KEY"


@pytest.fixture(autouse=True)
def no_personal_tokens(monkeypatch):
    for name in ("GITHUB_TOKEN", "TAP_GITHUB_PRS_AUTH_TOKEN", KEY_VARIABLE):
        monkeypatch.delenv(name, raising=False)


def app_config(server, private_key: str, **overrides) -> dict:
    """Only an App: no personal token at all."""
    config = {
        "github_app_id": APP_ID,
        "github_app_private_key": private_key,
        "repositories": sorted(server.dataset.repositories),
        "api_url": server.graphql_url,
        "max_rate_limit_wait": 7200,
    }
    config.update(overrides)
    return config


def graphql_by_label(server) -> dict[str, int]:
    return {label: n["requests"] for label, n in server.stats()["tokens"].items()}


def tick_per_graphql_request(server, clock: FakeClock, seconds: float, on_request=None) -> None:
    """Every GraphQL request moves the shared clock on: a run that spans hours of token life."""
    count = [0]

    def handler(request):
        clock.now += seconds
        count[0] += 1
        if on_request is not None:
            on_request(count[0])
        return server._graphql(request)

    server.add_route("POST", "/graphql", handler, kind="graphql", resource="graphql")


def test_a_sync_with_only_an_app_completes_on_installation_tokens(fake_github_factory):
    clock = FakeClock()
    server = fake_github_factory(**DATA, app_clock=clock.time)
    app = server.add_app(APP_ID)
    run = run_in_process(app_config(server, app.private_key), clock=clock)

    assert record_keys(run) == expected_keys(server)
    labels = graphql_by_label(server)
    assert set(labels) == {f"installation-{APP_ID * 1000 + 1}"}  # acme's only installation
    assert server.stats()["operations"]["apps.listInstallations"]["requests"] == 1
    assert server.apps.issued == 1
    assert server.stats()["status"].get("401", 0) == 0


def test_an_installation_token_is_renewed_before_it_expires_without_a_failed_request(
    fake_github_factory, caplog
):
    clock = FakeClock()
    # 15-minute tokens and 90 s per request: a token would expire after 10 requests.
    server = fake_github_factory(**DATA, app_clock=clock.time, app_token_ttl=900)
    app = server.add_app(APP_ID)
    tick_per_graphql_request(server, clock, 90)
    config = app_config(server, app.private_key, page_size=3, max_parallel_repos=1)
    with caplog.at_level(logging.INFO):
        run = run_in_process(config, clock=clock)

    assert record_keys(run) == expected_keys(server)
    graphql_requests = sum(graphql_by_label(server).values())
    assert graphql_requests * 90 > 2 * 900  # the run outlived two tokens
    assert server.apps.issued >= 3
    assert server.stats()["status"].get("401", 0) == 0
    assert any(f"Renewed GitHub token App {APP_ID} installation" in m for m in caplog.messages)


def test_a_rejected_installation_token_is_renewed_once_and_the_run_completes(
    fake_github_factory, caplog
):
    clock = FakeClock()
    server = fake_github_factory(**DATA, app_clock=clock.time)
    app = server.add_app(APP_ID)
    # GitHub revokes the token after 5 requests (an admin, or the App's key rotated).
    tick_per_graphql_request(
        server, clock, 60, on_request=lambda n: n == 5 and server.apps.expire_tokens()
    )
    config = app_config(server, app.private_key, page_size=5, max_parallel_repos=1)
    with caplog.at_level(logging.INFO):
        run = run_in_process(config, clock=clock)

    assert record_keys(run) == expected_keys(server)
    assert server.stats()["status"].get("401", 0) == 1
    assert server.apps.issued == 2
    assert any("renewing it once" in m for m in caplog.messages)


def test_an_installation_whose_new_tokens_are_rejected_too_is_dropped(fake_github_factory):
    clock = FakeClock()
    server = fake_github_factory(**DATA, app_clock=clock.time)
    app = server.add_app(APP_ID)
    tick_per_graphql_request(server, clock, 1, on_request=lambda n: server.apps.expire_tokens())
    run = run_in_process(
        app_config(server, app.private_key, max_parallel_repos=1), clock=clock, expect_error=True
    )
    assert "rejected" in str(run.error)
    assert server.stats()["status"]["401"] == 2  # the token, then its one renewal
    assert server.apps.issued == 2


def test_personal_tokens_and_installation_tokens_rotate_in_one_pool(fake_github_factory):
    clock = FakeClock()
    server = fake_github_factory(**DATA, app_clock=clock.time, rate_limit=40)
    app = server.add_app(APP_ID)
    config = app_config(server, app.private_key, auth_token=server.tokens[0], page_size=5)
    run = run_in_process(config, clock=clock)
    assert record_keys(run) == expected_keys(server)
    labels = graphql_by_label(server)
    # The PAT's 40 points run out; the installation (5,000) carries the rest.
    assert labels["token-1"] > 0 and labels[f"installation-{APP_ID * 1000 + 1}"] > 0


def test_a_wrong_key_stops_with_one_line_naming_the_app(fake_github_factory):
    clock = FakeClock()
    server = fake_github_factory(**DATA, app_clock=clock.time)
    server.add_app(APP_ID)
    other_key, _ = generate_key_pair()
    run = run_in_process(app_config(server, other_key), clock=clock, expect_error=True)
    assert isinstance(run.error, GitHubAppError)
    message = str(run.error)
    assert message.startswith(f"GitHub App {APP_ID}: GitHub rejected the JWT (HTTP 401 ")
    assert "github_app_private_key" in message
    assert "\n" not in message and "PRIVATE KEY" not in message


def test_rest_api_url_is_next_to_the_graphql_endpoint():
    assert rest_api_url("https://api.github.com/graphql") == "https://api.github.com"
    assert rest_api_url("https://ghe.example.com/api/graphql") == "https://ghe.example.com/api/v3"
    assert rest_api_url("http://127.0.0.1:8080/graphql") == "http://127.0.0.1:8080"


def test_app_settings_are_checked_without_echoing_the_key(tmp_path, monkeypatch):
    private_key, _ = generate_key_pair()
    errors: list[str] = []
    assert apps_from_config({"github_app_id": 1}, errors) == []
    assert "TAP_GITHUB_PRS_GITHUB_APP_PRIVATE_KEY" in errors[0]

    errors = []
    apps_from_config({"github_app_id": 1, "github_app_private_key": "-----BEGIN nonsense"}, errors)
    assert errors and "nonsense" not in errors[0]

    # From the environment, with its newlines written as \n (as in a .env file).
    monkeypatch.setenv(KEY_VARIABLE, private_key.replace("\n", "\\n"))
    [app] = apps_from_config({"github_app_id": 7, "github_app_installation_ids": [70]}, [])
    assert (app.app_id, app.installation_ids) == (7, (70,))
    assert "PRIVATE" not in repr(app)
    monkeypatch.delenv(KEY_VARIABLE)

    path = tmp_path / "app.pem"
    path.write_text(private_key)
    config = {
        "github_app_id": 7,
        "github_app_private_key_path": str(path),
        "additional_github_apps": [{"app_id": 8, "private_key_path": str(path)}],
    }
    assert [a.app_id for a in apps_from_config(config, [])] == [7, 8]

    # An App is a credential: a sync needs no personal token then, only sources.
    tap = TapGitHubPRs(config=config, parse_env_config=False)
    with pytest.raises(TapConfigError) as raised:
        tap.settings.ready_to_sync()
    assert raised.value.errors == [
        "Set `repositories` (owner/name) and/or `organizations`: both are empty."
    ]


# -- as a real process: one clear line, and nothing secret in any output ---------------------


def _run_tap(config: dict, tmp_path, private_key: str, state: dict | None = None):
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    state_path = None
    if state is not None:
        state_path = tmp_path / "state.json"
        state_path.write_text(json.dumps(state))
    return subprocess.run(
        tap_command(config_path, state_path),
        capture_output=True,
        text=True,
        timeout=180,
        env=subprocess_env(**{KEY_VARIABLE: private_key}),
        check=False,
    )


@pytest.mark.slow
def test_a_wrong_key_is_one_line_and_a_failed_exit_as_a_process(fake_github_factory, tmp_path):
    server = fake_github_factory(**DATA)
    server.add_app(APP_ID)
    other_key, _ = generate_key_pair()
    config = app_config(server, "")
    del config["github_app_private_key"]  # the key comes from the environment
    completed = _run_tap(config, tmp_path, other_key)
    assert completed.returncode != 0
    lines = [line for line in completed.stderr.splitlines() if "GitHub App" in line]
    assert len(lines) == 1, completed.stderr
    assert "GitHub rejected the JWT (HTTP 401 A JSON web token could not be decoded)" in lines[0]
    assert "Traceback" not in completed.stderr
    assert not completed.stdout.strip().count('"type": "RECORD"')


@pytest.mark.slow
def test_no_output_holds_the_private_key_or_an_installation_token(fake_github_factory, tmp_path):
    server = fake_github_factory(**DATA, app_token_ttl=900)
    app = server.add_app(APP_ID)
    assert app.private_key is not None
    cache_dir = tmp_path / "cache"
    config = app_config(server, "", cache_dir=str(cache_dir), cache_mode="use")
    del config["github_app_private_key"]
    completed = _run_tap(config, tmp_path, app.private_key)
    assert completed.returncode == 0, completed.stderr[-2000:]
    messages = parse_messages(completed.stdout)
    states = [m["value"] for m in messages if m["type"] == "STATE"]
    assert states and any(m["type"] == "RECORD" for m in messages)
    # A rerun from the state file (checked below with every other file written).
    rerun = _run_tap(config, tmp_path, app.private_key, state=states[-1])
    assert rerun.returncode == 0, rerun.stderr[-2000:]

    outputs = {
        "stdout": completed.stdout + rerun.stdout,
        "stderr": completed.stderr + rerun.stderr,
    }
    for path in cache_dir.rglob("*"):
        if path.is_file():
            outputs[str(path)] = path.read_bytes().decode(errors="replace")
    assert len(outputs) > 2, "the cache wrote nothing to check"
    for path in tmp_path.glob("*.json"):
        outputs[str(path)] = path.read_text()
    # The PEM's body, line by line (64 base64 characters each), and every token GitHub issued.
    body_lines = [line for line in app.private_key.splitlines() if not line.startswith("-----")]
    secrets = [line for line in body_lines if len(line) >= 32] + server.apps.tokens_issued()
    assert server.apps.tokens_issued()
    for where, text in outputs.items():
        for secret in secrets:
            assert secret not in text, f"a secret is in {where}"
        assert not re.search(r"ghs_[A-Za-z0-9]{36}", text), f"a token-shaped string is in {where}"
