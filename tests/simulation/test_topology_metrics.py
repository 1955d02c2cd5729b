"""Topologies are seeded and reproducible; graph metrics equal networkx's, and large ones are estimates."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from accelbench.errors import InputError
from accelbench.simulation.metrics import graph_metrics
from accelbench.simulation.topology import (
    FIBRE_KM_PER_MS,
    PER_HOP_MS,
    SQUARE_SIDE_KM,
    TOPOLOGIES,
    build_topology,
)


@pytest.mark.parametrize("kind", TOPOLOGIES)
def test_same_seed_same_graph(kind):
    a, b = build_topology(kind, 300, seed=4), build_topology(kind, 300, seed=4)
    assert sorted(a.graph.edges) == sorted(b.graph.edges) and a.classes == b.classes
    assert sorted(build_topology(kind, 300, seed=5).graph.edges) != sorted(a.graph.edges)
    assert 3 < 2 * a.graph.number_of_edges() / 300 < 9  # tuned near the target degree of 6


def test_link_latency_is_distance_at_fibre_speed_plus_a_hop():
    topo = build_topology("waxman", 200, seed=0)
    u, v, data = next(iter(topo.graph.edges(data=True)))
    km = math.dist(topo.positions[u], topo.positions[v]) * SQUARE_SIDE_KM
    assert data["latency_ms"] == pytest.approx(PER_HOP_MS + km / FIBRE_KM_PER_MS)


def test_unknown_topology_is_a_user_error():
    with pytest.raises(InputError, match="unknown topology 'ring'"):
        build_topology("ring", 10)


def test_metrics_equal_networkx_on_a_small_graph():
    g = nx.karate_club_graph()
    m = graph_metrics(g)
    assert m["node_count"] == 34 and m["largest_component_size"] == 34
    assert m["average_node_degree"] == pytest.approx(2 * 78 / 34)
    assert m["network_diameter"] == nx.diameter(g) == 5
    assert m["average_path_length"] == pytest.approx(nx.average_shortest_path_length(g))
    assert m["clustering_coefficient"] == pytest.approx(nx.average_clustering(g))
    assert m["path_method"] == {"method": "exact"}


def test_paths_are_measured_on_the_largest_component():
    g = nx.disjoint_union(nx.path_graph(5), nx.complete_graph(3))
    m = graph_metrics(g)
    assert m["largest_component_size"] == 5 and m["component_count"] == 2
    assert m["network_diameter"] == 4 and m["average_path_length"] == pytest.approx(2.0)


def test_large_graphs_get_a_sampled_estimate_that_says_so():
    g = nx.barabasi_albert_graph(800, 3, seed=0)
    m = graph_metrics(g, exact_limit=200, sources=64)
    assert m["path_method"]["method"] == "sampled-bfs" and m["path_method"]["diameter"] == "lower bound"
    assert m["average_path_length"] == pytest.approx(nx.average_shortest_path_length(g), rel=0.03)
    assert m["network_diameter"] <= nx.diameter(g)
