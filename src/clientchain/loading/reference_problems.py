"""How a broken reference is worded: an id given twice, a `reports_to` naming no role,
a reporting cycle, a flow naming an unknown id, a dotted line, `serves` or `owner`
naming the wrong id. Both readers word them here (the precise one, and the fast one
for a big input with a slip in it), so a message cannot read differently on either
path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Literal

from clientchain.model.problems import Position, Problem, Speller, did_you_mean

Payee = Literal["role", "client", "unknown"]  # what a flow row's `to` names
Link = Literal["dotted_to", "serves", "owner"]  # the org chart's other references
Misnamed = Literal["unknown", "client", "itself"]  # what a link names that it may not

ALONG_THE_HIERARCHY = "a dotted line cannot run along the solid hierarchy"
_ONLY_A_ROLE = {
    "dotted_to": "a dotted line can only go to a role",
    "owner": "a client is owned by a role",
}


class KnownIds:
    """The ids a hint may suggest, folded for it once and only when a problem needs one
    (at a million roles that takes a second; a clean input never pays it)."""

    def __init__(self, roles: Callable[[], Sequence[str]], clients: Callable[[], Sequence[str]]):
        self._roles, self._clients = roles, clients

    @cached_property
    def _role_ids(self) -> Sequence[str]:
        return self._roles()

    @cached_property
    def any(self) -> Speller:
        """Role and client ids: what a flow's payer may name."""
        return Speller([*self._role_ids, *self._clients()])

    @cached_property
    def roles(self) -> Speller:
        """Role ids: what a `reports_to` or a flow's payee may name (the first of `any`:
        folded once for both)."""
        return self.any.first(len(self._role_ids))


def duplicate_problem(where: Position, rid: str, first_line: int) -> Problem:
    """An id given again (roles and clients share one namespace)."""
    return Problem(
        where,
        f"duplicate id '{rid}' (first at line {first_line}); ids must be unique across roles"
        " and clients",
    )


def boss_problem(where: Position, boss: str, is_client: bool, known: KnownIds) -> Problem:
    """A `reports_to` that names a client, or no id at all."""
    if is_client:
        return Problem(where, f"reports_to names client '{boss}'; a role can only report to a role")
    return Problem(where, f"reports_to: unknown role '{boss}'{did_you_mean(boss, known.roles)}")


def self_report_problem(where: Position, boss: str) -> Problem:
    return Problem(where, f"role '{boss}' reports to itself")


def cycle_problem(where: Position, names: Sequence[str]) -> Problem:
    """A loop of reporting lines, named from the role at `where` round to it again."""
    return Problem(where, f"reporting cycle: {' -> '.join([*names, names[0]])}")


def flow_problem(
    src: str,
    dst: str,
    payer_known: bool,
    payee: Payee,
    at: Callable[[str], Position],
    known: KnownIds,
) -> Problem:
    """Why a flow row names its ids wrongly (the first reason, as the row reads): an
    unknown payer; a payee that is a client (`payee="client"`) or unknown
    (`"unknown"`); else (`"role"`) a role paying itself. `at(field)` is where the row
    writes `from` or `to`."""
    if not payer_known:
        return Problem(at("from"), f"flow from unknown id '{src}'{did_you_mean(src, known.any)}")
    if payee == "client":
        return Problem(
            at("to"),
            f"flow into client '{dst}': money flows from clients to roles, never into a client",
        )
    if payee == "unknown":
        return Problem(at("to"), f"flow to unknown role '{dst}'{did_you_mean(dst, known.roles)}")
    return Problem(at("to"), f"flow from '{src}' to itself")


def link_problem(
    key: Link, where: Position, name: str, named: Misnamed, known: KnownIds
) -> Problem:
    """A `dotted_to`, `serves` or `owner` naming `name`, which is no known id, a client
    where a role is due (`serves` may name one), or the role itself."""
    if named == "itself":
        if key == "serves":
            return Problem(where, f"role '{name}' serves itself")
        return Problem(where, f"role '{name}' has a dotted line to itself")
    if key == "serves":
        return Problem(where, f"serves: unknown id '{name}'{did_you_mean(name, known.any)}")
    if named == "client":
        return Problem(where, f"{key} names client '{name}'; {_ONLY_A_ROLE[key]}")
    return Problem(where, f"{key}: unknown role '{name}'{did_you_mean(name, known.roles)}")


def along_problem(where: Position, boss: str, relation: str, role: str) -> Problem:
    """A dotted line from `role` to `boss`, its solid boss or report (`relation`: "above"
    or "below" it in reports_to)."""
    return Problem(
        where,
        f"dotted_to: '{boss}' is {relation} '{role}' in reports_to; {ALONG_THE_HIERARCHY}",
    )


def both_ways_problem(where: Position, boss: str, role: str) -> Problem:
    """Two roles with dotted lines to each other (said once, where the second is written)."""
    return Problem(
        where,
        f"roles '{boss}' and '{role}' have dotted lines to each other;"
        " only one of them can be the other's dotted-line boss",
    )
