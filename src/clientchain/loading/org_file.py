"""The org chart's YAML structure read into plain columns, every value with its position."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from clientchain.loading import keys
from clientchain.loading.keys import CLIENT_KEYS, ROLE_KEYS, Keys
from clientchain.loading.policy import read_policy
from clientchain.loading.scalars import (
    HEADCOUNT_WANTED,
    headcount_problem,
    headcount_value,
    is_null,
)
from clientchain.model.policy import NO_POLICY, Policy
from clientchain.model.problems import Position, Problem

if TYPE_CHECKING:  # a type only: the fast readers use this module without yaml
    from clientchain.loading.yaml_source import YNode


@dataclass(frozen=True, slots=True)
class Ref:
    """An id named by a reference key (`dotted_to`, `serves`, `owner`), where it is written."""

    text: str
    where: Position


@dataclass
class Entries:
    """Roles or clients as written: ids, optional texts, positions, extra keys."""

    ids: list[str] = field(default_factory=list)
    titles: list[str | None] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    id_positions: list[Position] = field(default_factory=list)
    extra: dict[int, dict[str, object]] = field(default_factory=dict)


@dataclass
class RoleEntries(Entries):
    departments: list[str | None] = field(default_factory=list)
    headcounts: list[float] = field(default_factory=list)
    reports_to: list[str | None] = field(default_factory=list)
    reports_to_positions: list[Position | None] = field(default_factory=list)
    # Only the roles that name any, by role number: most roles name none, and a list
    # per role would cost a million lists.
    dotted_to: dict[int, list[Ref]] = field(default_factory=dict)
    serves: dict[int, list[Ref]] = field(default_factory=dict)


@dataclass
class ClientEntries(Entries):
    owners: dict[int, Ref] = field(default_factory=dict)  # by client number


@dataclass
class OrgFile:
    """What the org chart file says, before references are resolved."""

    name: str | None = None
    currency: str | None = None
    roles: RoleEntries = field(default_factory=RoleEntries)
    clients: ClientEntries = field(default_factory=ClientEntries)
    flows_path: str | None = None
    flows_position: Position | None = None
    inline_flows: YNode | None = None
    policy: Policy = NO_POLICY
    problems: list[Problem] = field(default_factory=list)
    # The roles or clients list is missing or misspelt, or an entry's `id` key is:
    # references to ids cannot be checked (each would repeat that one problem as an
    # unknown id of its own).
    ids_incomplete: bool = False


def plain(node: YNode) -> object:
    """A YAML value as plain data (text, lists, dicts), for keys we keep but do not read."""
    holder: list[object] = []
    stack: list[tuple[YNode, Callable[[object], None]]] = [(node, holder.append)]
    while stack:  # iterative: nesting depth is the user's business, not the stack's
        item, put = stack.pop()
        if item.kind == "scalar":
            put(item.text)
        elif item.kind == "seq":
            items: list[object] = []
            put(items)
            stack.extend((child, items.append) for child in reversed(item.items))
        else:
            mapping: dict[str, object] = {}
            put(mapping)
            stack.extend(
                (child, partial(mapping.__setitem__, key.text))
                for key, child in reversed(item.pairs)
            )
    return holder[0]


def _text(node: YNode | None, what: str, file: str, problems: list[Problem]) -> str | None:
    if is_null(node):
        return None
    assert node is not None
    if node.kind != "scalar":
        problems.append(
            Problem(
                Position(file, node.line, node.column), f"{what} must be text, not {node.describe}"
            )
        )
        return None
    return node.text


def _list(root: YNode, key: str, file: str, problems: list[Problem]) -> list[YNode]:
    node = root.get(key)
    if is_null(node):
        return []
    assert node is not None
    if node.kind != "seq":
        problems.append(
            Problem(
                Position(file, node.line, node.column),
                f"'{key}' must be a list of mappings, found {node.describe}",
            )
        )
        return []
    return node.items


def _entry(
    item: YNode,
    what: str,
    vocabulary: Keys,
    read: frozenset[str],
    into: Entries,
    file: str,
    org: OrgFile,
) -> bool:
    problems = org.problems
    here = Position(file, item.line, item.column)
    if item.kind != "map":
        problems.append(
            Problem(here, f"each {what} must be a mapping with an 'id', found {item.describe}")
        )
        return False
    misspelt = vocabulary.misspelt(item, file)
    problems.extend(problem for _, problem in misspelt)
    node = item.get("id")
    if is_null(node):
        if any(meant == "id" for meant, _ in misspelt):  # that is the cause, said once
            org.ids_incomplete = True
        else:
            problems.append(Problem(here, f"{what} has no 'id'"))
        return False
    assert node is not None
    if node.kind != "scalar":
        where = Position(file, node.line, node.column)
        problems.append(Problem(where, f"{what} id must be plain text, not {node.describe}"))
        return False
    if not node.text.strip():
        problems.append(Problem(Position(file, node.line, node.column), f"{what} id is empty"))
        return False
    into.ids.append(node.text)
    into.id_positions.append(Position(file, node.line, node.column))
    into.lines.append(item.line)
    into.titles.append(_text(item.get("title"), "title", file, problems))
    extra = {k.text: plain(v) for k, v in item.pairs if k.text not in read}
    if extra:
        into.extra[len(into.ids) - 1] = extra
    return True


def read_org(root: YNode | None, file: str) -> OrgFile:
    """Columns and positions of an org chart's YAML tree; structural problems collected."""
    org = OrgFile()
    problems = org.problems
    if root is None:
        problems.append(
            Problem(Position(file, 1, 1), "empty org chart: expected a mapping with 'roles'")
        )
        return org
    if root.kind != "map":
        problems.append(
            Problem(
                Position(file, root.line, root.column),
                f"an org chart must be a mapping with 'roles', found {root.describe}",
            )
        )
        return org
    misspelt = keys.TOP_LEVEL.misspelt(root, file)
    problems.extend(problem for _, problem in misspelt)
    meant = {key for key, _ in misspelt}
    org.name = _text(root.get("org"), "org", file, problems)
    org.currency = _text(root.get("currency"), "currency", file, problems)
    if root.get("roles") is None:
        org.ids_incomplete = True
        if "roles" not in meant:  # a misspelt `roles:` is the problem, said once
            where = Position(file, root.line, root.column)
            problems.append(
                Problem(where, "no 'roles' list: an org chart lists its roles under 'roles:'")
            )
    org.ids_incomplete |= "clients" in meant
    clients = org.clients
    for item in _list(root, "clients", file, problems):
        if _entry(item, "client", keys.CLIENT, CLIENT_KEYS, clients, file, org):
            owner = _ref(item.get("owner"), "owner", file, problems)
            if owner is not None:
                clients.owners[len(clients.ids) - 1] = owner
    roles = org.roles
    for item in _list(root, "roles", file, problems):
        if not _entry(item, "role", keys.ROLE, ROLE_KEYS, roles, file, org):
            continue
        roles.departments.append(_text(item.get("department"), "department", file, problems))
        roles.headcounts.append(_headcount(item.get("headcount"), file, problems))
        boss = item.get("reports_to")
        roles.reports_to.append(_text(boss, "reports_to", file, problems))
        roles.reports_to_positions.append(
            None if boss is None else Position(file, boss.line, boss.column)
        )
        for key, named in (("dotted_to", roles.dotted_to), ("serves", roles.serves)):
            refs = _refs(item.get(key), key, file, problems)
            if refs:
                named[len(roles.ids) - 1] = refs
    org.policy = read_policy(root.get("policy"), file, problems)
    flows = root.get("flows")
    if flows is not None and not is_null(flows):
        if flows.kind == "scalar":
            org.flows_path = flows.text
            org.flows_position = Position(file, flows.line, flows.column)
        else:
            org.inline_flows = flows
    return org


def _ref(node: YNode | None, key: str, file: str, problems: list[Problem]) -> Ref | None:
    """The one id a key names (null: none); ids are literal text, `no` and `0755` too."""
    if is_null(node):
        return None
    assert node is not None
    where = Position(file, node.line, node.column)
    if node.kind != "scalar":
        problems.append(Problem(where, f"{key} must be a role id, not {node.describe}"))
        return None
    return Ref(node.text, where)


def _refs(node: YNode | None, key: str, file: str, problems: list[Problem]) -> list[Ref]:
    """The ids a key names: one id, or a list of ids (null or an empty list: none)."""
    if is_null(node):
        return []
    assert node is not None
    if node.kind == "scalar":
        return [Ref(node.text, Position(file, node.line, node.column))]
    if node.kind == "map":
        where = Position(file, node.line, node.column)
        problems.append(Problem(where, f"{key} must be an id or a list of ids, not a mapping"))
        return []
    refs: list[Ref] = []
    for item in node.items:
        where = Position(file, item.line, item.column)
        if item.kind != "scalar":
            problems.append(
                Problem(where, f"each item of {key} must be an id, not {item.describe}")
            )
        elif is_null(item):
            problems.append(Problem(where, f"each item of {key} must be an id, not null"))
        else:
            refs.append(Ref(item.text, where))
    return refs


def _headcount(node: YNode | None, file: str, problems: list[Problem]) -> float:
    if is_null(node):
        return 1.0
    assert node is not None
    if node.kind != "scalar":
        why: str | None = f"{HEADCOUNT_WANTED}, found {node.describe}"
    else:
        why = headcount_problem(node.text, node.quoted)
    if why is not None:
        problems.append(Problem(Position(file, node.line, node.column), why))
        return 1.0
    return headcount_value(node.text)
