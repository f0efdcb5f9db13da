"""Node-link JSON, as `networkx.node_link_data(graph, edges="links")` writes it.

`networkx.node_link_graph(json.loads(text), edges="links")` gives back the graph
of `clientchain.to_networkx(analysis, money="net")`: a MultiDiGraph whose edge
keys are "reports_to" and "money". Built straight from the export graph (no
networkx needed); keys sorted, nodes and links in the export's order.
"""

from __future__ import annotations

from typing import Any

import orjson

from clientchain.export.graph import ExportGraph


def node_link_data(graph: ExportGraph) -> dict[str, Any]:
    ids = [node.id for node in graph.nodes]
    return {
        "directed": True,
        "multigraph": True,
        "graph": dict(graph.attrs),
        "nodes": [{**node.attrs, "id": node.id} for node in graph.nodes],
        "links": [
            {**edge.attrs, "source": ids[edge.source], "target": ids[edge.target], "key": edge.kind}
            for edge in graph.edges
        ],
    }


def render_node_link(graph: ExportGraph) -> str:
    option = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
    return orjson.dumps(node_link_data(graph), option=option).decode("utf-8") + "\n"
