"""`clientchain chain`: the hand-over tree of one role as a rich Tree, fitted to the width.

Each payer's label is its phrases (who pays how much; which share of whose inflow; which
share of the total; the note) on as few lines as the room its depth leaves allows, a new
line only between two phrases: a figure is never split from its words, and an id too
long for the room is cut in the middle, not folded.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from rich.tree import Tree

from clientchain.analyses.chain import Hop, Stop
from clientchain.model.org import Org
from clientchain.model.rounding import format_amount
from clientchain.model.visible import clip
from clientchain.render.analysis.chain_json import chain_hops, chain_traced
from clientchain.render.text_fit import fit_words

_NOTES = {
    Stop.CLIENT: ("paying client", "green"),
    Stop.NO_INFLOW: ("no inflow: this money has no paying origin", "red"),
    Stop.CYCLE: ("already higher on this branch: money loop, cut here", "yellow"),
    Stop.DEPTH: ("deeper hand-overs not shown (--max-depth)", "dim"),
    Stop.SIZE: ("more payers not shown (--max-nodes)", "dim"),
}
SEPARATOR = " · "
GUIDE = 4  # characters of tree guide per level ("│   ", "├── ")


def _phrases(org: Org, hop: Hop, payee: int | None, room: int) -> list[Text]:
    """The label's phrases, each unbreakable but for the id it names."""
    name = Text(fit_words(org.node_id(hop.node), room), style="bold" if payee is None else "")
    amount = format_amount(hop.amount, org.amount_decimals)
    money = f"{amount} {clip(org.currency)}" if org.currency else amount
    if payee is None:
        phrases = [name.append(f"  inflow {money}", style="dim")]
    else:
        of = fit_words(org.node_id(payee), room)
        phrases = [
            name.append(f"  pays {money}"),
            Text(f"{hop.fraction:.1%} of {of}'s inflow"),
            Text(f"{hop.share:.1%} of the total", style="cyan"),
        ]
    note = _NOTES.get(hop.stop)
    if note is not None:
        phrases.append(Text(f"[{note[0]}]", style=note[1]))
    return phrases


def _label(org: Org, hop: Hop, payee: int | None, room: int) -> Text:
    """The phrases joined by ' · ', a new line wherever the next one would not fit."""
    phrases = _phrases(org, hop, payee, room)
    label = phrases[0]
    used = cell_len(label.plain)
    for phrase in phrases[1:]:
        size = cell_len(phrase.plain)
        if used + len(SEPARATOR) + size <= room:
            label.append(SEPARATOR)
            used += len(SEPARATOR) + size
        else:
            label.append("\n")
            used = size
        label.append_text(phrase)
    return label


class _Chain:
    """The tree and its closing line as rich renders them: laid out when the console
    says its width."""

    def __init__(self, org: Org, root: Hop, decay: float):
        self.org, self.root, self.decay = org, root, decay

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.tree(options.max_width)
        yield closing_line(self.org, self.root, self.decay)

    def tree(self, width: int) -> Tree:
        """Built with an explicit stack (a chain may be thousands of hand-overs deep)."""
        org = self.org
        tree = Tree(_label(org, self.root, None, width))
        stack: list[tuple[Hop, Tree, int]] = [(self.root, tree, 1)]
        while stack:
            hop, branch, depth = stack.pop()
            room = max(width - GUIDE * depth, 20)
            children = [
                (child, branch.add(_label(org, child, hop.node, room)), depth + 1)
                for child in hop.payers
            ]
            stack.extend(reversed(children))
        return tree


def closing_line(org: Org, root: Hop, decay: float) -> Text:
    """'Closeness at decay 0.5: 0.124; alienation 0.876': what the tree adds up to (a
    bound when the tree is cut), wrapped between words to the width."""
    traced, complete = chain_traced(chain_hops(org, root, decay))
    bound = "" if complete else " at least (the tree is cut: see the notes above)"
    most = "" if complete else " at most"
    return Text(
        f"Closeness at decay {decay:g}: {traced:.3f}{bound}; alienation {1 - traced:.3f}{most}"
    )


def render_chain(org: Org, root: Hop, decay: float) -> _Chain:
    """Where the root's money comes from, hand-over by hand-over, as a tree, and the
    closeness it adds up to at `decay`."""
    return _Chain(org, root, decay)
