"""Findings: stable codes, a level, a message and the place in the org chart they are about.

The rules are values here, in the model, because the layers below the analyses need
them: the policy reader checks ignore codes against them and a finding's `key` asks
its rule what it is about. Each rule's documentation (a module docstring with a
passing and a failing example) and the code that makes its findings live in one
module per rule under `clientchain.analyses.rules`, which lists them in its registry.

A rule's `template` is its message, `str.format` style. A finding carries the facts
its message states as `data` (ids, amounts, counts, ratios as JSON values), so tools
read them instead of parsing the message; the message is the template filled with the
same facts as people read them (thousands separators, currency, the plural s).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from string import Formatter
from typing import TYPE_CHECKING, Any, overload

from clientchain.model.holder import holder, value_class
from clientchain.model.rounding import amount_texts

if TYPE_CHECKING:  # numpy is imported where findings are made: `explain` needs none
    import numpy.typing as npt

    IntArray = npt.NDArray[Any]  # as model.org's (which imports this module, through policy)
    FloatArray = npt.NDArray[Any]


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class About(StrEnum):
    """What a rule's findings are about: the subject an ignore entry must name."""

    ROLE = "role"
    PAIR = "pair"  # a boss/subordinate pair (the finding's role is the subordinate)
    CLIENT = "client"
    ORG = "org"  # the organisation as a whole
    POLICY = "policy"  # the policy or baseline itself: never ignored, never baselined


Value = str | int | float | None  # a JSON scalar
Data = tuple[tuple[str, Value], ...]  # (name, value) pairs, in the order the rule documents


@value_class(slots=True)
class Rule:
    """A finding rule: its code, its level, and how its findings are written."""

    code: str
    name: str
    level: Level
    summary: str  # what the finding means, one sentence
    help: str  # what to do about it, for SARIF rule help and the docs
    template: str  # the message, str.format style: the finding's data as people read it
    about: About = About.ROLE

    @property
    def fields(self) -> tuple[str, ...]:
        """The names the template fills in, in order of first use."""
        names = (name for _, name, _, _ in Formatter().parse(self.template) if name)
        return tuple(dict.fromkeys(names))

    def message(self, **shown: object) -> str:
        """The template filled in with each field as people read it."""
        return self.template.format_map(shown)


# Codes are never renumbered; new rules take the next free number. CC1xx are
# findings about the organisation itself, CC2xx about its policy (the `policy:`
# block, the command-line limits and the baseline).
INVERTED_RELATIONSHIP = Rule(
    "CC101",
    "inverted-relationship",
    Level.ERROR,
    "A boss is a net payer of a subordinate: the boss acts as the subordinate's client.",
    "Make the subordinate serve the people whose money reaches it: route the budget "
    "through a client relationship, or record the flows that carry revenue up. If the "
    "inversion is intended, ignore it in the policy block with a reason.",
    "'{boss}' is a net payer of its {dotted}subordinate '{subordinate}' (net {net} flows "
    "down {levels} level{s}): the boss acts as the subordinate's client",
    About.PAIR,
)
NO_PAYING_CLIENT = Rule(
    "CC102",
    "no-paying-client",
    Level.WARNING,
    "None of the money that reaches this role comes from a paying client.",
    "Add the flows that connect this role to a paying client, or question why it exists.",
    "'{role}' receives {what}",
)
CLIENT_PAYS_NOBODY = Rule(
    "CC103",
    "client-pays-nobody",
    Level.WARNING,
    "A client is listed but no money flows from it: a missing flow, or a stale entry.",
    "Add the flows from this client, or remove it from 'clients'.",
    "client '{client}' pays no role: add its flows or remove it",
    About.CLIENT,
)
VACANCY_WITH_REPORTS = Rule(
    "CC104",
    "vacancy-with-reports",
    Level.WARNING,
    "A vacant role (headcount 0) has roles reporting to it: nobody holds that chain together.",
    "Fill the role, or move its reports to a role that is held.",
    "'{role}' is vacant (headcount 0) but {reports} role{s} report{verb_s} to it",
)
PAID_BY_OTHERS = Rule(
    "CC105",
    "paid-by-others",
    Level.WARNING,
    "A role serves someone, but none of its money comes from those it serves.",
    "Let the clients or roles it serves pay for its work (a charge, a share of the "
    "revenue), or say whom it really serves.",
    "'{role}' serves {whom}, but none of its money comes from them: it is paid by others",
)
FRAGMENTED_CLIENT = Rule(
    "CC106",
    "fragmented-client",
    Level.WARNING,
    "A client's touchpoints span two or more departments and no role below a top holds "
    "them all: nobody owns the relationship.",
    "Give the client an owner below the top (a Chief Client Officer, an account director) "
    "whose part of the organisation holds every role that serves it or is paid by it.",
    "client '{client}' is served across {department_count} departments ({departments}) and "
    "no role below a top holds them all: nobody owns the relationship",
    About.CLIENT,
)
OWNER_OUT_OF_REACH = Rule(
    "CC107",
    "owner-out-of-reach",
    Level.WARNING,
    "Some roles that serve a client or are paid by it lie outside its owner's solid subtree.",
    "Move those roles under the owner, or give the client an owner whose part of the "
    "organisation holds them all.",
    "client '{client}' is owned by '{owner}', but {outside_count} of its {touchpoints} "
    "touchpoint{s} lie{verb_s} outside the owner's reach: {outside}",
    About.CLIENT,
)
ORG_ALIENATION_ABOVE_LIMIT = Rule(
    "CC201",
    "org-alienation-above-limit",
    Level.ERROR,
    "The organisation's alienation is above the policy's max_org_alienation.",
    "Bring roles closer to the paying clients, or raise the limit in the policy block.",
    "org alienation {alienation} is above the policy's limit {limit} (max_org_alienation)",
    About.ORG,
)
ROLE_ALIENATION_ABOVE_LIMIT = Rule(
    "CC202",
    "role-alienation-above-limit",
    Level.ERROR,
    "A role's alienation is above the policy's max_role_alienation.",
    "Give the role a shorter path to a paying client, or ignore it in the policy block "
    "with a reason.",
    "'{role}' has alienation {alienation}, above the policy's limit {limit} (max_role_alienation)",
)
INVERSION_TOO_DEEP = Rule(
    "CC203",
    "inversion-too-deep",
    Level.ERROR,
    "An inverted relationship spans more levels than the policy's max_levels_inverted.",
    "Remove the inversion, or shorten the reporting line between boss and subordinate.",
    "'{boss}' is a net payer of '{subordinate}', {levels} levels below it; the policy "
    "tolerates inversions of at most {limit} level{s} (max_levels_inverted)",
    About.PAIR,
)
UNUSED_IGNORE = Rule(
    "CC204",
    "unused-ignore",
    Level.WARNING,
    "A policy ignore entry matches no finding: the problem it excused is gone.",
    "Delete the ignore entry, so the policy keeps only the exceptions still needed.",
    "ignore entry for {entry_code} ({subject}) matches no finding: delete it",
    About.POLICY,
)
STALE_BASELINE_ENTRY = Rule(
    "CC205",
    "stale-baseline-entry",
    Level.WARNING,
    "A baseline entry matches no finding: the problem it recorded is gone.",
    "Write the baseline again (--write-baseline) so it only shrinks.",
    "baseline entry {entry_code} {subject} matches no finding any more: write the baseline again",
    About.POLICY,
)
TOO_MANY_LAYERS = Rule(
    "CC206",
    "too-many-layers",
    Level.ERROR,
    "A role sits on a layer deeper than the policy's max_layers.",
    "Flatten the reporting line above the role (fewer managers between it and the top), "
    "or raise the limit in the policy block.",
    "'{role}' is on layer {layer}, deeper than the policy's limit of {limit} layer{s} (max_layers)",
)
SPAN_BELOW_LIMIT = Rule(
    "CC207",
    "span-below-limit",
    Level.ERROR,
    "A manager has fewer direct reports than the policy's min_span.",
    "Merge the manager's team with another, or move the reports up a level.",
    "'{role}' has {span} direct report{s}, fewer than the policy's minimum of {limit} (min_span)",
)
SPAN_ABOVE_LIMIT = Rule(
    "CC208",
    "span-above-limit",
    Level.ERROR,
    "A manager has more direct reports than the policy's max_span.",
    "Split the team under a second manager, or raise the limit in the policy block.",
    "'{role}' has {span} direct reports, more than the policy's maximum of {limit} (max_span)",
)
RULES: tuple[Rule, ...] = (
    INVERTED_RELATIONSHIP,
    NO_PAYING_CLIENT,
    CLIENT_PAYS_NOBODY,
    VACANCY_WITH_REPORTS,
    PAID_BY_OTHERS,
    FRAGMENTED_CLIENT,
    OWNER_OUT_OF_REACH,
    ORG_ALIENATION_ABOVE_LIMIT,
    ROLE_ALIENATION_ABOVE_LIMIT,
    INVERSION_TOO_DEEP,
    UNUSED_IGNORE,
    STALE_BASELINE_ENTRY,
    TOO_MANY_LAYERS,
    SPAN_BELOW_LIMIT,
    SPAN_ABOVE_LIMIT,
)
RULE_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One result of a rule, about one role (or client), at its place in the org chart."""

    file: str
    line: int
    code: str
    role: str
    message: str
    level: Level
    rule: str
    client: str | None = None  # set when the finding is about a client, not a role
    boss: str | None = None  # set when the finding is about a boss/subordinate pair (role)
    # The facts the message states, as (name, value) pairs (the JSON document's `data`).
    # Not compared: they are what `message` says, so equality, hashing and order stay
    # those of the message and the subject.
    data: Data = field(default=(), compare=False)

    @property
    def key(self) -> tuple[str, ...]:
        """What the finding is about, never where: (code, role, boss, client); '' = none.

        Baselines, fingerprints and `diff` match findings by this key, so a finding
        keeps its identity when lines move or messages are reworded.
        """
        key = (self.code, self.role, self.boss or "", self.client or "")
        rule = RULE_BY_CODE.get(self.code)
        # Findings about the policy itself have no subject of their own: the message
        # (which names the ignore entry or baseline entry) tells them apart.
        return (*key, self.message) if rule is not None and rule.about is About.POLICY else key

    @property
    def fingerprint(self) -> str:
        """A stable hex digest of `key` (GitLab Code Quality, SARIF partialFingerprints)."""
        import hashlib  # here: a run without SARIF or GitLab output needs no hashing

        return hashlib.sha256("\x1f".join(("clientchain/1", *self.key)).encode()).hexdigest()

    @classmethod
    def of(
        cls, rule: Rule, role: str, file: str, line: int, message: str, data: Data = ()
    ) -> Finding:
        return cls(file, line, rule.code, role, message, rule.level, rule.name, data=data)

    @classmethod
    def of_pair(
        cls,
        rule: Rule,
        boss: str,
        subordinate: str,
        file: str,
        line: int,
        message: str,
        data: Data = (),
    ) -> Finding:
        """A finding about a boss/subordinate pair, placed at the subordinate."""
        return cls(
            file, line, rule.code, subordinate, message, rule.level, rule.name, None, boss, data
        )

    @classmethod
    def of_client(
        cls, rule: Rule, client: str, file: str, line: int, message: str, data: Data = ()
    ) -> Finding:
        return cls(file, line, rule.code, "", message, rule.level, rule.name, client, data=data)


def finding_order(f: Finding) -> tuple[object, ...]:
    """Findings by place, then code and subject: the order every output lists them in."""
    return (f.file, f.line, f.code, f.role, f.message, f.level, f.rule, f.client, f.boss)


# Findings are read in chunks of this many when iterated: a million findings are never
# all held as objects at once.
CHUNK = 8192
NO_SUBJECT = -1  # a finding's node where it names no role, boss or client


@holder(slots=True)
class Ids:
    """Ids of the org chart's nodes by number: roles 0..n-1, then clients (n + client)."""

    node: IntArray


@holder(slots=True)
class MaybeIds:
    """Ids of nodes by number, -1 where a finding has none (null)."""

    node: IntArray


@holder(slots=True)
class Choice:
    """One of a few texts per finding: `options[index]` (a message's optional word)."""

    options: tuple[str, ...]
    index: IntArray


@holder(slots=True)
class Money:
    """Amounts already rounded by `moneys`, as `rounded_money_text` writes each one
    (thousands separators, the input's decimals, the currency after a space)."""

    amount: IntArray
    decimals: int
    currency: str | None

    def texts(self) -> list[str]:
        """Each amount's text (amount_texts: one bound format method over the column)."""
        suffix = " " + self.currency if self.currency else ""
        return amount_texts(self.amount, self.decimals, suffix)


@holder(slots=True)
class Phrases:
    """A text of each finding made of pieces, some of them ids: finding i's text is its
    pieces `piece[ptr[i]:ptr[i + 1]]` in order, a piece `n >= 0` the id of node n and a
    piece `-1 - k` the text `texts[k]` ('a', 'b' and 3 more, of varying length)."""

    ptr: IntArray
    piece: IntArray
    texts: tuple[str, ...]

    def text(self, ids: Sequence[str], i: int) -> str:
        """Finding i's text, given every node's id."""
        pieces = self.piece[int(self.ptr[i]) : int(self.ptr[i + 1])].tolist()
        return "".join(ids[n] if n >= 0 else self.texts[-1 - n] for n in pieces)


@holder(slots=True)
class Floats:
    """Floats kept as they are (a ratio's 0.0 stays 0.0; not `plain_number`'s 0), NaN
    for null."""

    values: FloatArray


if TYPE_CHECKING:  # aliases of numpy arrays: for the type checker only
    # A template field of each finding as people read it: ids, a choice of texts, an
    # amount, integers (shown as written), a text of ids and words, or any text.
    Shown = Ids | Choice | Money | Phrases | list[str] | IntArray
    # A `data` value of each finding: ids, numbers (floats as `plain_number` writes
    # them, or kept as they are), or one JSON value that every finding shares (an org's
    # currency).
    Fact = Ids | MaybeIds | IntArray | Floats | Value


@holder(slots=True)
class FindingColumns:
    """What findings at some rows of one rule say, as columns: enough to write them
    without making a `Finding` each (a million CC101 findings in a budget-funded body).

    The message is the rule's template filled with `shown`; `data` lists the facts in
    the order of the findings' `data`. `role`, `boss`, `client`: None when the rule's
    findings have none (a role of "", no boss, no client).
    """

    role: Ids | None
    boss: Ids | None
    client: Ids | None
    shown: dict[str, Shown]
    data: tuple[tuple[str, Fact], ...]


@holder
class FindingRows:
    """One rule's findings as columns, made into `Finding`s only when read.

    `line` holds each finding's line (all in `file`), `build(rows)` makes the findings
    at those row numbers, in that order. A rule with a million findings (every
    reporting line of a budget-funded body inverted) costs a few arrays, not a million
    objects and messages, until someone reads them.
    """

    rule: Rule
    file: str
    line: IntArray
    build: Callable[[list[int]], list[Finding]]
    # The same findings' columns at those rows, for writers that need no objects; None:
    # the rule has few findings, and writers make them.
    columns: Callable[[IntArray], FindingColumns] | None = None

    def __len__(self) -> int:
        return int(self.line.size)

    @classmethod
    def of(cls, rule: Rule, file: str, found: list[Finding]) -> FindingRows:
        """Findings already made (rules with a handful: one per client)."""
        import numpy as np

        line = np.fromiter((f.line for f in found), dtype=np.int64, count=len(found))
        return cls(rule, file, line, lambda rows: [found[i] for i in rows])

    def subjects(self) -> list[IntArray] | None:
        """Per subject (role, boss, client): each finding's node number, NO_SUBJECT where
        it names none; None without columns, or where a subject is no column of ids.
        Read a chunk of rows at a time: of each chunk's columns only these stay."""
        import numpy as np

        if self.columns is None:
            return None
        out: list[list[IntArray]] = [[], [], []]
        for lo in range(0, len(self), CHUNK):
            columns = self.columns(np.arange(lo, min(lo + CHUNK, len(self))))
            for k, ids in enumerate((columns.role, columns.boss, columns.client)):
                if ids is None:
                    out[k].append(np.full(min(CHUNK, len(self) - lo), NO_SUBJECT, np.int64))
                elif isinstance(ids, Ids):
                    out[k].append(ids.node.astype(np.int64))
                else:
                    return None
        return [np.concatenate(chunks) if chunks else np.zeros(0, np.int64) for chunks in out]

    def subset(self, rows: IntArray) -> FindingRows:
        """These findings at only these rows (in this order)."""
        import numpy as np

        if rows.size == len(self) and (rows == np.arange(rows.size)).all():
            return self
        build, columns = self.build, self.columns

        def build_rows(at: list[int]) -> list[Finding]:
            return build(rows[np.asarray(at, dtype=np.int64)].tolist())

        return FindingRows(
            self.rule,
            self.file,
            self.line[rows],
            build_rows,
            None if columns is None else lambda at: columns(rows[at]),
        )


def _by_file_line_code_row(
    file: IntArray, line: IntArray, code: IntArray, row: IntArray, distinct: bool
) -> IntArray:
    """np.lexsort((row, code, line, file)): the four packed into one integer when they
    fit, and sorted at once (a quarter of the time at a million findings). `distinct`:
    no two findings share all four, so the fastest (unstable) sort gives that order."""
    import numpy as np

    keys = (file, line, code, row)
    bounds = [int(k.max()) + 1 for k in keys]
    if min(int(k.min()) for k in keys) < 0 or math.prod(bounds) >= 2**62:
        return np.lexsort((row, code, line, file))
    key = ((file * bounds[1] + line) * bounds[2] + code) * bounds[3] + row
    return np.argsort(key) if distinct else np.argsort(key, kind="stable")


class Findings(Sequence[Finding]):
    """Findings of several rules in `finding_order`, made from their rows when read.

    Behaves like the tuple of those findings (indexing, slicing, iteration, equality);
    `rows(lo, hi)` gives the columns behind findings lo..hi-1 without making them.
    """

    def __init__(self, parts: Sequence[FindingRows]) -> None:
        import numpy as np

        self.parts = tuple(parts)
        sizes = [len(p) for p in self.parts]
        part = np.repeat(np.arange(len(self.parts), dtype=np.int64), sizes)
        row = np.concatenate(
            [np.arange(n, dtype=np.int64) for n in sizes] or [np.zeros(0, np.int64)]
        )
        self.part, self.row = self._ordered(part, row)

    def _ordered(self, part: IntArray, row: IntArray) -> tuple[IntArray, IntArray]:
        """finding_order without making the findings: by (file, line, code) in numpy;
        only runs that tie on all three are made and compared whole (rare: a role with
        two inverted bosses)."""
        import numpy as np

        if not part.size:
            return part, row
        files = sorted({p.file for p in self.parts})
        codes = sorted({p.rule.code for p in self.parts})
        file_rank = np.asarray([files.index(p.file) for p in self.parts], dtype=np.int64)
        code_rank = np.asarray([codes.index(p.rule.code) for p in self.parts], dtype=np.int64)
        line = np.concatenate([p.line for p in self.parts])
        # Each part one (file, rule)? Then (file, line, code, row) never repeats.
        distinct = len({(p.file, p.rule.code) for p in self.parts}) == len(self.parts)
        order = _by_file_line_code_row(file_rank[part], line, code_rank[part], row, distinct)
        part, row, line = part[order], row[order], line[order]
        file_at, code_at = file_rank[part], code_rank[part]
        same = (line[1:] == line[:-1]) & (code_at[1:] == code_at[:-1])
        same &= file_at[1:] == file_at[:-1]
        if same.any():
            tied = np.flatnonzero(np.r_[same, False] | np.r_[False, same])
            run = np.cumsum(np.r_[True, ~same[tied[:-1]]])
            made = self._make(part[tied], row[tied])
            # Within each run the whole finding_order decides (message, level, ...).
            rank = sorted(range(tied.size), key=lambda i: (int(run[i]), finding_order(made[i])))
            pick = tied[np.asarray(rank, dtype=np.int64)]
            part[tied], row[tied] = part[pick], row[pick]
        return part, row

    def _make(self, part: IntArray, row: IntArray) -> list[Finding]:
        """The findings at (part, row) pairs, in that order; each part builds its own."""
        import numpy as np

        made: list[Finding | None] = [None] * part.size
        # Distinct parts: np.unique's result for small non-negative ints, without its
        # import of numpy.ma (6 ms on a first call).
        for p in np.flatnonzero(np.bincount(part)).tolist():
            at = np.flatnonzero(part == p)
            for i, f in zip(at.tolist(), self.parts[p].build(row[at].tolist()), strict=True):
                made[i] = f
        return made  # type: ignore[return-value]  # every slot filled above

    def __len__(self) -> int:
        return int(self.part.size)

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Finding, ...]: ...

    def __getitem__(self, index: int | slice) -> Finding | tuple[Finding, ...]:
        if isinstance(index, slice):
            return tuple(self._make(self.part[index], self.row[index]))
        n = len(self)
        if not -n <= index < n:
            raise IndexError("finding index out of range")
        i = index % n
        return self._make(self.part[i : i + 1], self.row[i : i + 1])[0]

    def __iter__(self) -> Iterator[Finding]:
        for lo in range(0, len(self), CHUNK):
            yield from self._make(self.part[lo : lo + CHUNK], self.row[lo : lo + CHUNK])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Findings | tuple | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # compared like a tuple, but not hashable

    def __repr__(self) -> str:
        return f"Findings({tuple(self)!r})"

    def level_count(self, level: Level) -> int:
        """How many findings have this level (no finding made)."""
        import numpy as np

        levels = np.asarray([p.rule.level is level for p in self.parts], dtype=bool)
        return int(np.count_nonzero(levels[self.part])) if self.parts else 0

    def ranks(self) -> list[IntArray]:
        """For each part, each of its rows' place among the findings."""
        import numpy as np

        rank = [np.empty(len(p), dtype=np.int64) for p in self.parts]
        for p in range(len(self.parts)):
            at = np.flatnonzero(self.part == p)
            rank[p][self.row[at]] = at
        return rank

    def rows(self, lo: int, hi: int) -> list[tuple[FindingRows, IntArray, IntArray]]:
        """The columns behind findings lo..hi-1: per rule with findings there, its
        `FindingRows`, the rows it holds and their places (lo-based) in this range. Every
        finding of a rule has its rule's code, name and level, and `file`."""
        import numpy as np

        part, row = self.part[lo:hi], self.row[lo:hi]
        found = []
        for p in np.flatnonzero(np.bincount(part)).tolist():  # distinct, as in _make
            at = np.flatnonzero(part == p)
            found.append((self.parts[p], row[at], at))
        return found
