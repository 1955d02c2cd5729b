"""The sans-IO strategy policies on their own: exact picks, hedge delays, drops and range splits.

Blocks and peers are plain ints and strings here, times are given in ms: no network, no clock.
"""

from __future__ import annotations

import pytest

from accelbench.ipfs.strategies import get_strategy
from accelbench.ipfs.strategies.range_split import Unit, split_units

KIB = 1024


def _accelerated(providers, **overrides):
    return get_strategy("accelerated", **overrides).policy(providers)


def test_accelerated_uses_the_first_max_providers_and_keeps_the_rest_in_reserve():
    policy = _accelerated([f"p{i}" for i in range(10)] + ["p0"], max_providers=8)
    assert policy.peers == [f"p{i}" for i in range(8)]
    assert policy.reserve == ["p8", "p9"]


def test_accelerated_tries_unsampled_peers_then_scores_ewma_times_load():
    policy = _accelerated(["a", "b", "c"])
    policy.start(0)
    [root] = policy.launch(now_ms=0.0)
    assert root.peer == "a"  # nobody sampled: the first one
    assert policy.on_block(root, 10.0, children=[1, 2, 3, 4]) == []
    assert policy.ewma_ms == {}  # an inner node's answer is no sample (see the next test)
    policy.ewma_ms["a"] = 10.0
    # b and c score with the best EWMA (10 ms) and win ties; then EWMA x (1 + in flight) decides
    assert [r.peer for r in policy.launch(now_ms=10.0)] == ["b", "c", "a", "b"]
    assert policy.inflight == {"a": 1, "b": 2, "c": 1}


def test_only_leaves_feed_the_ewma():
    # The root's quick answer (a few KiB of links) once made its peer look fastest for leaves, so it
    # took far more than its share of them and finished last (5.3x instead of 8x from 8 seeds).
    policy = _accelerated(["a", "b"])
    policy.start(0)
    [root] = policy.launch(0.0)
    policy.on_block(root, 2.0, children=[1, 2])
    assert policy.ewma_ms == {}
    sent = policy.launch(2.0)
    policy.on_block(sent[0], 402.0, children=[])
    assert policy.ewma_ms == {sent[0].peer: 400.0}


def test_a_peer_dropped_as_slow_is_still_asked_for_a_block_no_one_else_has():
    # A swarm's only seed is slow because every leech shares its upload; leeches lack blocks at first.
    policy = _accelerated(["seed", "leech"])
    policy.ewma_ms.update({"seed": 100.0, "leech": 100.0})
    policy.start(0)
    [first] = policy.launch(0.0)
    [hedge] = policy.hedges(400.0)
    assert (first.peer, hedge.peer) == ("seed", "leech")
    policy.on_block(hedge, 450.0, children=[1])
    assert policy.peers == ["leech"] and "seed" in policy.bad
    [ask] = policy.launch(450.0)
    assert ask.peer == "leech"
    policy.on_missing(ask)  # the leech does not hold block 1 yet
    [fallback] = policy.launch(451.0)
    assert (fallback.block, fallback.peer) == (1, "seed") and policy.error is None


def test_ewma_folds_samples_with_alpha():
    policy = _accelerated(["a"], ewma_alpha=0.5)
    policy.record_sample("a", 100.0)
    policy.record_sample("a", 200.0)
    assert policy.ewma_ms["a"] == 150.0


@pytest.mark.parametrize(("ewma_ms", "expected_ms"), [(None, 2000.0), (10.0, 250.0), (100.0, 400.0)])
def test_hedge_delay_is_duplicate_after_times_ewma_with_a_floor(ewma_ms, expected_ms):
    policy = _accelerated(["a", "b"])
    if ewma_ms is not None:
        policy.ewma_ms["a"] = ewma_ms
    assert policy.hedge_after_ms("a") == expected_ms


def test_a_peer_beaten_by_its_hedge_is_dropped_and_a_reserve_promoted():
    policy = _accelerated(["a", "b", "r"], max_providers=2)
    policy.ewma_ms.update({"a": 100.0, "b": 100.0})
    policy.start(0)
    [first] = policy.launch(now_ms=0.0)
    assert policy.next_hedge_ms() == 400.0
    assert policy.hedges(now_ms=399.0) == []
    [hedge] = policy.hedges(now_ms=400.0)
    assert (first.peer, hedge.peer, hedge.hedge) == ("a", "b", True)
    assert policy.hedges(now_ms=500.0) == []  # one duplicate per block at most
    cancelled = policy.on_block(hedge, 450.0, children=[])
    assert cancelled == [first]
    assert policy.peers == ["b", "r"] and policy.reserve == []
    assert policy.bad == {"a": "too slow: no answer in 450 ms"}
    assert policy.slow_drops == 1 and policy.requests == 0 and policy.finished


def test_a_failed_peer_is_dropped_and_its_other_blocks_go_elsewhere():
    policy = _accelerated(["a", "b"])
    policy.start(0)
    [root] = policy.launch(0.0)
    policy.on_block(root, 1.0, children=[1, 2, 3])
    sent = policy.launch(1.0)
    assert [r.peer for r in sent] == ["a", "b", "a"]
    cancelled = policy.on_failure(sent[0], "failed: reset")
    assert cancelled == [sent[2]]  # a's other request will not be answered either
    assert policy.bad == {"a": "failed: reset"} and policy.peers == ["b"]
    assert [(r.block, r.peer) for r in policy.launch(2.0)] == [(1, "b"), (3, "b")]


def test_a_404_rules_the_peer_out_for_that_block_only():
    policy = get_strategy("standard").policy(["a", "b"])
    policy.start(0)
    [root] = policy.launch(0.0)
    policy.on_missing(root)
    [again] = policy.launch(1.0)
    assert again.peer == "b" and policy.bad == {}
    policy.on_block(again, 2.0, children=[1])
    assert [r.peer for r in policy.launch(3.0)] == ["a"]


def test_no_usable_peer_ends_with_an_error_naming_the_block():
    policy = get_strategy("standard").policy(["a"])
    policy.start("root-cid")
    [root] = policy.launch(0.0)
    policy.on_missing(root)
    assert policy.launch(1.0) == [] and policy.finished
    assert policy.error == "no provider has block root-cid"


def test_standard_asks_one_provider_one_block_at_a_time_and_never_hedges():
    policy = get_strategy("standard").policy(["a", "b", "c"])
    assert policy.peers == ["a", "b", "c"] and policy.window == 1
    policy.start(0)
    [root] = policy.launch(0.0)
    policy.on_block(root, 5.0, children=[1, 2])
    [one] = policy.launch(5.0)
    assert one.peer == "a" and policy.launch(5.0) == []
    assert policy.next_hedge_ms() is None and policy.hedges(1e9) == []
    policy.on_failure(one, "failed: timeout")
    assert [r.peer for r in policy.launch(6.0)] == ["b"]


def test_split_units_cuts_equal_leaves_into_equal_runs():
    units = [Unit(i, 256 * KIB) for i in range(64)]
    runs = split_units(units, 8)
    assert [len(r) for r in runs] == [8] * 8
    assert [u.block for r in runs for u in r] == list(range(64))  # contiguous, in file order
    assert [len(r) for r in split_units(units[:32], 3)] == [11, 10, 11]


def test_split_units_keeps_every_run_non_empty():
    units = [Unit(0, 10 * KIB * KIB), Unit(1, 1), Unit(2, 1)]
    assert [[u.block for u in r] for r in split_units(units, 3)] == [[0], [1], [2]]
    assert split_units(units, 0) == [] and split_units([], 4) == []


def test_range_split_opens_only_subtrees_too_big_to_balance_and_hands_each_peer_one_run():
    policy = get_strategy("range-split").policy(["p0", "p1", "p0"])
    assert policy.peers == ["p0", "p1"]
    units = [Unit("big", 2048 * KIB, whole=True), Unit("small", 1024 * KIB, whole=True)]
    assert policy.to_open(units) == [Unit("big", 2048 * KIB)]  # > 1.5 MiB each of 2 peers
    leaves = [Unit(i, 256 * KIB) for i in range(8)]
    plan = policy.assign(leaves)
    assert [(p, [u.block for u in run]) for p, run in plan] == [("p0", [0, 1, 2, 3]), ("p1", [4, 5, 6, 7])]
    assert policy.assign(leaves) == []  # both peers busy
    policy.on_failure("p0", "range: reset")
    policy.release("p1")
    assert [p for p, _ in policy.assign(leaves)] == ["p1"] and policy.bad == {"p0": "range: reset"}
