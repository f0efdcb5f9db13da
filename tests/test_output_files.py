"""Output files as a user meets them: `report -o`, `export -o`, `schema -o` and
`analyze --write-baseline`, run as `python -m clientchain` in a subprocess.

The rule under test (src/clientchain/cli/output_file.py): a regular file (or a new one) is
written whole by a rename, over an existing non-empty file only when it is an earlier
output of the same kind (or with --force), never over an input; a device or a FIFO is
written into and stays what it was; directories, sockets, missing folders and empty
paths are refused with exit 2; a write error is exit 2 with the OS's reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, Run

DEALERSHIP = EXAMPLES / "dealership" / "org.yaml"
SCHEMAS = Path(__file__).resolve().parent.parent / "src" / "clientchain" / "schemas"
WROTE_REPORT = "(9 roles, 1 inversion)"
AN_ORG_CHART = "org: Someone else's org chart\nroles:\n  - id: owner\n"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clientchain", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


# Each command that writes a file: its arguments before the target, the option that
# names the target, and what it says on stderr once it has written `target`.
WRITERS = {
    "report": (["report", str(DEALERSHIP)], "-o", f"clientchain: wrote {{}} {WROTE_REPORT}\n"),
    "export": (
        ["export", str(DEALERSHIP), "--to", "dot"],
        "-o",
        "clientchain: wrote 12 nodes and 18 edges to {}\n",
    ),
    "schema": (["schema", "org"], "-o", ""),
    "baseline": (
        ["analyze", str(DEALERSHIP)],
        "--write-baseline",
        "clientchain: wrote 2 findings to {}\n",
    ),
    # The JSON document is streamed into the file (not made whole first): the same rules.
    "json": (
        ["analyze", str(DEALERSHIP), "--format", "json", "--exit-zero"],
        "-o",
        "clientchain: wrote the json output to {}\n",
    ),
}


slow = pytest.mark.slow


def slow_but(fast: object, values: Iterable[object]) -> list[Any]:
    """`values` as parameters, each but `fast` marked slow (every case runs a subprocess or
    two): `pytest -m "not slow"` tries the rule with one of them, the full run with all."""
    return [
        v if v == fast else pytest.param(*(v if isinstance(v, tuple) else (v,)), marks=slow)
        for v in values
    ]


def write_to(name: str, target: str, *extra: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    args, option, _ = WRITERS[name]
    return cli(*args, option, target, *extra, cwd=cwd)


def wrote(name: str, target: str) -> str:
    return WRITERS[name][2].format(target)


def is_char_device(path: str | Path) -> bool:
    return stat.S_ISCHR(Path(path).stat().st_mode)


# --- paths that can never be written ---------------------------------------------------


@pytest.mark.parametrize("name", slow_but("baseline", sorted(WRITERS)))
def test_a_missing_folder_is_a_usage_error(name: str, tmp_path: Path) -> None:
    result = write_to(name, "nodir/out.txt", cwd=tmp_path)
    option = WRITERS[name][1]
    assert (result.returncode, result.stdout) == (2, "")
    assert (
        result.stderr == f"clientchain: {option} nodir/out.txt: the folder nodir does not exist\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", slow_but("report", sorted(WRITERS)))
@pytest.mark.parametrize("target", slow_but("sub", [".", "sub", "sub/"]))
def test_a_directory_is_a_usage_error(name: str, target: str, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    result = write_to(name, target, cwd=tmp_path)
    option = WRITERS[name][1]
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"clientchain: {option} {target}: that is a directory; name a file\n"
    assert [p.name for p in tmp_path.iterdir()] == ["sub"]
    assert list((tmp_path / "sub").iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(WRITERS))
def test_a_trailing_slash_names_a_folder_not_a_file(name: str, tmp_path: Path) -> None:
    result = write_to(name, "out/", cwd=tmp_path)
    option = WRITERS[name][1]
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"clientchain: {option} out/: that names a folder; name a file\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", slow_but("schema", sorted(WRITERS)))
def test_an_empty_path_is_a_usage_error(name: str, tmp_path: Path) -> None:
    result = write_to(name, "", cwd=tmp_path)
    option = WRITERS[name][1]
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"clientchain: {option} '': the path is empty; name a file\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(WRITERS))
def test_a_file_as_a_folder_is_a_usage_error(name: str, tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    result = write_to(name, "plain/out.txt", cwd=tmp_path)
    option = WRITERS[name][1]
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"clientchain: {option} plain/out.txt: plain is not a folder\n"


@pytest.mark.slow
def test_a_socket_is_refused(tmp_path: Path) -> None:
    import socket

    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "sock"))
        result = write_to("report", "sock", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "clientchain: -o sock: that is a socket; name a file\n"
    assert stat.S_ISSOCK(os.lstat(tmp_path / "sock").st_mode)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["baseline", "report"])
def test_a_symlink_loop_is_refused_with_the_reason(name: str, tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to("loop")
    result = write_to(name, "loop", cwd=tmp_path)
    option = WRITERS[name][1]
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"clientchain: {option} loop: Too many levels of symbolic links\n"
    assert (tmp_path / "loop").is_symlink()


def test_write_baseline_to_stdout_is_refused(tmp_path: Path) -> None:
    result = write_to("baseline", "-", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "clientchain: --write-baseline -: name a file (stdout has the command's output)\n"
    )


# --- special files are written into, never replaced -----------------------------------


@pytest.mark.parametrize("name", slow_but("schema", sorted(WRITERS)))
def test_a_fifo_is_written_into_and_stays_a_fifo(name: str, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def drain() -> None:
        with fifo.open("rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    result = write_to(name, str(fifo), cwd=tmp_path)
    reader.join(timeout=30)
    if reader.is_alive():  # the command never opened the FIFO: let the reader go
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=30)
    assert result.returncode == 0
    assert result.stderr == wrote(name, str(fifo))
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]  # no temporary left
    (data,) = received
    expected = cli(*WRITERS[name][0], *(["-o", "-"] if name != "baseline" else []), cwd=tmp_path)
    if name == "baseline":
        assert json.loads(data)["tool"] == "clientchain"
    else:
        assert data.decode("utf-8") == expected.stdout


@pytest.mark.parametrize("name", slow_but("export", sorted(WRITERS)))
@pytest.mark.parametrize(
    "via_link", slow_but(True, [False, True]), ids=["dev-null", "symlink-to-dev-null"]
)
def test_dev_null_stays_a_device(name: str, via_link: bool, tmp_path: Path) -> None:
    target = "/dev/null"
    if via_link:
        (tmp_path / "nothing").symlink_to("/dev/null")
        target = "nothing"
    result = write_to(name, target, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == wrote(name, target)
    assert is_char_device("/dev/null")
    if via_link:
        assert (tmp_path / "nothing").readlink() == Path("/dev/null")
        assert [p.name for p in tmp_path.iterdir()] == ["nothing"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize("name", slow_but("baseline", sorted(WRITERS)))
def test_a_full_device_is_exit_2_with_the_reason(name: str, tmp_path: Path) -> None:
    result = write_to(name, "/dev/full", cwd=tmp_path)
    option = WRITERS[name][1]
    assert result.returncode == 2
    assert result.stderr == (
        f"clientchain: {option} /dev/full: cannot write: No space left on device\n"
    )
    assert is_char_device("/dev/full")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["report", "export", "schema"])
def test_dash_and_dev_stdout_write_to_stdout(name: str, tmp_path: Path) -> None:
    args, option, _ = WRITERS[name]
    plain = cli(*args, option, "-", cwd=tmp_path)
    assert plain.returncode == 0
    named = cli(*args, option, "/dev/stdout", cwd=tmp_path)
    assert named.returncode == 0
    assert named.stdout == plain.stdout and plain.stdout
    assert named.stderr == wrote(name, "/dev/stdout")
    if name == "report":
        assert plain.stderr == f"clientchain: wrote the report {WROTE_REPORT} to stdout\n"
    else:
        assert plain.stderr == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_dev_stdout_redirected_to_a_file_is_written_through_it(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("an unrelated file the shell truncates for us\n", encoding="utf-8")
    with page.open("w", encoding="utf-8") as stdout:  # `> page.html`
        proc = subprocess.run(
            [sys.executable, "-m", "clientchain", "report", str(DEALERSHIP), "-o", "/dev/stdout"],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            cwd=tmp_path,
        )
    assert proc.returncode == 0
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


# --- replacing an existing regular file -------------------------------------------------


@pytest.mark.slow
def test_schema_over_an_org_chart_is_refused_and_the_file_kept(tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(AN_ORG_CHART, encoding="utf-8")
    before = org.read_bytes()
    result = cli("schema", "org", "-o", "org.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "clientchain: -o org.yaml: exists and is not a clientchain JSON Schema;"
        " pass --force to replace it\n"
    )
    assert org.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["org.yaml"]


@pytest.mark.parametrize(
    ("name", "noun"),
    slow_but(
        ("export", "graph export"),
        [
            ("report", "HTML report"),
            ("export", "graph export"),
            ("schema", "JSON Schema"),
            ("baseline", "baseline"),
        ],
    ),
)
def test_a_foreign_file_needs_force(name: str, noun: str, tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text(AN_ORG_CHART, encoding="utf-8")
    refused = write_to(name, "out.txt", cwd=tmp_path)
    option = WRITERS[name][1]
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == (
        f"clientchain: {option} out.txt: exists and is not a clientchain {noun};"
        " pass --force to replace it\n"
    )
    assert target.read_text(encoding="utf-8") == AN_ORG_CHART
    forced = write_to(name, "out.txt", "--force", cwd=tmp_path)
    assert forced.returncode == 0
    assert forced.stderr == wrote(name, "out.txt")
    assert target.read_text(encoding="utf-8") != AN_ORG_CHART
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.slow
@pytest.mark.parametrize("name", slow_but("export", sorted(WRITERS)))
def test_an_earlier_output_of_the_same_kind_is_replaced(name: str, tmp_path: Path) -> None:
    first = write_to(name, "out.txt", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    content = (tmp_path / "out.txt").read_bytes()
    again = write_to(name, "out.txt", cwd=tmp_path)
    assert (again.returncode, again.stderr) == (0, wrote(name, "out.txt"))
    assert (tmp_path / "out.txt").read_bytes() == content
    (tmp_path / "empty.txt").touch()  # an empty file holds nothing to lose
    assert write_to(name, "empty.txt", cwd=tmp_path).returncode == 0
    assert (tmp_path / "empty.txt").read_bytes() == content


EXPORT_FORMATS = ["dot", "mermaid", "graphml", "json"]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_every_export_format_is_recognised(fmt: str, tmp_path: Path) -> None:
    first = cli("export", str(DEALERSHIP), "--to", fmt, "-o", "graph.out", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    # An export replaces an export, whatever its format: each format once after each.
    other = EXPORT_FORMATS[(EXPORT_FORMATS.index(fmt) + 1) % len(EXPORT_FORMATS)]
    again = cli("export", str(DEALERSHIP), "--to", other, "-o", "graph.out", cwd=tmp_path)
    assert again.returncode == 0, again.stderr


@pytest.mark.slow
def test_outputs_of_another_kind_are_not_replaced(tmp_path: Path) -> None:
    assert cli("schema", "org", "-o", "schema.json", cwd=tmp_path).returncode == 0
    assert write_to("report", "report.html", cwd=tmp_path).returncode == 0
    for name, target, noun in (
        ("report", "schema.json", "HTML report"),
        ("baseline", "schema.json", "baseline"),
        ("export", "report.html", "graph export"),
        ("schema", "report.html", "JSON Schema"),
    ):
        result = write_to(name, target, cwd=tmp_path)
        assert result.returncode == 2
        assert f"exists and is not a clientchain {noun}; pass --force" in result.stderr
    assert (tmp_path / "schema.json").read_bytes() == (SCHEMAS / "org.schema.json").read_bytes()


def test_the_analysis_json_does_not_replace_another_json_of_ours(tmp_path: Path) -> None:
    """A baseline, a diff and a chain start as the analysis does (`schema_version` first):
    each is kept without --force; an earlier analysis is replaced."""
    assert cli("analyze", str(DEALERSHIP), "--write-baseline", "baseline.json", cwd=tmp_path)
    printed = {  # (diff and chain print their document)
        "diff.json": ["diff", str(DEALERSHIP), str(DEALERSHIP), "--format", "json"],
        "chain.json": ["chain", str(DEALERSHIP), "seller", "--format", "json"],
    }
    for name, args in printed.items():
        done = cli(*args, cwd=tmp_path)
        assert done.returncode in (0, 1), done.stderr
        (tmp_path / name).write_text(done.stdout, encoding="utf-8")
    made = ["baseline.json", *printed]
    for name in made:
        before = (tmp_path / name).read_bytes()
        assert before.startswith(b'{\n  "schema_version": 1,\n')
        result = write_to("json", name, cwd=tmp_path)
        assert (result.returncode, result.stderr) == (
            2,
            f"clientchain: -o {name}: exists and is not a clientchain analysis;"
            " pass --force to replace it\n",
        )
        assert (tmp_path / name).read_bytes() == before


@pytest.mark.parametrize("second", ["out.json", "./out.json", "link.json"])
def test_one_file_is_never_two_outputs_of_a_run(second: str, tmp_path: Path) -> None:
    (tmp_path / "link.json").symlink_to("out.json")
    result = write_to("json", "out.json", "--write-baseline", second, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"clientchain: -o out.json and --write-baseline {second} name one file: one would"
        " replace the other; name two files\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json"]
    both = write_to("json", "out.json", "--write-baseline", "baseline.json", cwd=tmp_path)
    assert both.returncode == 0, both.stderr
    assert json.loads((tmp_path / "out.json").read_text())["schema_version"] == 1
    assert json.loads((tmp_path / "baseline.json").read_text())["tool"] == "clientchain"


def test_the_baseline_is_never_the_file_stdout_goes_to(tmp_path: Path) -> None:
    """`--write-baseline o.json > o.json`: the two would run together in one file."""
    command = [sys.executable, "-m", "clientchain", *WRITERS["json"][0]]
    with (tmp_path / "o.json").open("w") as stdout:
        result = subprocess.run(
            [*command, "--write-baseline", "o.json"],
            cwd=tmp_path, stdout=stdout, stderr=subprocess.PIPE, text=True, check=False,
        )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        "clientchain: stdout (the output) and --write-baseline o.json name one file: one"
        " would replace the other; name two files\n"
    )
    into = write_to("json", "/dev/stdout", "--write-baseline", "/dev/stdout", cwd=tmp_path)
    assert (into.returncode, into.stdout) == (2, "")


@pytest.mark.parametrize("writer", ["rollup", "import"])
def test_an_input_read_from_standard_input_is_never_replaced(writer: str, tmp_path: Path) -> None:
    """`--flows - -o sales.csv --force < sales.csv`: standard input is that file."""
    (tmp_path / "org.yaml").write_text(
        "clients: [{id: c}]\nroles: [{id: b}, {id: r, reports_to: b}]\n"
    )
    written = "from,to,amount\nc,r,10\n" if writer == "rollup" else "Customer,Payee,Amount\nc,r,5\n"
    (tmp_path / "in.csv").write_text(written)
    args = (
        ["model", "rollup", "org.yaml", "--flows", "-"]
        if writer == "rollup"
        else ["import", "flows", "-"]
    )
    with (tmp_path / "in.csv").open("rb") as stdin:
        result = subprocess.run(
            [sys.executable, "-m", "clientchain", *args, "-o", "in.csv", "--force"],
            cwd=tmp_path, stdin=stdin, capture_output=True, text=True, check=False,
        )  # fmt: skip
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "clientchain: -o in.csv: that is an input file (standard input); name a new file\n"
    )
    assert (tmp_path / "in.csv").read_text() == written


# not schema: it reads no input
@pytest.mark.parametrize("name", slow_but("baseline", ["baseline", "export", "report"]))
def test_force_never_overwrites_an_input(name: str, tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text("clients: [{id: c}]\nroles: [{id: r}]\nflows: [{from: c, to: r, amount: 1}]\n")
    before = org.read_bytes()
    args, option, _ = WRITERS[name]
    result = cli(args[0], "org.yaml", *args[2:], option, "./org.yaml", "--force", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"clientchain: {option} ./org.yaml: that is an input file (org.yaml); name a new file\n"
    )
    assert org.read_bytes() == before


# Every file a run reads is an input: the baseline and the configuration file too, under
# any path to them (another spelling, a hard link), with --force or without.
READ_FILES = {
    "baseline": ["--baseline", "b.json"],
    "config": ["--config", "cc.toml"],
    "found-config": [],  # .clientchain.toml beside the org chart, found by the run
}


@pytest.mark.parametrize("read", sorted(READ_FILES))
@pytest.mark.parametrize("option", ["-o", "--write-baseline"])
def test_no_file_the_run_reads_is_replaced(
    read: str, option: str, run: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "org.yaml").write_bytes(DEALERSHIP.read_bytes())
    (tmp_path / "flows.csv").write_bytes((DEALERSHIP.parent / "flows.csv").read_bytes())
    assert run("analyze", "org.yaml", "--write-baseline", "b.json").exit_code == 0
    (tmp_path / "cc.toml").write_text("decay = 0.5\n", encoding="utf-8")
    (tmp_path / ".clientchain.toml").write_text('fail-on = "error"\n', encoding="utf-8")
    named = {"baseline": "b.json", "config": "cc.toml", "found-config": ".clientchain.toml"}[read]
    os.link(tmp_path / named, tmp_path / "link")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    for target in (f"./{named}", "link"):
        args = ["analyze", "org.yaml", *READ_FILES[read], option, target, "--force"]
        result = run(*args, "--format", "json") if option == "-o" else run(*args)
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == (
            f"clientchain: {option} {target}: that is an input file ({named}); name a new file\n"
        )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize("name", slow_but("schema", sorted(WRITERS)))
def test_a_symlink_to_a_file_keeps_the_link_and_replaces_the_target(
    name: str, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    here = tmp_path / "here"
    here.mkdir()
    (elsewhere / "real.out").touch()
    (here / "link.out").symlink_to(elsewhere / "real.out")
    result = write_to(name, "link.out", cwd=here)
    assert result.returncode == 0, result.stderr
    assert result.stderr == wrote(name, "link.out")
    assert (here / "link.out").is_symlink()
    assert (here / "link.out").readlink() == elsewhere / "real.out"
    assert (elsewhere / "real.out").stat().st_size > 0
    assert [p.name for p in here.iterdir()] == ["link.out"]  # no temporary left anywhere
    assert [p.name for p in elsewhere.iterdir()] == ["real.out"]


@pytest.mark.slow
def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    assert write_to("report", "r.html", cwd=tmp_path).returncode == 0
    (tmp_path / "r.html").chmod(0o640)
    assert write_to("report", "r.html", cwd=tmp_path).returncode == 0
    assert stat.S_IMODE((tmp_path / "r.html").stat().st_mode) == 0o640


# --- organisations without roles --------------------------------------------------------

EMPTY_ORGS = {
    "clients-no-roles": "clients: [{id: c}]\nroles: []\n",
    "nothing": "roles: []\n",
    "policy-no-roles": (
        "roles: []\npolicy:\n  max_org_alienation: 0.1\n  ignore:\n"
        "    - {code: CC101, role: ghost, reason: gone}\n"
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("org", sorted(EMPTY_ORGS))
def test_the_report_of_an_org_without_roles_is_an_empty_report(org: str, tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_text(EMPTY_ORGS[org], encoding="utf-8")
    result = cli("report", "org.yaml", "-o", "r.html", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == "clientchain: wrote r.html (0 roles, 0 inversions)\n"
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# The sweeps below run in-process (the `run` fixture, many invocations): a crash there
# raises instead of becoming exit 3, which fails the test just as surely.


@pytest.mark.parametrize("org", sorted(EMPTY_ORGS))
def test_no_command_crashes_on_an_org_without_roles(
    org: str, tmp_path: Path, run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "org.yaml").write_text(EMPTY_ORGS[org], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runs = [
        *(["analyze", "org.yaml", "--format", f] for f in ("table", "json", "sarif", "github")),
        *(["analyze", "org.yaml", "--format", f] for f in ("gitlab", "markdown")),
        *(["export", "org.yaml", "--to", f] for f in ("dot", "mermaid", "graphml", "json")),
        ["diff", "org.yaml", str(DEALERSHIP)],
        ["diff", str(DEALERSHIP), "org.yaml", "--format", "json"],
        ["analyze", "org.yaml", "--write-baseline", "b.json"],
    ]
    for args in runs:
        result = run(*args)
        assert result.exit_code in (0, 1), (args, result.stderr)
    chain = run("chain", "org.yaml", "nobody")
    assert chain.exit_code == 2
    assert chain.stderr == "clientchain: unknown role 'nobody' in org.yaml\n"


# --- numeric options ---------------------------------------------------------------------


@pytest.mark.slow
def test_a_huge_top_clients_is_as_cheap_as_every_client(tmp_path: Path) -> None:
    every = cli("analyze", str(DEALERSHIP), "--format", "json", "--top-clients", "0", cwd=tmp_path)
    huge = cli(
        "analyze", str(DEALERSHIP), "--format", "json", "--top-clients", "1000000", cwd=tmp_path
    )
    assert every.returncode == huge.returncode == 1  # the dealership's inversion
    assert huge.stdout == every.stdout
    report = cli("report", str(DEALERSHIP), "-o", "-", "--top-clients", "1000000", cwd=tmp_path)
    assert report.returncode == 0


@pytest.mark.slow
@pytest.mark.parametrize("value", ["10000000", str(2**63), "-1"])
@pytest.mark.parametrize("command", ["analyze", "report"])
def test_an_absurd_top_clients_is_a_usage_error(command: str, value: str, tmp_path: Path) -> None:
    to_stdout = ["-o", "-"] if command == "report" else []
    result = cli(command, str(DEALERSHIP), *to_stdout, "--top-clients", value, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.endswith(
        f"Error: Invalid value for '--top-clients': {value} is not in the range 0<=x<=1000000.\n"
    )


NUMERIC = [
    ["analyze", str(DEALERSHIP), "--max-rows"],
    ["analyze", str(DEALERSHIP), "--decay"],
    ["analyze", str(DEALERSHIP), "--max-levels-inverted"],
    ["analyze", str(DEALERSHIP), "--max-org-alienation"],
    ["report", str(DEALERSHIP), "-o", "-", "--max-roles"],
    ["chain", str(DEALERSHIP), "accountant", "--max-depth"],
    ["chain", str(DEALERSHIP), "accountant", "--max-nodes"],
    ["diff", str(DEALERSHIP), str(DEALERSHIP), "--top"],
    ["export", str(DEALERSHIP), "--to", "dot", "--decay"],
]


@pytest.mark.parametrize("value", ["0", "-1", str(2**63), "nan", "inf"])
@pytest.mark.parametrize("args", NUMERIC, ids=lambda a: f"{a[0]}{a[-1]}")
def test_numeric_options_work_or_exit_2(
    args: list[str], value: str, run: Callable[..., Run]
) -> None:
    result = run(*args, value)
    assert result.exit_code in (0, 1, 2), result.stderr
    if result.exit_code == 2:
        assert f"Error: Invalid value for '{args[-1]}'" in result.stderr


@pytest.mark.parametrize(
    "args",
    slow_but(
        ["analyze", str(DEALERSHIP)],
        [
            ["analyze", str(DEALERSHIP)],
            ["analyze", str(DEALERSHIP), "--format", "json"],
            ["analyze", str(DEALERSHIP), "--format", "sarif"],
            ["validate", str(DEALERSHIP)],
            ["chain", str(DEALERSHIP), "seller"],
            ["diff", str(DEALERSHIP), str(DEALERSHIP)],
        ],
    ),
    ids=lambda args: " ".join(a if "/" not in a else Path(a).parent.name for a in args),
)
def test_stdout_on_a_full_device_is_exit_2_with_the_reason(args: list[str]) -> None:
    """`> /dev/full` (or a full disk): the machine's trouble, said in one line, not a bug."""
    with Path("/dev/full").open("w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "clientchain", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert (result.returncode, result.stderr) == (
        2,
        "clientchain: cannot write the output: No space left on device\n",
    )


def test_a_stream_that_fails_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    """A document streamed into a file (`Output.stream`) replaces it whole or not at all:
    when the writing stops halfway, the old file stays and no temporary file is left."""
    from clientchain.cli.output_file import Kind, open_output

    target = tmp_path / "out.json"
    first = cli("analyze", str(DEALERSHIP), "--format", "json", "-o", str(target), cwd=tmp_path)
    assert first.returncode == 1  # (the dealership has findings)
    before = target.read_bytes()
    output = open_output(str(target), option="-o", kind=Kind.ANALYSIS)
    with pytest.raises(RuntimeError), output.stream() as out:
        out.write(b'{"half": ')
        raise RuntimeError("the render stopped")
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
    with output.stream() as out:  # and a whole one replaces it
        out.write(b"{}\n")
    assert target.read_bytes() == b"{}\n"
