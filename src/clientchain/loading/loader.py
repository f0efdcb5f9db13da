"""Load an org chart and its money flows into an `Org`, or fail with every problem at once."""

from __future__ import annotations

import codecs
import gc
import os
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from clientchain.graph.hierarchy import cycles
from clientchain.loading.fast.flat_yaml import with_lf
from clientchain.loading.fast.json_document import escapes_written_out
from clientchain.loading.fast.loader import fast_load, valid_utf8
from clientchain.loading.flow_table import (
    YAML_SUFFIXES,
    FlowTable,
    flows_file_key,
    read_csv_bytes,
    read_yaml_list,
)
from clientchain.loading.input_file import NotAFileError, is_regular, read_file
from clientchain.loading.reference_problems import (
    KnownIds,
    Payee,
    boss_problem,
    cycle_problem,
    duplicate_problem,
    flow_problem,
    self_report_problem,
)
from clientchain.loading.spreadsheet import DEFAULT, Dialect, byte_order_mark
from clientchain.loading.stdin import STDIN, STDIN_NAME, is_stdin, stdin_bytes, stdin_file_key
from clientchain.model.org import NO_PARENT, Org, index_type
from clientchain.model.phases import note, phase
from clientchain.model.problems import InputError, Position, Problem

if TYPE_CHECKING:  # the precise reader's classes: imported when it runs (see _parse)
    from clientchain.loading.org_file import OrgFile


def read_input_bytes(path: Path, shown: str, where: Position) -> bytes:
    """The bytes of an input file, or InputError at `where` saying why not (a pipe is
    read when the command line names it, not when an org chart does: see input_file)."""
    # Named inside the org chart: say which file; named on the command line: the
    # position already is the file.
    which = f": {shown}" if where.line else ""
    try:
        return read_file(path, pipes=not where.line)
    except NotAFileError as exc:
        raise InputError([Problem(where, f"{exc.said}{which}")]) from None
    except FileNotFoundError:
        raise InputError([Problem(where, f"file not found{which}")]) from None
    except IsADirectoryError:
        raise InputError([Problem(where, f"is a directory, not a file{which}")]) from None
    except OSError as exc:
        raise InputError([Problem(where, f"cannot read{which}: {exc.strerror or exc}")]) from None
    except ValueError:  # no file name holds a NUL character; the OS cannot be asked
        raise InputError([Problem(where, "a file name cannot hold a NUL character")]) from None


def read_stdin(where: Position) -> bytes:
    """Standard input's bytes (read once per run), or InputError saying why not."""
    try:
        return stdin_bytes()
    except (OSError, AttributeError) as exc:  # AttributeError: no standard input at all
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "it is closed"
        raise InputError([Problem(where, f"cannot read standard input: {why}")]) from None


def read_flow_file(
    path: Path, shown: str, where: Position, dialect: Dialect = DEFAULT, *, stdin: bool = False
) -> FlowTable:
    """A flows file: YAML/JSON list by suffix, otherwise CSV (read in `dialect`);
    `stdin`: standard input, always CSV."""
    if stdin:
        return read_csv_bytes(read_stdin(where), shown, dialect)
    data = read_input_bytes(path, shown, where)
    if path.suffix.lower() not in YAML_SUFFIXES:
        return read_csv_bytes(data, shown, dialect)
    from clientchain.loading.yaml_source import compose, decode  # yaml: only when needed

    root = compose(decode(data, shown), shown)
    if root is None:
        return FlowTable(shown)
    return read_yaml_list(root, shown)


def load(
    path: str | os.PathLike[str],
    flows: Iterable[str | os.PathLike[str]] = (),
    dialect: Dialect = DEFAULT,
    *,
    own_flows: bool = True,
) -> Org:
    """Load the org chart at `path` plus any extra flows files, checking everything;
    flows CSV files are read in `dialect` (delimiter, encoding, decimal comma).
    `own_flows=False` leaves out the flows file the org chart names (for what needs
    only the organisation, such as a recipe writing that very file).

    `-` (as `path` or among `flows`) is standard input, named `<stdin>`; a relative
    `flows:` in an org chart read from it is found from the working directory."""
    shown = os.fspath(path)
    with phase("parse"):
        if shown == STDIN:
            shown, base = STDIN_NAME, Path()
            data = read_stdin(Position(shown))
        else:
            base = Path(shown).parent
            data = read_input_bytes(Path(shown), shown, Position(shown))
        text = _wide_text(data, shown)
        if text is not None:
            data = text.encode("utf-8")
        data, text = _as_read(data, text)  # (the file's own bytes go here, if they can)
        original = None  # how the precise reader gets the file's bytes if `data` is not them
        readable_again = shown != STDIN_NAME and is_regular(Path(shown))
        if readable_again and text is None and dialect.is_default and data.isascii():
            written = escapes_written_out(data)
            if written is not None:
                data, original = written, partial(_read_again, Path(shown), shown)
            del written
    # Decoded only if the precise reader is needed: the fast one reads bytes (and a
    # 170 MB file of ids in Japanese is 340 MB as a str).
    return _load_either(data, text, shown, flows, base, dialect, own_flows, original)


def _read_again(path: Path, shown: str) -> bytes:
    """An org chart's bytes read again for the precise reader, where the fast one was
    given its escapes written out (see load); a file that is no longer a regular one is
    refused, not waited on."""
    if path.exists() and not is_regular(path):
        problem = Problem(Position(shown), "is no longer a regular file (replaced while read)")
        raise InputError([problem])
    return read_input_bytes(path, shown, Position(shown))


def _as_read(data: bytes, text: str | None) -> tuple[bytes, str | None]:
    """`data` with a UTF-8 byte order mark dropped and Windows' line breaks written as LF,
    for both readers (`text`: None where that changed them). It is the same document: YAML
    reads CR LF as one line break and the mark as no character, so no line or column
    moves. Done here, where the file's own bytes can go before the scan: the fast reader's
    copy was made below frames that all held them (a million roles with long ids in CR LF
    peaked at 1,027-1,047 MB, with a mark at 1,022; 870 as they come). Left as they are:
    text that is not UTF-8 (the precise reader names its bad byte's offset in the file),
    UTF-16 or UTF-32 text (`text` given), and a second mark after the first (the precise
    reader drops one, and reads the next as a character)."""
    if text is not None:
        return data, text
    plain = data
    if data.startswith(codecs.BOM_UTF8) and not data.startswith(codecs.BOM_UTF8, 3):
        plain = data[3:]
    plain = with_lf(plain)
    if plain is data or not valid_utf8(plain):
        return data, None
    return plain, None


def _wide_text(data: bytes, shown: str) -> str | None:
    """The text of an org chart saved as UTF-16 or UTF-32 (with the byte order mark YAML
    asks of them: Windows PowerShell 5's `>`), for both readers as UTF-8; None for UTF-8."""
    marked = byte_order_mark(data)
    if marked is None or marked[1] == "utf-8":
        return None
    from clientchain.loading.yaml_source import decode

    return decode(data, shown)


def loads(
    text: str,
    source: str = "org.yaml",
    flows: Iterable[str | os.PathLike[str]] = (),
    base_dir: str | os.PathLike[str] | None = None,
    dialect: Dialect = DEFAULT,
) -> Org:
    """Load an org chart from YAML text; `source` names it in messages."""
    base = Path(base_dir) if base_dir is not None else Path(source).parent
    return _load_either(text.encode("utf-8"), text, source, flows, base, dialect)


def _load_either(
    data: bytes,
    text: str | None,
    source: str,
    flows: Iterable[str | os.PathLike[str]],
    base: Path,
    dialect: Dialect,
    own_flows: bool = True,
    original: Callable[[], bytes] | None = None,
) -> Org:
    """The fast path when it can vouch for the input, else the precise one."""
    # Loading builds millions of small, acyclic objects (the YAML node trees) that stay
    # alive until the end; the cycle collector would re-scan them all again and again
    # for nothing (pausing it halves the time of a big file).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_from(data, text, source, list(flows), base, dialect, own_flows, original)
    finally:
        if collecting:
            gc.enable()


def _load_from(
    data: bytes,
    text: str | None,
    source: str,
    flows: list[str | os.PathLike[str]],
    base: Path,
    dialect: Dialect,
    own_flows: bool,
    original: Callable[[], bytes] | None = None,
) -> Org:
    """The fast path's Org, else the precise path's (`original`: where `data` is a JSON
    document with its escapes written out, how the file's own bytes are read again)."""
    fast = None
    if dialect.is_default:
        written_out = original is not None
        fast = _fast_load(data, text, source, flows, base, own_flows, dialect.metadata, written_out)
    else:  # the fast path reads plain CSV only
        note(
            f"{source}: flows files read with --delimiter, --encoding or --decimal-comma:"
            " read by the precise reader, which takes longer"
        )
    if fast is not None:
        return fast
    if text is None:
        from clientchain.loading.yaml_source import decode

        with phase("parse"):
            text = decode(data if original is None else original(), source)
    return _load_precisely(text, source, flows, base, dialect, own_flows)


def _fast_load(
    data: bytes,
    text: str | None,
    source: str,
    flows: list[str | os.PathLike[str]],
    base: Path,
    own_flows: bool = True,
    metadata: bool = True,
    written_out: bool = False,
) -> Org | None:
    """The fast loader's `Org` (`text`: `data` decoded, if it already is), or None to load
    precisely. (The policy block, which is not flat, is cut out and read on its own
    there: see fast.loader.)"""
    return fast_load(
        data, text, source, flows, base, own_flows, metadata=metadata, written_out=written_out
    )


def _load_precisely(
    text: str,
    source: str,
    flows: Iterable[str | os.PathLike[str]],
    base: Path,
    dialect: Dialect = DEFAULT,
    own_flows: bool = True,
) -> Org:
    """Every value with its position, every problem found and worded."""
    with phase("parse"):
        org_file, tables, problems = _parse(text, source, flows, base, dialect, own_flows)
    with phase("build"):
        return _assemble(org_file, source, tables, problems, dialect.metadata)


def _parse(
    text: str,
    source: str,
    flows: Iterable[str | os.PathLike[str]],
    base: Path,
    dialect: Dialect,
    own_flows: bool = True,
) -> tuple[OrgFile, list[FlowTable], list[Problem]]:
    from clientchain.loading.org_file import read_org
    from clientchain.loading.yaml_source import compose

    problems: list[Problem] = []
    org_file = read_org(compose(text, source), source)
    problems.extend(org_file.problems)
    tables: list[FlowTable] = []
    files: list[tuple[Path, Position, str]] = []  # (path, where it is named, as named)
    if org_file.flows_path is not None and own_flows:
        path = base / org_file.flows_path
        files.append((path, org_file.flows_position or Position(source), os.fspath(path)))
    elif org_file.inline_flows is not None and own_flows:
        tables.append(read_yaml_list(org_file.inline_flows, source))
    for extra in flows:
        named = STDIN_NAME if is_stdin(extra) else os.fspath(extra)
        files.append((Path(extra), Position(named), named))
    tables.extend(_read_each_once(files, dialect, problems))
    for table in tables:
        problems.extend(table.problems)
    return org_file, tables, problems


def _read_each_once(
    files: list[tuple[Path, Position, str]], dialect: Dialect, problems: list[Problem]
) -> list[FlowTable]:
    """The flows files, each read once: a file named again (another spelling of its
    path, a link to it) is a problem where it is named again, and is not read again."""
    tables: list[FlowTable] = []
    named: dict[object, str] = {}  # each file read, and how it was first named
    for path, where, as_named in files:
        # `--flows -`: read as CSV; the same file as another when redirected from it.
        stdin = as_named == STDIN_NAME and is_stdin(path)
        key = stdin_file_key() if stdin else flows_file_key(path)
        if key is not None and key in named:
            problems.append(Problem(where, _read_twice(as_named, named[key])))
            continue
        if key is not None:
            named[key] = as_named
        try:
            shown = as_named if stdin else os.fspath(path)
            tables.append(read_flow_file(path, shown, where, dialect, stdin=stdin))
        except InputError as exc:
            problems.extend(exc.problems)
    return tables


def _read_twice(as_named: str, first: str) -> str:
    """One file named twice (any spelling, a link to it): its money would add up twice."""
    again = "is named twice" if as_named == first else f"is already read (as {first})"
    return f"flows file {as_named} {again}; its money would count twice"


def _unique_ids(org: OrgFile, problems: list[Problem]) -> dict[str, int]:
    """First occurrence of each id among clients and roles; later repeats are problems."""
    first: dict[str, Position] = {}
    for ids, positions in (
        (org.clients.ids, org.clients.id_positions),
        (org.roles.ids, org.roles.id_positions),
    ):
        for rid, where in zip(ids, positions, strict=True):
            seen = first.get(rid)
            if seen is None:
                first[rid] = where
            else:
                problems.append(duplicate_problem(where, rid, seen.line))
    return {rid: i for i, rid in reversed(list(enumerate(org.roles.ids)))}


def _parents(
    org: OrgFile,
    role_index: dict[str, int],
    clients: set[str],
    known: KnownIds,
    problems: list[Problem],
) -> tuple[np.ndarray, bool]:
    """The parent column, and whether it is acyclic (a cycle is a problem here)."""
    roles = org.roles
    parent = np.full(len(roles.ids), NO_PARENT, dtype=np.int64)
    for i, boss in enumerate(roles.reports_to):
        if boss is None:
            continue
        where = roles.reports_to_positions[i] or Position("?")
        j = role_index.get(boss)
        if j is None:
            problems.append(boss_problem(where, boss, boss in clients, known))
        elif j == i:
            problems.append(self_report_problem(where, boss))
        else:
            parent[i] = j
    loops = cycles(parent)
    for loop in loops:
        where = roles.reports_to_positions[loop[0]] or Position("?")
        problems.append(cycle_problem(where, [roles.ids[i] for i in loop]))
    return parent, not loops


def _resolve_flows(
    tables: Sequence[FlowTable],
    roles: int,
    role_index: dict[str, int],
    client_index: dict[str, int],
    known: KnownIds,
    problems: list[Problem],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, tuple[str | None, ...]]]:
    r = roles  # (not len(role_index): an id given twice is one key, and clients come after)
    payers: list[int] = []
    payees: list[int] = []
    amounts: list[float] = []
    extra: dict[str, list[str | None]] = {}
    for table in tables:
        start = len(payers)
        for row, (src, dst) in enumerate(zip(table.payer, table.payee, strict=True)):
            i = role_index.get(src)
            if i is None:
                c = client_index.get(src)
                i = -1 if c is None else r + c
            j = role_index.get(dst, -1)
            if i < 0 or j < 0 or i == j:
                payee: Payee = "role" if j >= 0 else "client" if dst in client_index else "unknown"
                problems.append(
                    flow_problem(src, dst, i >= 0, payee, partial(table.position, row), known)
                )
                continue
            payers.append(i)
            payees.append(j)
            amounts.append(table.amount[row])
            for name, column in table.extra.items():
                extra.setdefault(name, [None] * start).append(column[row])
        for column in extra.values():
            column.extend([None] * (len(payers) - len(column)))
    return (
        np.asarray(payers, dtype=index_type(r + len(client_index))),
        np.asarray(payees, dtype=index_type(r)),
        np.asarray(amounts, dtype=np.float64),
        {k: tuple(v) for k, v in extra.items()},
    )


def _assemble(
    org: OrgFile,
    source: str,
    tables: list[FlowTable],
    problems: list[Problem],
    metadata: bool = True,
) -> Org:
    from clientchain.loading.org_links import client_owners, dotted_lines, served

    role_index = _unique_ids(org, problems)
    if org.ids_incomplete:  # roles or clients missing or misspelt: the cause, said alone
        raise InputError(problems)
    client_index = {cid: i for i, cid in reversed(list(enumerate(org.clients.ids)))}
    known = KnownIds(lambda: list(role_index), lambda: list(client_index))
    parent, acyclic = _parents(org, role_index, set(client_index), known, problems)
    dotted = dotted_lines(
        org, role_index, client_index, parent if acyclic else None, known, problems
    )
    serves = served(org, role_index, client_index, known, problems)
    client_owner = client_owners(org, role_index, client_index, known, problems)
    payer, payee, amount, flow_extra = _resolve_flows(
        tables, len(org.roles.ids), role_index, client_index, known, problems
    )
    if problems:
        raise InputError(problems)
    roles, clients = org.roles, org.clients
    return Org(
        source=source,
        name=org.name,
        currency=org.currency,
        role_ids=tuple(roles.ids),
        role_titles=tuple(roles.titles),
        role_departments=tuple(roles.departments),
        role_lines=np.asarray(roles.lines, dtype=np.int64),
        parent=parent,
        headcount=np.asarray(roles.headcounts, dtype=np.float64),
        client_ids=tuple(clients.ids),
        client_titles=tuple(clients.titles),
        client_lines=np.asarray(clients.lines, dtype=np.int64),
        flow_payer=payer,
        flow_payee=payee,
        flow_amount=amount,
        flow_files=tuple(t.file for t in tables),
        amount_decimals=max((t.decimals for t in tables), default=0),
        policy=org.policy,
        role_extra=roles.extra,
        client_extra=clients.extra,
        flow_extra=flow_extra if metadata else {},
        dotted=dotted,
        serves=serves,
        client_owner=client_owner,
    )
