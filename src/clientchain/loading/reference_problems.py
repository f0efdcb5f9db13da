"""How a broken reference is worded: an id given twice, a `reports_to` naming no role,
a reporting cycle, a flow naming an unknown id. Both readers word them here (the
precise one, and the fast one for a big input with a slip in it), so a message cannot
read differently on either path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Literal

from clientchain.model.problems import Position, Problem, Speller, did_you_mean

Payee = Literal["role", "client", "unknown"]  # what a flow row's `to` names


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
