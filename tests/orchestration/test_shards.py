"""Shard membership and token assignment: stable, complete, and splitting cleanly."""

from __future__ import annotations

import pytest

from orchestration.shards import Shard, bucket_of, parent_shard, shard_count, shards_of

NAMES = [f"acme/repo-{i}" for i in range(200)]


def test_every_repository_is_in_exactly_one_shard():
    shards = shards_of(NAMES, shard_size=25)
    assert shards[0].count == 8
    members = [name for shard in shards for name in shard.members(NAMES)]
    assert sorted(members) == sorted(NAMES)


def test_adding_repositories_moves_none_while_the_count_holds():
    before = {s.key: s.members(NAMES[:150]) for s in shards_of(NAMES[:150], shard_size=25)}
    after = {s.key: s.members(NAMES[:190]) for s in shards_of(NAMES[:190], shard_size=25)}
    for key, names in before.items():
        assert set(names) <= set(after[key])


def test_a_doubled_count_splits_each_shard_in_two():
    for name in NAMES:
        child = Shard(bucket_of(name, 16), 16)
        assert parent_shard(child) == Shard(bucket_of(name, 8), 8)


def test_count_is_the_smallest_power_of_two_within_the_size():
    assert [shard_count(n, 10) for n in (0, 1, 10, 11, 40, 41)] == [1, 1, 1, 2, 4, 8]
    with pytest.raises(ValueError):
        shard_count(3, 0)


def test_keys_round_trip_and_bad_keys_are_refused():
    assert Shard.parse("shard-3-of-8") == Shard(3, 8)
    for bad in ("shard-8-of-8", "shard-1-of-3", "3-of-8", "shard--1-of-4"):
        with pytest.raises(ValueError):
            Shard.parse(bad)


def test_tokens_go_round_robin_by_bucket():
    assert [Shard(b, 8).token_index(3) for b in range(8)] == [0, 1, 2, 0, 1, 2, 0, 1]
    assert Shard(5, 8).token_index(0) == 0


def test_names_are_case_insensitive():
    assert bucket_of("Acme/Widgets", 64) == bucket_of("acme/widgets", 64)
