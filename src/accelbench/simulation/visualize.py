"""A self-contained interactive HTML view of a stored simulation's topology (no network needed).

The topology is rebuilt from the stored config (it is seeded), nodes are drawn at their
positions (the ones link latency is derived from) and coloured by role, edges coloured and
widened by the bytes they carried. One canvas and ~60 lines of inline JavaScript: hover shows a
node's id, role, class and degree; the wheel zooms; dragging pans. No CDN, no external file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accelbench.errors import InputError

if TYPE_CHECKING:
    from accelbench.storage import Store

ROLE_COLOURS = {"seed": "#d62728", "leech": "#1f77b4", "relay": "#9a9a9a"}


def load_view(store: Store, benchmark_id: int, strategy: str | None = None) -> dict[str, Any]:
    """Nodes, edges with load, roles and metrics of one stored simulation, ready to draw."""
    from accelbench.simulation.topology import build_topology

    rows = store.query(
        "SELECT m.strategy, m.simulation_reason, t.simulation_config, t.simulation_results"
        " FROM ipfs_acceleration_metrics m JOIN network_topology_simulation t ON t.ipfs_metric_id = m.id"
        " WHERE m.benchmark_id = ? AND m.is_simulated ORDER BY m.id",
        [benchmark_id],
    )
    if not rows:
        raise InputError(
            f"no simulation with benchmark id {benchmark_id} in {store.path}", field="--benchmark-id"
        )
    if strategy is not None:
        rows = [r for r in rows if r["strategy"] == strategy]
        if not rows:
            raise InputError(f"simulation {benchmark_id} has no strategy '{strategy}'", field="--strategy")
    row = rows[0]
    config, results = json.loads(row["simulation_config"]), json.loads(row["simulation_results"])
    topo = build_topology(config["topology"], config["nodes"], seed=config["seed"], degree=config["degree"])
    roles = ["relay"] * topo.node_count
    for n in results["leeches"]:
        roles[n] = "leech"
    for n in results["seeds"]:
        roles[n] = "seed"
        if config.get("seed_class"):
            topo.classes[n] = config["seed_class"]
    load = {(u, v): b for u, v, b in results["edge_bytes"]}
    edges = [
        [u, v, round(d["latency_ms"], 2), load.get((min(u, v), max(u, v)), 0)]
        for u, v, d in topo.graph.edges(data=True)
    ]
    return {
        "benchmark_id": benchmark_id,
        "strategy": row["strategy"],
        "reason": row["simulation_reason"],
        "topology": config["topology"],
        "positions": [[round(x, 4), round(y, 4)] for x, y in topo.positions],
        "roles": roles,
        "classes": topo.classes,
        "edges": edges,
        "summary": results["summary"],
        "graph": results["graph"],
    }


def write_topology_html(view: dict[str, Any], path: str | Path) -> Path:
    """Write the view as one HTML file; returns its path."""
    data = json.dumps(view, default=str, allow_nan=False).replace("</", "<\\/")
    title = (
        f"accelbench simulation {view['benchmark_id']}: {view['topology']}, {view['strategy']} (simulated)"
    )
    s, g = view["summary"], view["graph"]
    facts = (
        f"{g['node_count']} nodes, avg degree {g['average_node_degree']:.2f}, diameter {g['network_diameter']}, "
        f"p50 time to last block {_ms(s.get('ttlb_p50_ms'))}, {view['reason']}"
    )
    legend = " ".join(f'<span style="color:{c}">&#9679; {r}</span>' for r, c in ROLE_COLOURS.items())
    html = _TEMPLATE.replace("__TITLE__", _esc(title)).replace("__FACTS__", _esc(facts))
    html = html.replace("__LEGEND__", legend).replace("__DATA__", data)
    html = html.replace("__COLOURS__", json.dumps(ROLE_COLOURS))
    out = Path(path)
    out.write_text(html, encoding="utf-8")
    return out


def _ms(value: Any) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f} ms"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>__TITLE__</title>
<style>body{margin:0;font:13px sans-serif}#bar{padding:6px 10px;background:#f4f4f4}
#tip{position:fixed;pointer-events:none;background:#fff;border:1px solid #888;padding:3px 6px;display:none}
canvas{display:block;cursor:grab}</style></head>
<body><div id="bar"><b>__TITLE__</b><br>__FACTS__<br>__LEGEND__
<span>edges: colour and width by bytes carried (grey: none). Wheel: zoom, drag: pan, hover: details.</span></div>
<canvas id="c"></canvas><div id="tip"></div>
<script>
const D = __DATA__, COL = __COLOURS__;
const cv = document.getElementById('c'), cx = cv.getContext('2d'), tip = document.getElementById('tip');
let W, H, k = 1, ox = 0, oy = 0, drag = null;
const deg = new Array(D.positions.length).fill(0);
D.edges.forEach(e => { deg[e[0]]++; deg[e[1]]++; });
const maxLoad = Math.max(1, ...D.edges.map(e => e[3]));
function size() { W = cv.width = innerWidth; H = cv.height = innerHeight - document.getElementById('bar').offsetHeight; draw(); }
function sx(p) { return (p[0] * Math.min(W, H) * 0.95 + 10) * k + ox; }
function sy(p) { return (p[1] * Math.min(W, H) * 0.95 + 10) * k + oy; }
function draw() {
  cx.clearRect(0, 0, W, H);
  for (const e of D.edges) {
    const a = D.positions[e[0]], b = D.positions[e[1]], t = e[3] ? Math.log1p(e[3]) / Math.log1p(maxLoad) : 0;
    cx.strokeStyle = e[3] ? `rgba(255,${Math.round(160 - 140 * t)},0,${0.3 + 0.7 * t})` : 'rgba(150,150,150,0.25)';
    cx.lineWidth = e[3] ? 0.5 + 3 * t : 0.5;
    cx.beginPath(); cx.moveTo(sx(a), sy(a)); cx.lineTo(sx(b), sy(b)); cx.stroke();
  }
  for (const role of ['relay', 'leech', 'seed']) {  // seeds last and largest, so none hides them
    const r = {relay: 1.5, leech: 3.5, seed: 6}[role];
    D.positions.forEach((p, i) => {
      if (D.roles[i] !== role) return;
      cx.fillStyle = COL[role]; cx.beginPath(); cx.arc(sx(p), sy(p), r, 0, 6.283); cx.fill();
      if (role === 'seed') { cx.strokeStyle = '#000'; cx.lineWidth = 1.5; cx.stroke(); }
    });
  }
}
function nearest(x, y) {
  let best = -1, bd = 64;
  D.positions.forEach((p, i) => { const d = (sx(p) - x) ** 2 + (sy(p) - y) ** 2; if (d < bd) { bd = d; best = i; } });
  return best;
}
cv.addEventListener('wheel', ev => {
  ev.preventDefault(); const f = ev.deltaY < 0 ? 1.2 : 1 / 1.2;
  ox = ev.offsetX - (ev.offsetX - ox) * f; oy = ev.offsetY - (ev.offsetY - oy) * f; k *= f; draw();
}, {passive: false});
cv.addEventListener('mousedown', ev => { drag = [ev.offsetX - ox, ev.offsetY - oy]; });
addEventListener('mouseup', () => { drag = null; });
cv.addEventListener('mousemove', ev => {
  if (drag) { ox = ev.offsetX - drag[0]; oy = ev.offsetY - drag[1]; draw(); return; }
  const i = nearest(ev.offsetX, ev.offsetY);
  if (i < 0) { tip.style.display = 'none'; return; }
  tip.textContent = `node ${i}: ${D.roles[i]}, ${D.classes[i]}, degree ${deg[i]}`;
  tip.style.left = (ev.clientX + 12) + 'px'; tip.style.top = (ev.clientY + 12) + 'px'; tip.style.display = 'block';
});
addEventListener('resize', size); size();
document.body.dataset.rendered = D.positions.length;
</script></body></html>
"""
