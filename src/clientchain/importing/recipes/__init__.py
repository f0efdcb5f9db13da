"""Modelling recipes: flows that an org chart alone does not hold, made from what it does.

Each recipe reads a loaded org chart (and a file of budgets or recharges) and
returns the rows of a new flows file, exactly (decimals, never binary floats):

- `rollup`: revenue roll-up, each role passes the client money collected in its
  subtree up to its boss (a sales organisation);
- `budgets`: budgets down, each role receives its subtree's cost from its boss
  and the tops from a funder (a budget-funded organisation);
- `recharges`: internal recharges between cost centres or departments, as flows
  between the roles that head them.
"""
