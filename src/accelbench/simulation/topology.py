"""Seeded network topologies: node positions, capacity classes and link latency derived from distance.

Every node sits at a position in a square of side SQUARE_SIDE_KM (random uniform for the
graph-only generators, the generator's own position for random geometric and Waxman). A link's
one-way latency is its length at the speed of light in fibre plus a fixed per-hop cost for
switching and serialisation; the same formula gives the latency of a direct (underlay) message
between any two nodes, used for DHT RPCs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from accelbench.errors import InputError, require

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np

SQUARE_SIDE_KM = 10_000.0  # about the width of a continent pair; diagonal ~70 ms one way
FIBRE_KM_PER_MS = 200.0  # light in glass travels ~2/3 c: 200 km per millisecond
PER_HOP_MS = 0.5  # switching + serialisation per link, so short links are not free
TOPOLOGIES = ("barabasi-albert", "watts-strogatz", "random-geometric", "waxman")
TARGET_DEGREE = 6.0  # average degree the geometric generators are tuned to


@dataclass(frozen=True)
class CapacityClass:
    """A kind of node: access upload/download in Mbit/s and the speed of its links in Mbit/s."""

    name: str
    upload_mbps: float
    download_mbps: float
    link_mbps: float
    share: float  # fraction of nodes drawn in this class


CAPACITY_CLASSES = (
    CapacityClass("datacenter", 1000.0, 1000.0, 10_000.0, 0.10),
    CapacityClass("broadband", 20.0, 100.0, 1_000.0, 0.60),
    CapacityClass("mobile", 10.0, 40.0, 200.0, 0.30),
)
CLASS_BY_NAME = {c.name: c for c in CAPACITY_CLASSES}


@dataclass
class Topology:
    """A seeded graph with per-node positions and capacity classes and per-edge latency/capacity."""

    kind: str
    seed: int
    graph: nx.Graph  # edges carry latency_ms and capacity_mbps
    positions: np.ndarray  # (n, 2) in [0, 1]
    classes: list[str]  # capacity class name per node
    params: dict[str, Any] = field(default_factory=dict)
    access_mbps: dict[int, tuple[float, float]] = field(default_factory=dict)  # node -> (up, down) override

    @property
    def node_count(self) -> int:
        """Number of nodes."""
        return self.graph.number_of_nodes()

    def direct_latency_ms(self, a: int, b: int) -> float:
        """One-way latency of a direct (underlay) message between two nodes, in ms."""
        dx, dy = self.positions[a] - self.positions[b]
        return PER_HOP_MS + math.hypot(dx, dy) * SQUARE_SIDE_KM / FIBRE_KM_PER_MS

    def upload_mbps(self, node: int) -> float:
        """The node's access upload capacity in Mbit/s."""
        if node in self.access_mbps:
            return self.access_mbps[node][0]
        return CLASS_BY_NAME[self.classes[node]].upload_mbps

    def download_mbps(self, node: int) -> float:
        """The node's access download capacity in Mbit/s."""
        if node in self.access_mbps:
            return self.access_mbps[node][1]
        return CLASS_BY_NAME[self.classes[node]].download_mbps


def build_topology(
    kind: str,
    nodes: int,
    *,
    seed: int = 0,
    degree: float = TARGET_DEGREE,
    rewire_p: float = 0.1,
    waxman_alpha: float = 0.15,
) -> Topology:
    """Build a seeded topology of `nodes` nodes; same arguments give the same graph, edge for edge."""
    nx = require("networkx", "simulation")
    import numpy as np

    if kind not in TOPOLOGIES:
        raise InputError(
            f"unknown topology '{kind}'; expected one of {', '.join(TOPOLOGIES)}", field="topology"
        )
    if nodes < 2:
        raise InputError(f"need at least 2 nodes, got {nodes}", field="nodes")
    rng = np.random.default_rng(seed)
    positions = rng.random((nodes, 2))
    m = max(1, round(degree / 2))
    if kind == "barabasi-albert":
        graph = nx.barabasi_albert_graph(nodes, min(m, nodes - 1), seed=seed)
    elif kind == "watts-strogatz":
        graph = nx.watts_strogatz_graph(nodes, min(2 * m, nodes - 1), rewire_p, seed=seed)
    elif kind == "random-geometric":
        radius = math.sqrt(degree / (math.pi * nodes))
        pos = {i: tuple(p) for i, p in enumerate(positions)}
        graph = nx.random_geometric_graph(nodes, radius, pos=pos, seed=seed)
    else:
        graph = _waxman(nodes, positions, degree, waxman_alpha, rng)
    names = [c.name for c in CAPACITY_CLASSES]
    shares = np.array([c.share for c in CAPACITY_CLASSES])
    classes = [names[i] for i in rng.choice(len(names), size=nodes, p=shares / shares.sum())]
    topo = Topology(
        kind,
        seed,
        graph,
        positions,
        classes,
        {
            "nodes": nodes,
            "degree": degree,
            "rewire_p": rewire_p,
            "waxman_alpha": waxman_alpha,
            "square_side_km": SQUARE_SIDE_KM,
            "fibre_km_per_ms": FIBRE_KM_PER_MS,
            "per_hop_ms": PER_HOP_MS,
        },
    )
    for u, v, data in graph.edges(data=True):
        data["latency_ms"] = topo.direct_latency_ms(u, v)
        data["capacity_mbps"] = min(CLASS_BY_NAME[classes[u]].link_mbps, CLASS_BY_NAME[classes[v]].link_mbps)
    return topo


def _waxman(nodes: int, positions: np.ndarray, degree: float, alpha: float, rng: np.random.Generator):
    """Waxman graph, P(u~v) = beta * exp(-d / (alpha * L)), beta set for the target average degree.

    networkx's waxman_graph loops over all pairs in Python (minutes at 10,000 nodes); this does
    the same draw row-block by row-block in numpy.
    """
    import networkx as nx
    import numpy as np

    max_dist = math.sqrt(2.0)
    sample = rng.random((2000, 2, 2))
    d = np.linalg.norm(sample[:, 0] - sample[:, 1], axis=1)
    mean_p = float(np.exp(-d / (alpha * max_dist)).mean())
    beta = min(1.0, degree / max(1.0, (nodes - 1) * mean_p))
    graph = nx.Graph()
    graph.add_nodes_from(range(nodes))
    xs, ys = positions[:, 0], positions[:, 1]
    for start in range(0, nodes, 512):
        stop = min(nodes, start + 512)
        # only columns after the block start: each pair is drawn once, from its lower id
        dist = np.hypot(xs[start:stop, None] - xs[None, start:], ys[start:stop, None] - ys[None, start:])
        prob = beta * np.exp(dist * (-1.0 / (alpha * max_dist)))
        draw = rng.random(prob.shape) < prob
        us, vs = np.nonzero(np.triu(draw, k=1))
        graph.add_edges_from(zip((us + start).tolist(), (vs + start).tolist(), strict=True))
    return graph
