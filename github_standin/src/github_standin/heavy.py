"""Heavy pull requests on demand: a share of a dataset's PRs with over 100 commits and files.

The default dataset has a heavy tail (one PR in 97 is heavy in one way). Measuring how a client
copes with GitHub's 10 s timeout needs pages where *every* PR is heavy: `make_heavy(dataset,
share=1.0)` regenerates the chosen PRs from their own seeds with the `commits` and `files` heavy
tails (101-250 commits, 101-260 files), so a `first: 100` page returns 100 of each. Dependency
bots' PRs, which the generator keeps to a handful of lock files, get ordinary source files added
up to that size, so `share=1.0` really means every PR.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from . import text
from .generator import stable_int
from .models import Dataset, PullRequest, PullRequestChildren

HEAVY_SHARE_KINDS = ("commits", "files")


def make_heavy(
    dataset: Dataset, share: float = 1.0, kinds: Iterable[str] = HEAVY_SHARE_KINDS
) -> list[PullRequest]:
    """Make `share` (0..1) of the PRs heavy, chosen by a stable hash of seed, repository and
    number (same arguments, same PRs); return the PRs made heavy."""
    if not 0 <= share <= 1:
        raise ValueError("heavy_share must be between 0 and 1")
    heavy = set(kinds)
    generator = dataset.generator
    made: list[PullRequest] = []
    with dataset.lock:
        for repo in dataset.repositories.values():
            organization = dataset.organizations[repo.owner]
            for index, pr in enumerate(repo.pull_requests):
                roll = stable_int(dataset.seed, "heavy_share", pr.repository, pr.number) / 1e9
                if roll >= share:
                    continue
                # Same seed, same number, same creation time: the same PR, with heavier children.
                replacement = generator.pull_request(
                    repo, pr.number, pr.created_at, organization, heavy
                )
                if "files" in heavy:
                    _at_least_101_files(replacement, dataset.seed)
                repo.pull_requests[index] = replacement
                made.append(replacement)
    return made


def _at_least_101_files(pr: PullRequest, seed: int) -> None:
    factory = pr._children_factory
    if factory is None:
        return

    def children(p: PullRequest) -> PullRequestChildren:
        made = factory(p)
        if len(made.files) <= 100:
            rng = random.Random(f"{seed}:{p.repository}:{p.number}:heavy_files")
            target = rng.randint(101, 260)
            taken = {f.path for f in made.files}
            extra = [f for f in text.changed_files(rng, target, None) if f.path not in taken]
            made.files += extra[: target - len(made.files)]
        return made

    pr._children_factory = children
