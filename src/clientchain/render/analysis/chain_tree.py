"""`clientchain chain`: the hand-over tree of one role as a rich Tree."""

from __future__ import annotations

from rich.text import Text
from rich.tree import Tree

from clientchain.analyses.chain import Hop, Stop
from clientchain.model.org import Org
from clientchain.model.rounding import format_amount
from clientchain.model.visible import clip

_NOTES = {
    Stop.CLIENT: ("paying client", "green"),
    Stop.NO_INFLOW: ("no inflow: this money has no paying origin", "red"),
    Stop.CYCLE: ("already higher on this branch: money loop, cut here", "yellow"),
    Stop.DEPTH: ("deeper hand-overs not shown (--max-depth)", "dim"),
    Stop.SIZE: ("more payers not shown (--max-nodes)", "dim"),
}


def _label(org: Org, hop: Hop, root: bool) -> Text:
    text = Text(clip(org.node_id(hop.node)), style="bold" if root else "")
    amount = format_amount(hop.amount, org.amount_decimals)
    money = f"{amount} {clip(org.currency)}" if org.currency else amount
    if root:
        text.append(f"  inflow {money}", style="dim")
    else:
        text.append(f"  pays {money} ({hop.fraction:.1%} of the inflow above)")
        text.append(f"  · {hop.share:.1%} of the total", style="cyan")
    note = _NOTES.get(hop.stop)
    if note is not None:
        text.append(f"  [{note[0]}]", style=note[1])
    return text


def render_chain(org: Org, root: Hop) -> Tree:
    """The tree, built with an explicit stack (a chain may be thousands of hand-overs deep)."""
    tree = Tree(_label(org, root, root=True))
    stack: list[tuple[Hop, Tree]] = [(root, tree)]
    while stack:
        hop, branch = stack.pop()
        children = [(child, branch.add(_label(org, child, root=False))) for child in hop.payers]
        stack.extend(reversed(children))
    return tree
