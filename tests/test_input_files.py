"""What a path may name as an input: a file, a pipe the command line gives, /dev/null;
never a device that does not end or waits for a keyboard, never a pipe an org chart
names (see loading/input_file.py). Runs that could hang or eat the machine's memory
if this broke run in a subprocess with a timeout and a memory limit."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clientchain.cli.app import app
from clientchain.loading.input_file import NotAFileError, read_file

ORG = "clients:\n  - id: buyers\nroles:\n  - id: owner\n  - id: seller\n    reports_to: owner\n"
FLOWS = "from,to,amount\nbuyers,seller,100\nseller,owner,40\n"
DEVICE = "is a device, not a file"
ZERO, RANDOM = "/dev/zero", "/dev/urandom"


def _at_most_a_gigabyte() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def clientchain(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in a child that a regression cannot let hang or swell."""
    return subprocess.run(
        [sys.executable, "-m", "clientchain", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=_at_most_a_gigabyte,
    )


def chart(folder: Path, flows: str | None) -> Path:
    org = folder / "org.yaml"
    org.write_text(ORG + (f"flows: {flows}\n" if flows else ""), encoding="utf-8")
    return org


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["analyze", ZERO],
        ["validate", RANDOM],
        ["chain", ZERO, "seller"],
        ["export", ZERO, "--to", "json"],
        ["diff", ZERO, ZERO],
        ["import", "people", ZERO],
        ["import", "flows", RANDOM],
    ],
    ids=" ".join,
)
def test_a_device_on_the_command_line_is_refused_unread(args: list[str]) -> None:
    done = clientchain(*args)
    assert (done.returncode, done.stdout) == (2, "")
    device = next(arg for arg in args if arg.startswith("/dev/"))
    assert done.stderr.startswith(f"{device}: {DEVICE}\n")


@pytest.mark.slow
@pytest.mark.parametrize("device", [ZERO, RANDOM, "/dev/tty"])
def test_a_device_named_in_an_org_chart_is_refused_at_its_line(tmp_path: Path, device: str) -> None:
    """An org chart under review names the flows file: it cannot make the gate read for
    ever, wait for a keyboard, or run out of memory."""
    org = chart(tmp_path, device)
    for command in ("analyze", "validate"):
        done = clientchain(command, str(org))
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr.startswith(f"{org}:7:8: {DEVICE}: {device}\n")


def test_a_link_to_a_device_is_a_device(tmp_path: Path) -> None:
    (tmp_path / "flows.csv").symlink_to(ZERO)
    org = chart(tmp_path, "flows.csv")
    done = clientchain("analyze", str(org), "--format", "json")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(f"{org}:7:8: {DEVICE}: {tmp_path / 'flows.csv'}\n")


def test_a_fifo_named_in_an_org_chart_is_refused_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "flows.csv")  # no writer: reading it would wait for ever
    org = chart(tmp_path, "flows.csv")
    done = clientchain("analyze", str(org))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(
        f"{org}:7:8: is a named pipe (FIFO), not a file: {tmp_path / 'flows.csv'}\n"
    )


@pytest.mark.slow
@pytest.mark.parametrize("option", ["--flows", "--baseline"])
def test_a_device_given_to_an_option_is_refused(tmp_path: Path, option: str) -> None:
    org = chart(tmp_path, None)
    done = clientchain("analyze", str(org), option, ZERO)
    assert (done.returncode, done.stdout) == (2, "")
    assert DEVICE in done.stderr and ZERO in done.stderr


def test_dev_null_is_an_empty_file(tmp_path: Path) -> None:
    done = clientchain("analyze", str(chart(tmp_path, None)), "--flows", os.devnull)
    assert done.returncode == 2
    assert f"{os.devnull}:1: empty flows file" in done.stderr
    assert DEVICE not in done.stderr


@pytest.mark.parametrize(
    "first_line",
    ["", "sep=,\n"],  # an Excel `sep=` line: the fast reader reads the pipe, then declines
    ids=["plain", "read twice"],
)
def test_a_pipe_on_the_command_line_is_read_whole_once(tmp_path: Path, first_line: str) -> None:
    """`--flows <(...)`: the pipe's bytes count as the file's, even when both readers
    need them (a pipe read a second time is empty)."""
    org = chart(tmp_path, None)
    flows = first_line + FLOWS
    (tmp_path / "flows.csv").write_text(flows, encoding="utf-8")
    read, write = os.pipe()
    os.write(write, flows.encode())
    os.close(write)
    try:
        piped = CliRunner().invoke(
            app, ["analyze", str(org), "--flows", f"/dev/fd/{read}", "--format", "json"]
        )
    finally:
        os.close(read)
    from_file = CliRunner().invoke(
        app, ["analyze", str(org), "--flows", str(tmp_path / "flows.csv"), "--format", "json"]
    )
    assert piped.exit_code == from_file.exit_code == 0, piped.stderr
    assert json.loads(piped.stdout)["roles"] == json.loads(from_file.stdout)["roles"]
    assert json.loads(piped.stdout)["summary"]["flows"] == 2


def test_read_file_says_what_a_path_names(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"bytes")
    assert read_file(tmp_path / "file") == b"bytes"
    assert read_file(Path(os.devnull)) == b""
    with pytest.raises(IsADirectoryError):
        read_file(tmp_path)
    with pytest.raises(NotAFileError, match="is a device, not a file"):
        read_file(Path(ZERO))
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(NotAFileError, match=r"is a named pipe \(FIFO\), not a file"):
        read_file(tmp_path / "fifo", pipes=False)
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "socket"))
        with pytest.raises(NotAFileError, match="is not a file"):
            read_file(tmp_path / "socket")
    with pytest.raises(FileNotFoundError):
        read_file(tmp_path / "missing")


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [["analyze", "-"], ["validate", "ORG", "--flows", "-"], ["import", "people", "-"]],
    ids=" ".join,
)
def test_a_device_as_standard_input_is_refused_unread(tmp_path: Path, args: list[str]) -> None:
    org = chart(tmp_path, None)
    with Path(ZERO).open("rb") as zero:
        done = subprocess.run(
            [sys.executable, "-m", "clientchain", *(str(org) if a == "ORG" else a for a in args)],
            stdin=zero,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            preexec_fn=_at_most_a_gigabyte,
        )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("<stdin>: cannot read standard input: is a device, not a file\n")


def test_a_fifo_made_again_at_the_same_path_is_read_afresh(tmp_path: Path) -> None:
    """Pipes are read once and kept (both readers may ask); a new FIFO where an old one
    was (often the same inode) is another pipe, in a library's long-lived process too."""
    fifo = tmp_path / "flows.csv"
    for content in (b"first\n", b"second\n"):
        fifo.unlink(missing_ok=True)
        os.mkfifo(fifo)

        def write(content: bytes = content) -> None:
            with fifo.open("wb") as end:
                end.write(content)

        writer = threading.Thread(target=write)
        writer.start()
        assert read_file(fifo) == content
        assert read_file(fifo) == content  # read again: what was kept
        writer.join()


def test_a_file_that_gives_some_bytes_then_waits_is_refused_not_cut_short() -> None:
    """/proc/kmsg with the kernel's messages pending gives them, then waits: what came
    first is no file's whole content (a pipe left open by its writer stands in here)."""
    from clientchain.loading.input_file import _read_to_end

    read, write = os.pipe()
    try:
        os.set_blocking(read, False)
        os.write(write, b"roles:\n  - id: a\n")
        with pytest.raises(NotAFileError, match="waits for more to read"):
            _read_to_end(read, 0)
        os.close(write)
        write = -1
        assert _read_to_end(read, 0) == b""  # its writer gone: the end
    finally:
        os.close(read)
        if write >= 0:
            os.close(write)


@pytest.mark.skipif(not os.access("/proc/kmsg", os.R_OK), reason="needs /proc/kmsg (root)")
def test_a_regular_file_that_never_ends_is_refused(tmp_path: Path) -> None:
    """/proc/kmsg says it is a regular file and waits for the kernel's next message."""
    org = chart(tmp_path, "/proc/kmsg")
    done = clientchain("validate", str(org))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(
        f"{org}:7:8: is not a file (it waits for more to read): /proc/kmsg\n"
    )


def test_a_pipe_is_kept_for_every_org_chart_that_reads_it_and_no_longer(tmp_path: Path) -> None:
    """`validate A B --flows <(...)`: each org chart gets the pipe's flows; a command that
    loads once lets the bytes go when it has (at a million roles, 100-200 MB)."""
    from clientchain.loading import input_file

    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    orgs = [str(chart(first, None)), str(chart(second, None))]
    read, write = os.pipe()
    os.write(write, FLOWS.encode())
    os.close(write)
    try:
        pipe = f"/dev/fd/{read}"
        both = CliRunner().invoke(app, ["validate", *orgs, "--flows", pipe])
        assert both.exit_code == 0, both.stderr
        assert both.stdout.count("2 roles, 1 client, 2 flows") == 2
        analysed = CliRunner().invoke(
            app, ["analyze", orgs[0], "--flows", pipe, "--format", "json"]
        )
        assert analysed.exit_code == 0, analysed.stderr
        assert json.loads(analysed.stdout)["summary"]["flows"] == 2
        assert input_file._piped == {}
    finally:
        os.close(read)


def test_a_system_without_nonblocking_opens_still_reads_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows has neither O_NONBLOCK nor O_CLOEXEC: a regular file is read all the same."""
    for name in ("O_NONBLOCK", "O_CLOEXEC"):
        monkeypatch.delattr(os, name, raising=False)
    (tmp_path / "org.yaml").write_bytes(b"roles:\r\n  - id: owner\r\n")
    assert read_file(tmp_path / "org.yaml") == b"roles:\r\n  - id: owner\r\n"
