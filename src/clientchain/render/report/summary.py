"""The report's executive summary: a few sentences, each a count from the analysis.

What each sentence counts (over the whole organisation, whatever the report shows):

- scale: roles, people (headcount), paying clients (clients that pay any money in)
  and money in (summary.money_in);
- reach: people in roles that an external client pays directly (a direct client of
  relation `external`), of all people; org alienation in words (ALIENATION_WORDS);
- budgets: roles paid mostly through a boss's budget (the net money from its bosses,
  relation `boss`, is more than half of the net money from all its direct clients);
  the largest break is the first inversion (largest impact, then net). Bosses can pay
  subordinates net while no role gets most of its money so: then the summary says so;
- breaks: inversions, and the people whose chain to the clients is broken (headcount
  of the roles with a `chain_broken_at`);
- unfunded: roles with no paying client (traced share 0), their people, the one with
  the most people (ties: file order) and how many have as many people as it;
- clients: fragmented clients of all clients, the fragmented one that pays the most;
- first: the largest break, the unfunded role with the most people and the
  fragmented client that pays the most, those that exist.

A sentence is a list of parts: our words (str) or a reference the page draws (a role
or client by its title with its id small after it, an amount short with its full value
on hover). `plain` writes one as text, for tests and for reading.

People are counted as the org chart counts them: a whole headcount as a whole number,
a fractional one (full-time equivalents) to the decimals it needs (`1,089.04`, never
`1.00`); a share of people that rounds to 0% or 100% but is neither says `<1%`, `>99%`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from clientchain.analyses.analyze import Analysis
from clientchain.analyses.relations import BOSS, EXTERNAL
from clientchain.model.rounding import format_amount, headcount_text, headcounts
from clientchain.model.visible import clip
from clientchain.render.report.numbers import abbreviate

Part = str | dict[str, Any]
Sentence = list[Part]

# Org alienation in words: the first band whose upper bound the value is below.
ALIENATION_WORDS = (
    (0.2, "close to the clients who pay"),
    (0.4, "fairly close to the clients who pay"),
    (0.6, "midway between the clients who pay and no client at all"),
    (0.8, "far from the clients who pay"),
    (math.inf, "very far from the clients who pay"),
)


@dataclass(frozen=True, slots=True)
class Figures:
    """The counts the sentences say (role and client numbers are file-order indices)."""

    roles: int
    people: float
    paying_clients: int
    clients: int
    money_in: float
    org_alienation: float | None
    people_paid_directly: float
    boss_funded_roles: int
    inversions: int
    largest_break: int | None  # index into analysis.inversions_raw
    people_broken: float
    unfunded_roles: int
    unfunded_people: float
    largest_unfunded: int | None
    largest_unfunded_ties: int  # unfunded roles with as many people as the largest
    fragmented_clients: int
    largest_fragmented: int | None


def figures(analysis: Analysis) -> Figures:
    """The counts, linear in roles + client links."""
    org, inv = analysis.org, analysis.inversions_raw
    r, heads = org.role_count, org.headcount
    payee = np.repeat(np.arange(r), np.diff(analysis.client_indptr))
    relation = analysis.client_relation_raw
    net = analysis.client_net
    direct = np.zeros(r, dtype=bool)
    direct[payee[relation == EXTERNAL]] = True
    received = np.bincount(payee, weights=net, minlength=r)
    from_bosses = np.bincount(payee, weights=np.where(relation == BOSS, net, 0.0), minlength=r)
    unfunded = np.flatnonzero(analysis.unfunded)
    clients = analysis.clients
    fragmented = [c for c, client in enumerate(clients) if client.fragmented]
    return Figures(
        roles=r,
        people=_people_sum(analysis, heads),
        paying_clients=sum(1 for client in clients if client.money_out > 0),
        clients=len(clients),
        money_in=analysis.summary.money_in,
        org_alienation=analysis.summary.org_alienation,
        people_paid_directly=_people_sum(analysis, heads[direct]),
        boss_funded_roles=int(np.count_nonzero(from_bosses * 2 > received)),
        inversions=len(inv),
        largest_break=0 if len(inv) else None,
        people_broken=_people_sum(analysis, heads[inv.broken_at >= 0]),
        unfunded_roles=int(unfunded.size),
        unfunded_people=_people_sum(analysis, heads[unfunded]),
        # argmax: the first of the largest, so ties go to file order
        largest_unfunded=int(unfunded[np.argmax(heads[unfunded])]) if unfunded.size else None,
        largest_unfunded_ties=(
            int(np.count_nonzero(heads[unfunded] == heads[unfunded].max())) if unfunded.size else 0
        ),
        fragmented_clients=len(fragmented),
        largest_fragmented=(
            max(fragmented, key=lambda c: (clients[c].money_out, -c)) if fragmented else None
        ),
    )


def _people_sum(analysis: Analysis, values: Any) -> float:
    decimals = analysis.headcount_decimals
    total = math.fsum(np.asarray(values, dtype=np.float64).tolist())
    return float(headcounts(np.asarray([total]), decimals)[0])


def summary_sentences(analysis: Analysis) -> list[Sentence]:
    """The executive summary, one sentence a list of parts (see the module's docstring)."""
    f = figures(analysis)
    if not f.roles:
        return [["The organisation has no roles yet."]]
    said = _Writer(analysis)
    return [
        said.scale(f),
        said.reach(f),
        *said.budgets(f),
        said.unfunded(f),
        *said.clients(f),
        said.first(f),
    ]


class _Writer:
    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.org = analysis.org

    def role(self, v: int) -> dict[str, Any]:
        return _reference("role", self.org.role_ids[v], self.org.role_titles[v])

    def client(self, c: int) -> dict[str, Any]:
        return _reference("client", self.org.client_ids[c], self.org.client_titles[c])

    def money(self, value: float) -> dict[str, Any]:
        d, currency = self.org.amount_decimals, self.org.currency
        unit = f" {clip(currency)}" if currency else ""
        return {"short": abbreviate(value, d) + unit, "full": format_amount(value, d) + unit}

    def people(self, n: float) -> str:
        shown = _heads(n)
        return "1 person" if shown == "1" else f"{shown} people"

    def scale(self, f: Figures) -> Sentence:
        start = f"{_count(f.roles, 'role')} and {self.people(f.people)}"
        if not f.paying_clients:
            return [f"{start}; no client pays any money in."]
        verb = "brings" if f.paying_clients == 1 else "bring"
        return [f"{start}; {_count(f.paying_clients, 'paying client')} {verb} in ",
                self.money(f.money_in), " in all."]  # fmt: skip

    def reach(self, f: Figures) -> Sentence:
        part = _heads(f.people_paid_directly)
        said = (
            f"{part} of {self.people(f.people)} ({_percent(f.people_paid_directly, f.people)})"
            f" {'works' if part == '1' else 'work'} in roles that clients pay directly"
        )
        if f.org_alienation is None:
            return [said + "."]
        words = next(w for bound, w in ALIENATION_WORDS if f.org_alienation < bound)
        return [
            f"{said}; org alienation is {f.org_alienation:.3f}, {words} (0: everyone is paid"
            " directly by a client; 1: none of the money traces back to one)."
        ]

    def budgets(self, f: Figures) -> list[Sentence]:
        if f.largest_break is None:
            return [["No boss pays a subordinate net: the money in every reporting line"
                     " flows up, or none flows."]]  # fmt: skip
        inv = self.analysis.inversions_raw
        k = f.largest_break
        dotted = " (a dotted line)" if inv.dotted[k] else ""
        largest: Sentence = [
            self.role(int(inv.boss[k])),
            " \u2192 ",
            self.role(int(inv.subordinate[k])),
            f"{dotted}, affecting {self.people(float(inv.impact_headcount[k]))}.",
        ]
        if f.boss_funded_roles:
            verb = "is" if f.boss_funded_roles == 1 else "are"
            said = [
                f"{f.boss_funded_roles:,} of {_count(f.roles, 'role')} {verb} paid mostly"
                " through a boss's budget; the largest break is ",
                *largest,
            ]
        else:  # bosses pay subordinates net, but every such role earns more elsewhere
            said = [
                "No role is paid mostly through a boss's budget, though the money of a"
                " reporting line flows down; the largest break is ",
                *largest,
            ]
        return [
            said,
            [
                f"In all, {_count(f.inversions, 'inverted relationship')} (a boss paying a"
                f" subordinate net) {'breaks' if f.inversions == 1 else 'break'} the chain to"
                f" the clients for {_heads(f.people_broken)} of"
                f" {self.people(f.people)} ({_percent(f.people_broken, f.people)})."
            ],
        ]

    def unfunded(self, f: Figures) -> Sentence:
        if f.largest_unfunded is None:
            return ["Every role has money that traces back to a paying client."]
        if f.unfunded_roles == 1:
            return [
                f"1 role, with {self.people(f.unfunded_people)}, has no paying client (none of"
                " its money traces back to one): ",
                self.role(f.largest_unfunded),
                ".",
            ]
        most = self.people(float(self.org.headcount[f.largest_unfunded]))
        if f.largest_unfunded_ties == f.unfunded_roles:  # all alike: none is the largest
            return [
                f"{f.unfunded_roles:,} roles, each with {most}, have no paying client (none of"
                " their money traces back to one); the first is ",
                self.role(f.largest_unfunded),
                ".",
            ]
        which = "the largest" if f.largest_unfunded_ties == 1 else "one of the largest"
        return [
            f"{f.unfunded_roles:,} roles, with {self.people(f.unfunded_people)}, have no paying"
            f" client (none of their money traces back to one); {which}, with {most}, is ",
            self.role(f.largest_unfunded),
            ".",
        ]

    def clients(self, f: Figures) -> list[Sentence]:
        if not f.clients:
            return []
        if f.largest_fragmented is None:
            if f.clients == 1:
                return [["The client is not fragmented across departments."]]
            return [[f"None of the {f.clients:,} clients is fragmented across departments."]]
        money_out = self.analysis.clients[f.largest_fragmented].money_out
        verb = "is" if f.fragmented_clients == 1 else "are"
        which = f"{f.fragmented_clients:,} of {_count(f.clients, 'client')}"
        if f.fragmented_clients == f.clients > 1:
            which = "Both clients" if f.clients == 2 else f"All {f.clients:,} clients"
        return [
            [
                f"{which} {verb} fragmented"
                " (served across departments with no one below the top holding the whole"
                " relationship); the largest is ",
                self.client(f.largest_fragmented),
                ", paying ",
                self.money(money_out),
                ".",
            ]
        ]

    def first(self, f: Figures) -> Sentence:
        items: list[Sentence] = []
        if f.largest_break is not None:
            inv, k = self.analysis.inversions_raw, f.largest_break
            items.append([
                "the largest break, ", self.role(int(inv.boss[k])), " \u2192 ",
                self.role(int(inv.subordinate[k])),
            ])  # fmt: skip
        if f.largest_unfunded is not None:
            if f.unfunded_roles == 1:
                items.append([self.role(f.largest_unfunded), ", which has no paying client"])
            else:
                which = "the largest" if f.largest_unfunded_ties == 1 else "a"
                items.append([f"{which} role with no paying client, ",
                              self.role(f.largest_unfunded)])  # fmt: skip
        if f.largest_fragmented is not None:
            if f.fragmented_clients == 1:
                items.append([self.client(f.largest_fragmented), ", a fragmented client"])
            else:
                items.append(["the largest fragmented client, ",
                              self.client(f.largest_fragmented)])  # fmt: skip
        if not items:
            return ["Nothing needs attention first: no inverted relationship, no role"
                    " without a paying client, no fragmented client."]  # fmt: skip
        out: Sentence = ["Look first at "]
        for k, item in enumerate(items):
            if k:
                out.append("; then at ")
            out.extend(item)
        out.append(".")
        return out


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _heads(n: float) -> str:
    """A count of people, already rounded (`headcounts`): `18`, `1,089.04`, `446.5`."""
    return headcount_text(n)


def _percent(part: float, whole: float) -> str:
    """A share in whole percent; never 0% for some, nor 100% for not all."""
    if not whole:
        return "0%"
    share = 100 * part / whole
    if 0 < share < 0.5:
        return "<1%"
    if 99.5 <= share < 100:
        return ">99%"
    return f"{share:.0f}%"


def _reference(kind: str, name: str, title: str | None) -> dict[str, Any]:
    """A role or a client as the page draws it: its title, its id small after it."""
    return {kind: name, "title": title}


def plain(sentence: Sentence) -> str:
    """One sentence as text: a role or client as 'Title (id)' (the id alone without a
    title), an amount as its short form."""
    out = []
    for part in sentence:
        if isinstance(part, str):
            out.append(part)
        elif "short" in part:
            out.append(part["short"])
        else:
            name = part.get("role", part.get("client"))
            out.append(f"{part['title']} ({name})" if part["title"] else str(name))
    return "".join(out)
