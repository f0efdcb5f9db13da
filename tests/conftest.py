"""Shared helpers: write small orgs to disk and run the CLI the way a user does; the
Hypothesis profiles; the one switch that rewrites golden files, and its refusal in CI."""

from __future__ import annotations

import importlib.util
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
import typer.testing
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from clientchain.cli.app import app
from clientchain.model.findings import Finding

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# CliRunner.invoke turns the Typer app into its click command on every call: every
# command's parameters read from its signature, each annotation evaluated (~60 ms for
# clientchain's whole app on this machine, most of a small invocation and of several
# minutes of the suite). The command a given app makes is the same each time (the
# installed CLI builds it once per run, and only the command it runs): made once here.
_commands: dict[typer.Typer, object] = {}  # (keyed by the app itself: compared as itself)
_make_command: Callable[[typer.Typer], object] = vars(typer.testing)["_get_command"]


def _command_once(typer_app: typer.Typer) -> object:
    if typer_app not in _commands:
        _commands[typer_app] = _make_command(typer_app)
    return _commands[typer_app]


vars(typer.testing)["_get_command"] = _command_once  # what CliRunner.invoke calls
# Examples imported from real data (hundreds of roles): their brute-force oracle checks
# take seconds each, so they run with the slow tests (CI runs everything).
BIG_EXAMPLE_BYTES = 20_000


def example_params(orgs: list[Path]) -> list[object]:
    """`orgs` as pytest params named by folder, the big ones marked slow."""
    return [
        pytest.param(
            org,
            id=org.parent.name,
            marks=[pytest.mark.slow] if org.stat().st_size > BIG_EXAMPLE_BYTES else [],
        )
        for org in orgs
    ]


@cache
def bench_module(name: str) -> ModuleType:
    """bench/NAME.py as a module (bench/ is scripts, not a package)."""
    path = Path(__file__).resolve().parent.parent / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_generator() -> ModuleType:
    """bench/generate.py as a module."""
    return bench_module("generate")


UPDATE_GOLDEN = "CLIENTCHAIN_UPDATE_GOLDEN"


def in_ci() -> bool:
    """`CI` is set (GitHub Actions, GitLab and most CI services set CI=true)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


# Hypothesis: "dev" (Hypothesis's defaults, random examples, a local example database)
# unless HYPOTHESIS_PROFILE names another ("soak" below) or CI is set: then "ci", the
# same examples on every run, no database, and a failure's blob printed to reproduce it
# with @reproduce_failure. A test's own @settings(max_examples=...) wins over either.
settings.register_profile("dev", settings.get_profile("default"))
settings.register_profile(
    "ci",
    settings.get_profile("default"),
    derandomize=True,
    database=None,
    print_blob=True,
    deadline=None,  # a shared CI runner's timings are noise, not a finding
    suppress_health_check=[HealthCheck.too_slow],
)
# "soak": fresh random examples on every run and no deadline, for running the property
# tests again and again on a busy machine (HYPOTHESIS_PROFILE=soak).
settings.register_profile(
    "soak",
    settings.get_profile("default"),
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if in_ci() else "dev"))


def update_golden() -> bool:
    """True when `CLIENTCHAIN_UPDATE_GOLDEN=1` asks golden tests to rewrite their files.

    Never in CI: a golden rewritten by the run that compares with it cannot fail, so
    both set together fail the run loudly instead."""
    value = os.environ.get(UPDATE_GOLDEN, "")
    if value and in_ci():
        pytest.fail(
            f"{UPDATE_GOLDEN}={value!r} with CI={os.environ['CI']!r}: CI never rewrites "
            f"golden files (it would compare each output with itself); unset {UPDATE_GOLDEN}",
            pytrace=False,
        )
    return value == "1"


@pytest.fixture(autouse=True, scope="session")
def _no_golden_rewrites_in_ci() -> None:
    """Every test, also those whose module reads the variable itself at import."""
    update_golden()


def check_golden(golden: Path, actual: str) -> None:
    """`actual` is, byte for byte, the reviewed golden file (which `update_golden()`
    rewrites first; read the diff before committing it)."""
    if update_golden():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual.encode("utf-8"))
    if not golden.is_file():
        pytest.fail(f"no golden file {golden}: write it with {UPDATE_GOLDEN}=1", pytrace=False)
    assert actual == golden.read_bytes().decode("utf-8"), f"differs from {golden}"


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run() -> Callable[..., Run]:
    """Run `clientchain ARGS...` in-process; stdout and stderr kept apart. Piped output
    at the default width whatever the terminal the tests run in (COLUMNS unset)."""
    runner = CliRunner(env={"COLUMNS": None})

    def invoke(*args: str) -> Run:
        result = runner.invoke(app, list(args), catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return invoke


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented text to tmp_path/NAME and return the path."""

    def put(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return put


def count_made_findings(monkeypatch: pytest.MonkeyPatch) -> list[Finding]:
    """Every `Finding` made from now on (until monkeypatch undoes it), in order: for the
    tests that a million findings stay rows and only the few that must be are made."""
    made: list[Finding] = []
    init = Finding.__init__

    def counted(self: Finding, *args: object, **kwargs: object) -> None:
        init(self, *args, **kwargs)  # type: ignore[arg-type]
        made.append(self)

    monkeypatch.setattr(Finding, "__init__", counted)
    return made


def arena_users(
    monkeypatch: pytest.MonkeyPatch, module: ModuleType, said: Path
) -> Callable[[], list[str]]:
    """Make `module`'s in_own_arena note, in `said`, the process of each caller (a forked
    child's too); the returned function reads the process ids noted so far."""
    from clientchain.model import own_arena

    real = own_arena.in_own_arena

    def spied(work: Callable[..., object]) -> object:
        with said.open("a", encoding="utf-8") as file:
            file.write(f"{os.getpid()}\n")
        return real(work)

    monkeypatch.setattr(module, "in_own_arena", spied)
    return lambda: said.read_text(encoding="utf-8").split() if said.exists() else []
