"""The org chart's other references, resolved and checked: dotted lines (`dotted_to`),
whom each role serves (`serves`) and who owns each client (`owner`).

`reports_to` alone makes the hierarchy; a dotted line runs across it. So a dotted
line may not run along it (to a solid boss above the role, or to one below it),
nor back and forth between two roles, nor to the role itself or to a client. The
ancestor test reads preorder ranges of the forest: near-linear at any depth.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from clientchain.graph.hierarchy import build_forest
from clientchain.loading.org_file import OrgFile, Ref
from clientchain.loading.reference_problems import (
    KnownIds,
    Link,
    Misnamed,
    along_problem,
    both_ways_problem,
    link_problem,
)
from clientchain.model.org import NO_OWNER, IntArray, Links
from clientchain.model.problems import Problem


def links_of(per_role: Mapping[int, list[int]], role_count: int) -> Links:
    """Compressed rows of each role's nodes (in order), or empty Links when none names any."""
    if not any(per_role.values()):
        return Links()
    counts = np.zeros(role_count, dtype=np.int64)
    for role, nodes in per_role.items():
        counts[role] = len(nodes)
    ptr = np.zeros(role_count + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    node = np.fromiter(
        (n for role in sorted(per_role) for n in per_role[role]), dtype=np.int64, count=int(ptr[-1])
    )
    return Links(ptr, node)


def dotted_lines(
    org: OrgFile,
    role_index: Mapping[str, int],
    clients: Mapping[str, int],
    parent: IntArray | None,
    known: KnownIds,
    problems: list[Problem],
) -> Links:
    """Each role's dotted-line bosses; `parent` None when the hierarchy has a cycle (a
    problem already): then whether a dotted line runs along it cannot be told."""
    ids = org.roles.ids
    written: list[tuple[int, int, Ref]] = []  # (role, boss, where), in file order
    for role, refs in org.roles.dotted_to.items():
        for ref in _once(refs, "dotted_to", problems):
            boss = role_index.get(ref.text)
            if boss is None:
                problems.append(_not_a_role("dotted_to", ref, clients, known))
            elif boss == role:
                problems.append(link_problem("dotted_to", ref.where, ref.text, "itself", known))
            else:
                written.append((role, boss, ref))
    along = _along_the_hierarchy(written, parent)
    kept: list[tuple[int, int, Ref]] = []
    for (role, boss, ref), where in zip(written, along, strict=True):
        if where:
            problems.append(along_problem(ref.where, ref.text, where, ids[role]))
        else:
            kept.append((role, boss, ref))
    first_of_pair: dict[tuple[int, int], Ref] = {}
    for role, boss, ref in kept:  # a pair written both ways: said once, at the second
        first_of_pair.setdefault((role, boss), ref)
    for role, boss, ref in kept:
        other = first_of_pair.get((boss, role))
        if other is not None and other.where < ref.where:
            problems.append(both_ways_problem(ref.where, ids[boss], ids[role]))
    per_role: dict[int, list[int]] = {}
    for role, boss, _ in kept:
        per_role.setdefault(role, []).append(boss)
    return links_of(per_role, len(ids))


def _along_the_hierarchy(written: list[tuple[int, int, Ref]], parent: IntArray | None) -> list[str]:
    """Per dotted line: "above" or "below" when its boss is a solid ancestor or descendant
    of its role, else "" (also when a cycle leaves the hierarchy undefined)."""
    if not written or parent is None:
        return [""] * len(written)
    forest = build_forest(parent)
    role = np.fromiter((w[0] for w in written), dtype=np.int64, count=len(written))
    boss = np.fromiter((w[1] for w in written), dtype=np.int64, count=len(written))
    above = forest.is_proper_ancestor(boss, role).tolist()
    below = forest.is_proper_ancestor(role, boss).tolist()
    return ["above" if a else "below" if b else "" for a, b in zip(above, below, strict=True)]


def served(
    org: OrgFile,
    role_index: Mapping[str, int],
    clients: Mapping[str, int],
    known: KnownIds,
    problems: list[Problem],
) -> Links:
    """Whom each role serves: role indices, or R + client index (node numbering)."""
    r = len(org.roles.ids)
    per_role: dict[int, list[int]] = {}
    for role, refs in org.roles.serves.items():
        for ref in _once(refs, "serves", problems):
            node = role_index.get(ref.text)
            if node is None and ref.text in clients:
                node = r + clients[ref.text]
            if node is None:
                problems.append(link_problem("serves", ref.where, ref.text, "unknown", known))
            elif node == role:
                problems.append(link_problem("serves", ref.where, ref.text, "itself", known))
            else:
                per_role.setdefault(role, []).append(node)
    return links_of(per_role, r)


def client_owners(
    org: OrgFile,
    role_index: Mapping[str, int],
    clients: Mapping[str, int],
    known: KnownIds,
    problems: list[Problem],
) -> IntArray:
    """Per client, the role that owns it (NO_OWNER for none); empty when none names one."""
    owners = org.clients.owners
    if not owners:
        return np.zeros(0, dtype=np.int64)
    owner = np.full(len(org.clients.ids), NO_OWNER, dtype=np.int64)
    for client, ref in owners.items():
        role = role_index.get(ref.text)
        if role is None:
            problems.append(_not_a_role("owner", ref, clients, known))
        else:
            owner[client] = role
    return owner


def _once(refs: list[Ref], key: str, problems: list[Problem]) -> list[Ref]:
    """The refs of one list, each id once: a repeat is a problem where it is repeated."""
    if len(refs) < 2:
        return refs
    first: dict[str, Ref] = {}
    for ref in refs:
        seen = first.setdefault(ref.text, ref)
        if seen is not ref:
            problems.append(
                Problem(
                    ref.where,
                    f"{key} names '{ref.text}' twice (first at line {seen.where.line})",
                )
            )
    return list(first.values())


def _not_a_role(key: Link, ref: Ref, clients: Mapping[str, int], known: KnownIds) -> Problem:
    """A key that must name a role names a client or nothing known."""
    named: Misnamed = "client" if ref.text in clients else "unknown"
    return link_problem(key, ref.where, ref.text, named, known)
