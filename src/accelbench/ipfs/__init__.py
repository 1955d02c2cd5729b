"""IPFS content addressing (UnixFS, CAR), Trustless Gateway peers, retrieval strategies, network shaping.

Import the submodules you need: `accelbench.ipfs.unixfs`, `.car`, `.gateway`, `.transport`,
`.strategies`, `.swarm`, `.metrics`. Nothing heavy is imported here.
"""
