"""Authenticate as a GitHub App: sign its JWT, exchange it for installation tokens, renew them.

GitHub's rules ("Generating a JSON Web Token (JWT) for a GitHub App", "Generating an
installation access token for a GitHub App", "Authenticating as a GitHub App installation"):
the JWT is signed RS256 with the App's private key, `iat` 60 s in the past against clock drift,
`exp` at most 10 minutes ahead, `iss` the App's id. `POST /app/installations/{id}/access_tokens`
on the REST API (https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server)
answers with a token that expires after an hour. Each installation has its own quota, so each
installation is one renewable token in the tap's `TokenPool`, rotated with any personal tokens.

The private key, the JWT and the installation tokens are never logged, stored or put in an
error: messages name an App and an installation by their ids.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import typing as t
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tap_github_prs.clock import Clock
from tap_github_prs.errors import SyncStoppedError
from tap_github_prs.tokens import Token

JWT_BACKDATE = 60  # GitHub: set `iat` 60 s in the past to protect against clock drift
# GitHub refuses an `exp` more than 10 minutes ahead of *its* clock; 9 leaves a minute of drift.
JWT_LIFETIME = 540
PRIVATE_KEY_VARIABLE = "TAP_GITHUB_PRS_GITHUB_APP_PRIVATE_KEY"
API_VERSION = "2022-11-28"
INSTALLATIONS_PER_PAGE = 100


class GitHubAppError(SyncStoppedError):
    """GitHub refused to give an App's installation a token (wrong key, id, installation)."""


@dataclass(frozen=True)
class GitHubApp:
    """One App's settings: its id, its private key (PEM) and the installations to use."""

    app_id: int
    private_key: str = field(repr=False)
    installation_ids: tuple[int, ...] = ()

    def __repr__(self) -> str:  # never show the key
        return f"GitHubApp({self.app_id}, installations={list(self.installation_ids) or 'all'})"


def apps_from_config(config: t.Mapping[str, t.Any], errors: list[str]) -> list[GitHubApp]:
    """The Apps a config names; each problem is appended to `errors`, never with key text."""
    apps: list[GitHubApp] = []
    app_id = config.get("github_app_id")
    key = _private_key(
        config.get("github_app_private_key") or os.environ.get(PRIVATE_KEY_VARIABLE),
        config.get("github_app_private_key_path"),
        "github_app_private_key",
        errors,
    )
    installation_ids = tuple(config.get("github_app_installation_ids") or ())
    if app_id:
        if key is None:
            errors.append(
                f"`github_app_id` is {app_id} but no private key: set {PRIVATE_KEY_VARIABLE} "
                "in the environment or `github_app_private_key_path`."
            )
        else:
            apps.append(GitHubApp(int(app_id), key, installation_ids))
    elif key is not None or installation_ids:
        errors.append(
            "A GitHub App private key or installation ids are set without `github_app_id`."
        )
    for n, extra in enumerate(config.get("additional_github_apps") or [], 1):
        where = f"additional_github_apps[{n}].private_key_path"
        extra_key = _private_key(None, extra.get("private_key_path"), where, errors)
        if extra_key is not None:
            ids = tuple(extra.get("installation_ids") or ())
            apps.append(GitHubApp(int(extra["app_id"]), extra_key, ids))
    return apps


def _private_key(text: str | None, path: str | None, what: str, errors: list[str]) -> str | None:
    if not text and path:
        try:
            text = Path(path).expanduser().read_text()
        except OSError as exc:
            errors.append(f"Cannot read the GitHub App private key file {path}: {exc.strerror}.")
            return None
    if not text:
        return None
    # A PEM in an environment variable or .env often has its newlines written as `\n`.
    text = text.replace("\\n", "\n").strip() + "\n"
    try:
        key = serialization.load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError):
        errors.append(
            f"`{what}` is not a PEM private key (GitHub's download, BEGIN RSA PRIVATE KEY)."
        )
        return None
    if not isinstance(key, rsa.RSAPrivateKey):
        errors.append(f"`{what}` is not an RSA key: GitHub Apps sign with RS256.")
        return None
    return text


def rest_api_url(api_url: str) -> str:
    """The REST API next to a GraphQL endpoint: https://api.github.com/graphql ->
    https://api.github.com; GitHub Enterprise Server's https://HOST/api/graphql ->
    https://HOST/api/v3."""
    parts = urlsplit(api_url)
    path = parts.path.rstrip("/").removesuffix("/graphql")
    if path.endswith("/api"):
        path += "/v3"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class AppAuthenticator:
    """Talks to GitHub as one App: lists its installations and buys installation tokens."""

    def __init__(
        self,
        app: GitHubApp,
        rest_url: str,
        clock: Clock,
        timeout: float,
        session: requests.Session | None = None,
        user_agent: str = "tap-github-prs",
    ) -> None:
        self.app = app
        self.rest_url = rest_url.rstrip("/")
        self.clock = clock
        self.timeout = timeout
        self._session = session or requests.Session()
        self._user_agent = user_agent
        self._key = serialization.load_pem_private_key(app.private_key.encode(), password=None)

    def signed_jwt(self) -> str:
        now = int(self.clock.time())
        claims = {"iat": now - JWT_BACKDATE, "exp": now + JWT_LIFETIME, "iss": str(self.app.app_id)}
        return jwt.encode(claims, self._key, algorithm="RS256")  # type: ignore[arg-type]

    def installation_ids(self) -> list[int]:
        """The configured installations, else every installation of the App."""
        if self.app.installation_ids:
            return list(self.app.installation_ids)
        ids: list[int] = []
        page = 1
        while True:
            body = self._call(
                "GET",
                f"/app/installations?per_page={INSTALLATIONS_PER_PAGE}&page={page}",
                "listing its installations",
                200,
            )
            ids += [int(item["id"]) for item in body]
            if len(body) < INSTALLATIONS_PER_PAGE:
                break
            page += 1
        if not ids:
            raise GitHubAppError(
                f"GitHub App {self.app.app_id} has no installations: install it on the "
                "organisations or repositories to sync, or set a personal token."
            )
        return ids

    def installation_token(self, installation_id: int) -> tuple[str, float]:
        """A new token for one installation and when it expires (epoch seconds)."""
        body = self._call(
            "POST",
            f"/app/installations/{installation_id}/access_tokens",
            f"creating a token for installation {installation_id}",
            201,
        )
        expires_at = dt.datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
        return body["token"], expires_at.timestamp()

    def _call(self, method: str, path: str, what: str, expected: int) -> t.Any:
        app = f"GitHub App {self.app.app_id}"
        try:
            response = self._session.request(
                method,
                self.rest_url + path,
                headers={
                    "Authorization": f"Bearer {self.signed_jwt()}",
                    "Accept": "application/vnd.github+json",
                    "X-GitHub-Api-Version": API_VERSION,
                    "User-Agent": self._user_agent,
                },
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise GitHubAppError(
                f"{app}: cannot reach {self.rest_url} while {what} ({type(exc).__name__}): "
                "check `api_url` and the network."
            ) from None
        if response.status_code == expected:
            return response.json()
        message = _message(response)
        if response.status_code == 401:
            raise GitHubAppError(
                f"{app}: GitHub rejected the JWT (HTTP 401 {message}) while {what}: check "
                "github_app_private_key (the App's own key) and github_app_id; a message about "
                "'exp' or 'iat' means this machine's clock is off."
            )
        if response.status_code == 404:
            raise GitHubAppError(
                f"{app}: not found (HTTP 404) while {what}: check github_app_id and "
                "github_app_installation_ids (leave them empty to use every installation)."
            )
        raise GitHubAppError(f"{app}: HTTP {response.status_code} {message} while {what}.")


def _message(response: requests.Response) -> str:
    """GitHub's `message`, never the rest of an answer."""
    try:
        return str(response.json().get("message") or "").strip() or response.reason
    except (ValueError, AttributeError):
        return response.reason or ""


def installation_tokens(
    apps: t.Sequence[GitHubApp],
    api_url: str,
    clock: Clock,
    timeout: float,
    logger: logging.Logger,
    first_position: int = 1,
) -> list[Token]:
    """One renewable token per installation of every App; each gets its value on first use."""
    tokens: list[Token] = []
    rest_url = rest_api_url(api_url)
    for app in apps:
        authenticator = AppAuthenticator(app, rest_url, clock, timeout)
        ids = authenticator.installation_ids()
        logger.info("GitHub App %d: using installations %s.", app.app_id, ids)
        for installation_id in ids:
            tokens.append(
                Token(
                    first_position + len(tokens),
                    "",
                    renew=_renewer(authenticator, installation_id),
                    name=f"App {app.app_id} installation {installation_id}",
                )
            )
    return tokens


def _renewer(
    authenticator: AppAuthenticator, installation_id: int
) -> t.Callable[[], tuple[str, float]]:
    return lambda: authenticator.installation_token(installation_id)
