"""The org chart and its money as one graph, for graph tools and networkx."""
