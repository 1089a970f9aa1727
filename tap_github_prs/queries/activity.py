"""Generated query: the latest activity of up to 100 repositories in one request.

Each repository is an aliased `repository(owner:, name:)` lookup selecting
`RepositoryActivityFields` (fragments.graphql). A repository that no longer exists (deleted,
or never did) comes back as null; one renamed or transferred comes back under its new name.
"""

from __future__ import annotations

from tap_github_prs.queries import with_fragments

REPOSITORIES_PER_REQUEST = 100


def build_activity_query(repositories: list[str]) -> tuple[str, dict[str, str]]:
    """Return (query, variables) for `repositories` (owner/name), aliased r0, r1, ..."""
    if not 0 < len(repositories) <= REPOSITORIES_PER_REQUEST:
        raise ValueError(f"between 1 and {REPOSITORIES_PER_REQUEST} repositories per request")
    declarations, selections, variables = [], [], {}
    for index, repository in enumerate(repositories):
        owner, name = repository.split("/", 1)
        declarations.append(f"$o{index}: String!, $n{index}: String!")
        variables[f"o{index}"], variables[f"n{index}"] = owner, name
        selections.append(
            f"  r{index}: repository(owner: $o{index}, name: $n{index}) "
            "{ ...RepositoryActivityFields }"
        )
    body = (
        f"query RepositoryActivity({', '.join(declarations)}) {{\n"
        + "\n".join(selections)
        + "\n  rateLimit { ...RateLimitFields }\n}"
    )
    return with_fragments(body), variables
