"""GitHub Apps: the JWT-authenticated token exchange and installation tokens.

What GitHub documents, and what this module does the same way:
- "Generating a JSON Web Token (JWT) for a GitHub App" (docs.github.com/apps/creating-github-
  apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app): the
  JWT is signed RS256 with the App's private key; `iat` is when it was made (GitHub recommends
  60 s in the past against clock drift), `exp` no more than 10 minutes into the future, `iss`
  the App's id (or client id), which is how GitHub finds the public key to check the signature.
- "Generating an installation access token for a GitHub App": `POST /app/installations/{id}/
  access_tokens` with the JWT as bearer answers 201 `{"token": "ghs_...", "expires_at": ...}`;
  `GET /app/installations` lists the App's installations. GitHub Enterprise Server serves the
  same under `/api/v3`.
- "Authenticating as a GitHub App installation": an installation token expires after 1 hour;
  using an expired one answers 401 "Bad credentials".
- "Rate limits for GitHub Apps": an installation has its own quota, 5,000 an hour plus 50 per
  repository above 20 and 50 per user above 20 (organisation installations), at most 12,500.
  Every token of one installation shares it.

GitHub's error messages for a rejected JWT are the ones its users report (octokit/auth-app.js
#698, actions/create-github-app-token #178, backstage #12887), always 401 with
`documentation_url` https://docs.github.com/rest.

Not modelled: an installation's token still reads every repository of the dataset (GitHub limits
it to the installation's repositories), and permissions are not checked.
"""

from __future__ import annotations

import secrets
import string
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

if TYPE_CHECKING:
    from .models import Dataset
    from .ratelimit import RateLimiter
    from .server import FakeGitHub, Request, Response

INSTALLATION_TOKEN_TTL = 3600.0  # GitHub: "Installation tokens expire 1 hour from ... creation"
MAX_JWT_LIFETIME = 600  # GitHub: `exp` "no more than 10 minutes into the future"
BASE_LIMIT, PER_EXTRA, FREE_COUNT, MAX_LIMIT = 5_000, 50, 20, 12_500
REST_DOCS = "https://docs.github.com/rest"
PERMISSIONS = {
    "metadata": "read",
    "pull_requests": "read",
    "contents": "read",
    "checks": "read",
    "statuses": "read",
    "deployments": "read",
    "issues": "read",
}
# GitHub's own words for each way a JWT is refused.
JWT_UNDECODABLE = "A JSON web token could not be decoded"
JWT_EXPIRED = (
    "'Expiration time' claim ('exp') must be a numeric value representing the future time at "
    "which the assertion expires"
)
JWT_TOO_LONG = "'Expiration time' claim ('exp') is too far in the future"
JWT_IAT_FUTURE = (
    "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was "
    "issued"
)


@dataclass
class Installation:
    id: int
    account: str
    repositories: list[str]
    users: int = 0  # organisation members the installation counts (above 20 raise the quota)

    @property
    def rate_limit(self) -> int:
        extra = max(0, len(self.repositories) - FREE_COUNT) + max(0, self.users - FREE_COUNT)
        return min(MAX_LIMIT, BASE_LIMIT + PER_EXTRA * extra)

    @property
    def label(self) -> str:
        """The quota and stats label of every token of this installation (never a token)."""
        return f"installation-{self.id}"


@dataclass
class App:
    id: int
    public_key: str  # PEM; GitHub keeps only this
    installations: dict[int, Installation] = field(default_factory=dict)
    private_key: str | None = field(default=None, repr=False)  # PEM, when the stand-in made it


@dataclass
class _IssuedToken:
    installation: Installation
    expires_at: float


def generate_key_pair(bits: int = 2048) -> tuple[str, str]:
    """A new RSA key pair as (private PEM, public PEM), like GitHub's "Generate a private key"."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,  # GitHub's downloads are PKCS#1
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class AppRegistry:
    """The Apps GitHub knows, the tokens it issued, and each installation's quota."""

    def __init__(
        self,
        dataset: Dataset,
        limiters: Mapping[str, RateLimiter],
        *,
        token_ttl: float = INSTALLATION_TOKEN_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.dataset = dataset
        self.limiters = limiters
        self.token_ttl = token_ttl
        self.clock = clock
        self.apps: dict[int, App] = {}
        self._tokens: dict[str, _IssuedToken] = {}
        self._lock = threading.Lock()
        self.issued = 0  # installation tokens created, for tests

    def add_app(
        self,
        app_id: int,
        *,
        public_key: str | None = None,
        installations: Mapping[int, Iterable[str]] | None = None,
        users: int = 0,
    ) -> App:
        """Register an App. Without `public_key` a key pair is made (`App.private_key`).

        `installations` maps installation id -> repositories (owner/name); by default one
        installation per owner of the dataset, ids `app_id * 1000 + 1, + 2, ...`.
        """
        private_key = None
        if public_key is None:
            private_key, public_key = generate_key_pair()
        if installations is None:
            owners: dict[str, list[str]] = {}
            for name in sorted(self.dataset.repositories):
                owners.setdefault(name.split("/")[0], []).append(name)
            installations = {app_id * 1000 + n: repos for n, repos in enumerate(owners.values(), 1)}
        app = App(app_id, public_key, private_key=private_key)
        for installation_id, repositories in installations.items():
            repositories = list(repositories)
            account = repositories[0].split("/")[0] if repositories else f"account-{app_id}"
            installation = Installation(installation_id, account, repositories, users)
            app.installations[installation_id] = installation
            for limiter in self.limiters.values():
                limiter.set_limit(installation.label, installation.rate_limit)
        self.apps[app_id] = app
        return app

    # Tokens ---------------------------------------------------------------------------------
    def token_label(self, token: str) -> str | None:
        """The installation's label for a live installation token; None if unknown or expired."""
        with self._lock:
            issued = self._tokens.get(token)
        if issued is None or self.clock() >= issued.expires_at:
            return None
        return issued.installation.label

    def tokens_issued(self) -> list[str]:
        """Every installation token issued so far, for tests that check nothing leaks them."""
        with self._lock:
            return list(self._tokens)

    def expire_tokens(self) -> int:
        """Every installation token issued so far expires now (as after an hour); returns how
        many were live."""
        now = self.clock()
        with self._lock:
            live = [t for t in self._tokens.values() if t.expires_at > now]
            for issued in live:
                issued.expires_at = now
        return len(live)

    def issue(self, installation: Installation) -> tuple[str, float]:
        alphabet = string.ascii_letters + string.digits
        token = "ghs_" + "".join(secrets.choice(alphabet) for _ in range(36))
        expires_at = self.clock() + self.token_ttl
        with self._lock:
            self._tokens[token] = _IssuedToken(installation, expires_at)
            self.issued += 1
        return token, expires_at

    # The JWT ----------------------------------------------------------------------------------
    def authenticate(self, authorization: str | None) -> tuple[App | None, str]:
        """The App a bearer JWT proves to be, or (None, GitHub's message why not)."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None, JWT_UNDECODABLE
        token = token.strip()
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return None, JWT_UNDECODABLE
        app = self._app_for_issuer(claims.get("iss"))
        if app is None or header.get("alg") != "RS256":
            return None, JWT_UNDECODABLE
        try:
            # Times are checked below against this server's clock, not PyJWT's.
            jwt.decode(
                token,
                app.public_key,
                algorithms=["RS256"],
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.PyJWTError:
            return None, JWT_UNDECODABLE
        now = self.clock()
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, (int, float)) or exp <= now:
            return None, JWT_EXPIRED
        if exp > now + MAX_JWT_LIFETIME:
            return None, JWT_TOO_LONG
        if not isinstance(iat, (int, float)) or iat > now:
            return None, JWT_IAT_FUTURE
        return app, ""

    def _app_for_issuer(self, issuer: Any) -> App | None:
        if issuer is None:
            return None
        try:
            return self.apps.get(int(issuer))
        except (TypeError, ValueError):
            return None


# Routes ---------------------------------------------------------------------------------------
def install_app_routes(app: FakeGitHub) -> None:
    """`/app/installations` and the token exchange, at the root and under GHES's `/api/v3`."""
    for prefix in ("", "/api/v3"):
        app.add_route(
            "GET", prefix + "/app/installations", lambda r: _installations(app, r), kind="app"
        )
        app.add_route(
            "POST",
            prefix + r"/app/installations/(?P<installation>\d+)/access_tokens",
            lambda r: _access_token(app, r),
            kind="app",
        )


def _refused(message: str) -> Response:
    from .server import Response

    return Response(401, {"message": message, "documentation_url": REST_DOCS})


def _installations(server: FakeGitHub, request: Request) -> Response:
    from .server import Response

    app, why = server.apps.authenticate(request.headers.get("Authorization"))
    if app is None:
        response = _refused(why)
    else:
        response = Response(200, [_installation_json(app, i) for i in app.installations.values()])
    response.operation = "apps.listInstallations"
    return response


def _access_token(server: FakeGitHub, request: Request) -> Response:
    from .server import Response

    app, why = server.apps.authenticate(request.headers.get("Authorization"))
    if app is None:
        response = _refused(why)
    else:
        installation = app.installations.get(int(request.match["installation"]))
        if installation is None:
            response = Response(404, {"message": "Not Found", "documentation_url": REST_DOCS})
        else:
            token, expires_at = server.apps.issue(installation)
            response = Response(
                201,
                {
                    "token": token,
                    "expires_at": _iso(expires_at),
                    "permissions": dict(PERMISSIONS),
                    "repository_selection": "selected",
                },
            )
    response.operation = "apps.createInstallationAccessToken"
    return response


def _installation_json(app: App, installation: Installation) -> dict[str, Any]:
    return {
        "id": installation.id,
        "app_id": app.id,
        "account": {"login": installation.account, "type": "Organization"},
        "target_type": "Organization",
        "repository_selection": "selected",
        "permissions": dict(PERMISSIONS),
        "access_tokens_url": f"https://api.github.com/app/installations/{installation.id}/access_tokens",
    }
