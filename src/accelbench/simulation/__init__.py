"""The IPFS network topology simulator (SimPy + networkx) and its calibration against real peers.

Public surface (heavy modules load on first use):
    SimulationConfig, simulate(config, calibration) -> SimulationResult     (simulator.py)
    build_topology(kind, nodes, seed=...)                                    (topology.py)
    max_min_fair_rates(flows, capacity, flow_cap)                            (fluid.py)
    Kademlia(nodes, seed=...).walk(start, key)                               (dht.py)
    graph_metrics(graph)                                                     (metrics.py)
    store_simulation(store, result), load_calibration(store)                 (storage.py)
    fit_calibration(scenarios), measure_scenarios(scenarios)                 (calibration.py, realpeers.py)
    write_topology_html(...)                                                 (visualize.py)
    parallel_fill(groups, capacity): numpy max-min for large components      (waterfill.py)
Every figure the simulator produces is simulated and stored with is_simulated = true.
"""
