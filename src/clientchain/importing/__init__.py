"""From what organisations hold (HR exports, ledgers, budgets) to clientchain's inputs."""
