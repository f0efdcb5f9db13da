"""The exported graph as DOT, Mermaid, GraphML or node-link JSON."""
