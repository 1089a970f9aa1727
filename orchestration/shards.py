"""Which repositories make up a shard, and which token a shard uses.

A shard is a hash bucket: a repository's bucket depends only on its lower-cased name and the
number of shards, so adding a repository never moves the others (a shard's Meltano state stays
valid). The number of shards is a power of two, the smallest that keeps every shard at or under
`shard_size` on average; when it doubles, bucket b splits into b and b + old count, so a new
shard's repositories all come from one parent shard (see `parent_shard`).
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

SHARD_KEY = re.compile(r"^shard-(?P<bucket>\d+)-of-(?P<count>\d+)$")


@dataclass(frozen=True, order=True)
class Shard:
    bucket: int
    count: int

    @property
    def key(self) -> str:
        """Partition key and Meltano state-id suffix, e.g. `shard-3-of-8`."""
        return f"shard-{self.bucket}-of-{self.count}"

    @classmethod
    def parse(cls, key: str) -> Shard:
        match = SHARD_KEY.match(key)
        if match is None:
            raise ValueError(f"not a shard key: {key!r} (expected shard-<bucket>-of-<count>)")
        shard = cls(int(match["bucket"]), int(match["count"]))
        if shard.count < 1 or shard.count & (shard.count - 1) or shard.bucket >= shard.count:
            raise ValueError(f"not a shard key: {key!r} (count a power of two, bucket < count)")
        return shard

    def members(self, repositories: Iterable[str]) -> list[str]:
        """The repositories of this shard, sorted."""
        return sorted(r for r in repositories if bucket_of(r, self.count) == self.bucket)

    def token_index(self, token_count: int) -> int:
        """Shards take tokens round robin by bucket: with T tokens, bucket b uses token b mod T."""
        return self.bucket % token_count if token_count else 0


def bucket_of(repository: str, count: int) -> int:
    # crc32 rather than hash(): stable across processes, machines and Python versions.
    return zlib.crc32(repository.lower().encode()) % count


def shard_count(repository_count: int, shard_size: int) -> int:
    if shard_size < 1:
        raise ValueError("shard_size must be at least 1")
    needed = max(1, math.ceil(repository_count / shard_size))
    return 1 << (needed - 1).bit_length()


def shards_of(repositories: Iterable[str], shard_size: int) -> list[Shard]:
    """The non-empty shards of these repositories."""
    names = list(repositories)
    count = shard_count(len(names), shard_size)
    return sorted({Shard(bucket_of(name, count), count) for name in names})


def parent_shard(shard: Shard) -> Shard | None:
    """The shard this one split from when the count doubled (its state covers our repositories)."""
    if shard.count == 1:
        return None
    half = shard.count // 2
    return Shard(shard.bucket % half, half)
