"""The settings the delivery streams read (declared in `TapGitHubPRs.config_jsonschema`)."""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass

from tap_github_prs.errors import TapConfigError

DEFAULT_DEPLOYMENT_ENVIRONMENTS = "prod|production"
DEFAULT_INCIDENT_LABELS = ("incident",)
DEFAULT_LOOKBACK_DAYS = 14


@dataclass(frozen=True)
class DeliverySettings:
    production_environments: re.Pattern[str]
    incident_labels: tuple[str, ...]
    incident_title_pattern: re.Pattern[str] | None
    lookback_days: int

    @classmethod
    def from_config(cls, config: t.Mapping[str, t.Any]) -> DeliverySettings:
        errors: list[str] = []
        environments = _pattern(
            "deployment_environments",
            config.get("deployment_environments") or DEFAULT_DEPLOYMENT_ENVIRONMENTS,
            errors,
        )
        title = config.get("incident_title_pattern")
        title_pattern = _pattern("incident_title_pattern", title, errors) if title else None
        labels = config.get("incident_labels")
        settings = cls(
            production_environments=environments or re.compile(DEFAULT_DEPLOYMENT_ENVIRONMENTS),
            incident_labels=tuple(DEFAULT_INCIDENT_LABELS if labels is None else labels),
            incident_title_pattern=title_pattern,
            lookback_days=int(config.get("deployment_lookback_days", DEFAULT_LOOKBACK_DAYS)),
        )
        if errors:
            raise TapConfigError(
                "Invalid tap-github-prs configuration: " + " ".join(errors), errors=errors
            )
        return settings

    def is_production(self, environment: str | None) -> bool:
        """The whole name must match, ignoring case: `prod` does not match `preprod`."""
        return bool(environment) and self.production_environments.fullmatch(environment) is not None

    def incident_match(self, title: str | None, labels: list[str]) -> str | None:
        """Why an issue counts as an incident (`label`, `title`), or None."""
        wanted = {label.lower() for label in self.incident_labels}
        if wanted & {label.lower() for label in labels}:
            return "label"
        if self.incident_title_pattern and title and self.incident_title_pattern.search(title):
            return "title"
        return None

    @property
    def server_side_labels(self) -> list[str] | None:
        """Labels GitHub can filter on; None (every issue) when titles count as well."""
        if self.incident_title_pattern is not None or not self.incident_labels:
            return None
        return list(self.incident_labels)


def _pattern(name: str, value: str, errors: list[str]) -> re.Pattern[str] | None:
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error as exc:
        errors.append(f"`{name}` is not a valid regular expression ({exc}): {value!r}.")
        return None
