"""`clientchain import people`: HR exports as they really come, in; org.yaml out.

The corpus in tests/imports/ is written the way HR systems and spreadsheets write
exports (a BOM with semicolons and decimal commas, Windows-1252, tabs, managers
named by name, managers who left, cycles, repeated ids, junior grades without ids);
the real public exports are in ../shared/realdata. Messages are asserted exactly.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientchain import load, loads
from clientchain.importing.clients import ClientOptions
from clientchain.importing.org_import import OrgSettings, import_org
from clientchain.importing.org_yaml import org_yaml
from clientchain.importing.people import PeopleOptions
from clientchain.importing.yaml_scalars import yaml_scalar
from clientchain.loading.spreadsheet import csv_text
from tests import oracle
from tests.conftest import Run
from tests.oracle import OrgSpec
from tests.orgs import headcount_text, org_specs, render_yaml

Runner = Callable[..., Run]
IMPORTS = Path(__file__).resolve().parent / "imports"
REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
CHINOOK = REALDATA / "chinook" / "employees.csv"
HMT = REALDATA / "uk_organograms" / "hmt_full.csv"
GITLAB = REALDATA / "gitlab_team" / "gitlab_team_members_2022-11.csv"
needs_realdata = pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata not here")


def imported(run: Runner, *args: str) -> Run:
    """`clientchain import people ARGS...`, expected to succeed."""
    done = run("import", "people", *args)
    assert done.exit_code == 0, done.stderr
    return done


def refused(run: Runner, *args: str) -> list[str]:
    """The stderr lines of `clientchain import people ARGS...`, expected to exit 2 with
    nothing on stdout."""
    done = run("import", "people", *args)
    assert done.exit_code == 2, done.stdout + done.stderr
    assert done.stdout == ""
    return done.stderr.splitlines()


def roles_of(text: str) -> list[dict[str, Any]]:
    """The roles of an org chart as any YAML reader sees them."""
    roles: list[dict[str, Any]] = yaml.safe_load(text)["roles"]
    return roles


def corpus(name: str) -> str:
    return str(IMPORTS / name)


# --------------------------------------------------------------------------- the output


CHINOOK_YAML = """\
# Imported by clientchain import people from employees.csv
# columns: id = 'EmployeeId', reports_to = 'ReportsTo', name = 'FirstName' + 'LastName', \
title = 'Title'
org: employees
roles:
  - id: '1'
    title: General Manager
  - id: '2'
    title: Sales Manager
    reports_to: '1'
  - id: '3'
    title: Sales Support Agent
    reports_to: '2'
  - id: '4'
    title: Sales Support Agent
    reports_to: '2'
  - id: '5'
    title: Sales Support Agent
    reports_to: '2'
  - id: '6'
    title: IT Manager
    reports_to: '1'
  - id: '7'
    title: IT Staff
    reports_to: '6'
  - id: '8'
    title: IT Staff
    reports_to: '6'
"""


@needs_realdata
def test_the_music_store_employees_become_eight_roles_under_the_general_manager(
    run: Runner, tmp_path: Path
) -> None:
    done = imported(run, str(CHINOOK))
    assert done.stdout == CHINOOK_YAML
    assert done.stderr == (
        "clientchain: columns: id = 'EmployeeId', reports_to = 'ReportsTo',"
        " name = 'FirstName' + 'LastName', title = 'Title'\n"
    )
    org = tmp_path / "org.yaml"
    org.write_text(done.stdout, encoding="utf-8")
    checked = run("validate", str(org))
    assert checked.exit_code == 0, checked.stderr
    assert "8 roles" in checked.stdout


def test_re_importing_gives_the_same_bytes_and_replaces_its_own_output(
    run: Runner, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    args = [corpus("organogram.csv"), "--where", "Snapshot=Mar-14", "--generate-ids"]
    imported(run, *args, "--orphans", "top", "-o", str(first))
    imported(run, *args, "--orphans", "top", "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    imported(run, *args, "--orphans", "top", "-o", str(first))  # our own file: no --force
    assert first.read_bytes() == second.read_bytes()


def test_a_file_that_is_not_an_earlier_import_needs_force_and_an_input_is_never_replaced(
    run: Runner, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text("my: notes\n", encoding="utf-8")
    assert refused(run, corpus("cycle.csv"), "-o", str(notes)) == [
        f"clientchain: -o {notes}: exists and is not a clientchain org chart;"
        " pass --force to replace it"
    ]
    export = tmp_path / "export.csv"
    export.write_text("id,manager\na,\n", encoding="utf-8")
    lines = refused(run, str(export), "-o", str(export), "--force")
    assert lines == [f"clientchain: -o {export}: that is an input file ({export}); name a new file"]


def test_the_header_names_the_file_the_columns_and_the_options_and_keys_keep_their_order(
    run: Runner,
) -> None:
    done = imported(run, corpus("matrix_tabs.tsv"), "--keep-names", "--currency", "EUR")
    assert done.stdout.splitlines()[:5] == [
        "# Imported by clientchain import people from matrix_tabs.tsv",
        "# columns: id = 'Worker ID', reports_to = 'Supervisor ID', name = 'Name',"
        " title = 'Title', department = 'Team', headcount = 'FTE',"
        " dotted_to = 'Dotted Line Manager', status = 'Status'",
        "# options: --keep-names",
        "org: matrix_tabs",
        "currency: EUR",
    ]
    w4 = done.stdout.split("  - id: w4\n")[1].split("  - id:")[0]
    assert w4 == (
        "    title: Senior Engineer\n"
        "    reports_to: w2\n"
        "    department: Tech\n"
        "    headcount: 0\n"
        "    dotted_to: w3\n"
    )  # an open position: headcount 0, no name
    assert "    name: Ivo Maric\n" in done.stdout
    assert "clientchain: 1 vacancy: headcount 0" in done.stderr.splitlines()


# --------------------------------------------------------------------------- dialects


def test_semicolons_a_bom_and_decimal_commas_need_decimal_comma_and_say_so(run: Runner) -> None:
    export = corpus("personal_semikolon.csv")
    assert refused(run, export, "--id", "Personalnummer") == [
        "clientchain: columns: id = 'Personalnummer', reports_to = 'Manager ID',"
        " name = 'Name', title = 'Job Title', department = 'Department', headcount = 'FTE',"
        " pay = 'Salary'",
        f"{export}:2:47: Salary: amount '120.000,00 €' has a decimal comma; pass"
        " --decimal-comma, or write 120000.00 (3 rows: lines 2, 3 and 4)",
        f"{export}:4:53: FTE has a decimal comma: '0,5' (line 4), '0,75' (line 5); pass"
        " --decimal-comma, or write the number with a '.'",
        "clientchain: 2 problems in the input",
    ]
    done = imported(run, export, "--id", "1", "--decimal-comma", "--currency", "EUR")
    roles = {role["id"]: role for role in roles_of(done.stdout)}
    assert roles["1003"]["headcount"] == 0.5
    assert roles["1004"]["headcount"] == 0.75
    assert roles["1005"]["headcount"] == 0  # no name on a row with an id: a vacancy
    assert roles["1001"]["pay"] == 120000.0
    assert roles["1003"]["pay"] == 21000.5
    assert "pay" not in roles["1004"]  # N/A: not known
    assert not any("name" in role for role in roles.values())  # personal data stays out
    assert "    pay: 21000.50\n" in done.stdout  # written as the export's digits


def test_windows_1252_is_refused_with_the_fix_and_read_with_encoding(run: Runner) -> None:
    export = corpus("payroll_cp1252.csv")
    assert refused(run, export) == [
        f"{export}:2:7: not UTF-8 text (byte 0xeb); save it as CSV UTF-8, or pass"
        " --encoding cp1252 (or the encoding it was saved in)",
        "clientchain: 1 problem in the input",
    ]
    done = imported(run, export, "--encoding", "cp1252")
    assert [(r["id"], r["title"]) for r in roles_of(done.stdout)] == [
        ("E01", "Directeur Général"),
        ("E02", "Responsable Comptabilité"),
        ("E03", "Comptable"),
    ]
    assert [r["cost_centre"] for r in roles_of(done.stdout)] == ["CC-100", "CC-200", "CC-200"]


def test_a_tab_separated_export_with_dotted_lines_vacancies_and_fractional_fte(
    run: Runner,
) -> None:
    done = imported(run, corpus("matrix_tabs.tsv"))
    roles = roles_of(done.stdout)
    assert [(r["id"], r.get("reports_to"), r.get("dotted_to")) for r in roles] == [
        ("w1", None, None),
        ("w2", "w1", None),
        ("w3", "w1", "w2"),
        ("w4", "w2", "w3"),
        ("w5", "w2", None),
    ]
    assert [r.get("headcount", 1) for r in roles] == [1, 1, 1, 0, 0.6]


def test_stdin_is_read_as_the_export(run: Runner, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from clientchain.cli.app import app

    result = CliRunner().invoke(
        app, ["import", "people", "-"], input="Employee ID,Manager ID\nb,a\na,\n"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "# Imported by clientchain import people from <stdin>",
        "# columns: id = 'Employee ID', reports_to = 'Manager ID'",
    ]
    assert "org:" not in result.stdout  # no file name to take it from


def test_a_workbook_is_refused_with_what_to_do(run: Runner, tmp_path: Path) -> None:
    book = tmp_path / "people.xlsx"
    book.write_bytes(b"PK\x03\x04" + bytes(100))
    assert refused(run, str(book)) == [
        f"{book}:1:1: a spreadsheet workbook (XLSX or XLS), not CSV text: save it as CSV UTF-8",
        "clientchain: 1 problem in the input",
    ]


# --------------------------------------------------------------------------- columns


def test_a_missing_id_column_is_the_only_problem_reported(
    run: Runner, write: Callable[[str, str], Path]
) -> None:
    export = write("staff.csv", "Staff,Boss,FTE\nann,,N/A\nbob,carl,1\n")
    assert refused(run, str(export)) == [
        f"{export}:1:1: no column for id: pass --id COLUMN; the columns are 'Staff', 'Boss', 'FTE'",
        "clientchain: 1 problem in the input",
    ]


def test_columns_are_named_by_header_or_number_and_a_wrong_name_gets_a_hint(
    run: Runner, write: Callable[[str, str], Path]
) -> None:
    export = write("staff.csv", "Staff,Boss,Role\nann,,Owner\nbob,ann,Clerk\n")
    done = imported(run, str(export), "--id", "staff", "--reports-to", "2")
    assert done.stderr.splitlines()[0] == (
        "clientchain: columns: id = 'Staff', reports_to = 'Boss', title = 'Role'"
    )
    assert refused(run, str(export), "--id", "Staf", "--reports-to", "Boss") == [
        f"{export}:1:1: --id Staf: no such column (did you mean 'Staff'?); the columns are"
        " 'Staff', 'Boss', 'Role'",
        "clientchain: 1 problem in the input",
    ]


@needs_realdata
def test_columns_that_look_like_a_field_but_were_not_taken_are_named(run: Runner) -> None:
    done = imported(
        run, str(HMT), "--where", "Back to Index=Mar-14", "--generate-ids", "--orphans", "top"
    )
    assert done.stderr.splitlines()[:2] == [
        "clientchain: columns: id = 'Post Unique Reference', reports_to = 'Reports to Senior"
        " Post', title = 'Job Title', department = 'Unit', headcount = 'FTE'",
        "clientchain: ignored columns: 'Parent Department' (like department: --department"
        " COL), 'Salary Cost of Reports (£)' (like pay: --pay COL)",
    ]


def test_total_pay_with_a_unit_in_brackets_is_pay_and_n_a_leaves_pay_out(
    run: Runner, write: Callable[[str, str], Path]
) -> None:
    export = write(
        "posts.csv",
        'ID,Parent,Total Pay (GBP)\nA,,"£90,000"\nB,A,N/D\nC,A,n/a\nD,A,-\nE,A,\n',
    )
    roles = roles_of(imported(run, str(export)).stdout)
    assert [r.get("pay") for r in roles] == [90000, None, None, None, None]


def test_fte_that_is_no_number_is_one_problem_per_column_listing_values_and_lines(
    run: Runner, write: Callable[[str, str], Path]
) -> None:
    export = write(
        "fte.csv",
        "ID,Parent,FTE,Salary\na,,1,100\nb,a,N/A,x\nc,a,N/A,200\nd,a,-1,\ne,a,N/D,-5\n",
    )
    assert refused(run, str(export)) == [
        "clientchain: columns: id = 'ID', reports_to = 'Parent', headcount = 'FTE', pay = 'Salary'",
        f"{export}:3:5: FTE is not a number: 'N/A' (lines 3 and 4), 'N/D' (line 6); write the"
        " full-time equivalents (0 for a vacancy), or leave the cell empty for 1",
        f"{export}:3:9: Salary is not an amount: 'x' (line 3); write a number such as 52000,"
        " or N/A when it is not known",
        f"{export}:5:5: FTE is below 0: '-1' (line 5); write the full-time equivalents, 0 or more",
        f"{export}:6:9: Salary is below 0: '-5' (line 6); write the pay as a number, 0 or more",
        "clientchain: 4 problems in the input",
    ]


# --------------------------------------------------------------------------- managers


def test_managers_named_by_name_are_written_as_their_ids(run: Runner) -> None:
    done = imported(run, corpus("managers_by_name.csv"))
    assert [(r["id"], r.get("reports_to")) for r in roles_of(done.stdout)] == [
        ("7", None),
        ("8", "7"),
        ("9", "8"),
        ("10", "7"),
        ("11", "10"),
    ]
    assert done.stderr.splitlines()[-1] == (
        "clientchain: 3 rows name their manager by name: written as the manager's id"
    )


def test_a_name_two_rows_share_is_ambiguous_and_lists_both(run: Runner) -> None:
    export = corpus("managers_by_name_ambiguous.csv")
    assert refused(run, export)[1:] == [
        f"{export}:4:32: manager 'Peter Novak' is ambiguous: 2 rows have that name (lines 3"
        " and 5); write the id instead (named so in lines 4 and 6)",
        "clientchain: 1 problem in the input",
    ]


def test_managers_not_in_the_file_are_one_problem_each_and_one_summary(run: Runner) -> None:
    export = corpus("dangling.csv")
    assert refused(run, export) == [
        "clientchain: columns: id = 'id', reports_to = 'manager_id', title = 'title'",
        f"{export}:3:12: manager 'jdoe' is not in the file; 3 rows report to it: lines 3, 4 and 5",
        f"{export}:6:11: manager '0' is not in the file; 1 row reports to it: line 6",
        # A case slip is plausibly the same id; '0' is not taken to mean "nobody".
        f"{export}:7:11: manager 'CEO' is not in the file (did you mean 'ceo', line 2?); 1 row"
        " reports to it: line 7",
        "clientchain: 3 managers are not in the file (e.g. 'jdoe' over 3 people); pass"
        " --orphans top to make their reports tops, --orphans drop to leave those rows out",
        "clientchain: 3 problems in the input",
    ]


def test_orphans_top_makes_them_tops_and_drop_leaves_them_and_their_teams_out(
    run: Runner,
) -> None:
    export = corpus("dangling.csv")
    top = imported(run, export, "--orphans", "top")
    assert [(r["id"], r.get("reports_to")) for r in roles_of(top.stdout)] == [
        ("ceo", None),
        ("a1", None),
        ("a2", None),
        ("a3", None),
        ("s1", None),
        ("s2", None),
        ("b1", "a1"),
    ]
    assert top.stderr.splitlines()[-1] == (
        "clientchain: 3 managers are not in the file: the 5 rows reporting to them are tops"
        " (--orphans top)"
    )
    drop = imported(run, export, "--orphans", "drop")
    assert [r["id"] for r in roles_of(drop.stdout)] == ["ceo"]
    assert drop.stderr.splitlines()[-1] == (
        "clientchain: 3 managers are not in the file: left out the 5 rows reporting to them"
        " and the 1 row below (--orphans drop)"
    )


def test_a_reporting_cycle_is_reported_at_its_first_row_and_self_reports_are_tops(
    run: Runner,
) -> None:
    export = corpus("cycle.csv")
    assert refused(run, export)[1:] == [
        f"{export}:3:12: reporting cycle: 'P2' (line 3) -> 'P4' (line 5) -> 'P3' (line 4)"
        " -> 'P2'; one of them must report outside it, or be a top",
        "clientchain: 1 problem in the input",
    ]


def test_a_repeated_id_is_reported_at_its_second_row_naming_the_first(run: Runner) -> None:
    export = corpus("duplicate_ids.csv")
    assert refused(run, export)[1:] == [
        f"{export}:4:1: id '101' is already the id of line 3 (and again in line 6); each row"
        " needs an id of its own",
        "clientchain: 1 problem in the input",
    ]


def test_dotted_lines_the_contract_refuses_are_problems_at_their_cells(
    run: Runner, write: Callable[[str, str], Path]
) -> None:
    export = write(
        "matrix.csv",
        "ID,Manager ID,Dotted Line\nceo,,\ncto,ceo,cto\ndev,cto,ceo\nops,ceo,qa\nqa,ceo,ops\n"
        "pm,ceo,ux\nux,pm,\nqa2,ceo,nobody\n",
    )
    assert refused(run, str(export))[1:] == [
        f"{export}:9:9: dotted-line manager 'nobody' is not in the file; named in line 9",
        f"{export}:3:9: dotted line to the row itself",
        f"{export}:4:9: dotted line to 'ceo' (line 2), which is above it in reports_to already",
        f"{export}:5:9: dotted lines both ways between 'ops' and 'qa' (line 6); keep one",
        f"{export}:7:8: dotted line to 'ux' (line 8), which reports to it (directly or further"
        " down)",
        "clientchain: 5 problems in the input",
    ]


def test_did_you_mean_only_for_the_same_id_typed_another_way_never_another_person(
    run: Runner, write: Callable[[str, str], Path]
) -> None:
    export = write(
        "people.csv",
        "Employee ID,Name,Manager ID\n"
        "jsmith,John Smith,\n"
        "E-042,Ann Lee,jsmith\n"
        "a,Al Ray,jsmith2\n"  # another J. Smith, perhaps: no guess
        "b,Bo Ek,e042\n"  # the same id without its dash and in lower case
        "c,Cy Ho,ann lee\n",  # a name typed in lower case
    )
    assert refused(run, str(export))[1:4] == [
        f"{export}:4:10: manager 'jsmith2' is not in the file; 1 row reports to it: line 4",
        f"{export}:5:9: manager 'e042' is not in the file (did you mean 'E-042', line 3?);"
        " 1 row reports to it: line 5",
        f"{export}:6:9: manager 'ann lee' is not in the file (did you mean 'Ann Lee', id"
        " 'E-042', line 3?); 1 row reports to it: line 6",
    ]


def test_where_on_one_column_twice_keeps_either_value(
    run: Runner, write: Callable[[str, str], Path]
) -> None:
    export = write("people.csv", "ID,Parent,Site\nceo,,HQ\na,ceo,Kyiv\nb,ceo,Lviv\nc,ceo,Oslo\n")
    done = imported(run, str(export), "--where", "Site=HQ", "--where", "Site=Lviv")
    assert [r["id"] for r in roles_of(done.stdout)] == ["ceo", "b"]


def test_a_missing_file_is_one_problem(run: Runner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    assert refused(run, str(missing)) == [
        f"{missing}: file not found",
        "clientchain: 1 problem in the input",
    ]


# --------------------------------------------------------------------------- ids


def test_rows_without_an_id_are_one_problem_or_get_ids_after_their_manager(
    run: Runner,
) -> None:
    export = corpus("organogram.csv")
    assert refused(run, export, "--where", "Snapshot=Mar-14") == [
        "clientchain: columns: id = 'Post Unique Reference', reports_to = 'Reports to Senior"
        " Post', title = 'Job Title', department = 'Unit', headcount = 'FTE', pay = 'Salary'",
        f"{export}:4:8: 3 rows have no id in 'Post Unique Reference' (lines 4, 5 and 6); pass"
        " --generate-ids to name each after its manager ('MANAGER/1', 'MANAGER/2', ... and"
        " 'top/1' for a top)",
        f"{export}:2:37: manager 'XX' is not in the file; 1 row reports to it: line 2",
        "clientchain: 1 manager is not in the file ('XX' over 1 person); pass --orphans top to"
        " make its reports tops, --orphans drop to leave those rows out",
        "clientchain: 2 problems in the input",
    ]
    done = imported(run, export, "--where", "Snapshot=Mar-14", "--generate-ids", "--orphans", "top")
    roles = roles_of(done.stdout)
    assert [(r["id"], r.get("reports_to"), r.get("headcount", 1)) for r in roles] == [
        ("S1", None, 1),
        ("S2", "S1", 0.6),
        ("S2/1", "S2", 8),
        ("S2/2", "S2", 2.5),
        ("S1/1", "S1", 1),
    ]
    assert done.stderr.splitlines()[1:] == [
        "clientchain: 3 rows without an id: named after their manager ('S2/1', 'S2/2', ...)",
        "clientchain: 1 manager is not in the file: the 1 row reporting to it is a top"
        " (--orphans top)",
    ]


def test_where_keeps_one_snapshot_and_says_what_it_found_when_it_keeps_none(
    run: Runner,
) -> None:
    export = corpus("organogram.csv")
    assert refused(run, export, "--where", "Snapshot=Mar-15") == [
        f"{export}:1:1: --where 'Snapshot=Mar-15' keeps no row; values in that column include"
        " 'Mar-14', 'Sep-14'",
        "clientchain: 1 problem in the input",
    ]
    assert refused(run, export, "--where", "Snapshots=Mar-14") == [
        f"{export}:1:1: --where 'Snapshots=Mar-14': no column 'Snapshots' (did you mean"
        " 'Snapshot'?)",
        "clientchain: 1 problem in the input",
    ]
    done = imported(run, export, "--where", "Snapshot=Sep-14", "--generate-ids", "--orphans", "top")
    assert [r["id"] for r in roles_of(done.stdout)] == ["S1", "S1/1"]


# --------------------------------------------------------------------------- clients


@needs_realdata
def test_clients_from_the_command_line_and_from_a_customer_list(run: Runner) -> None:
    customers = corpus("customers.csv")
    assert refused(run, str(CHINOOK), "--clients", customers)[1:] == [
        f"{customers}:2:1: 4 client ids are also role ids: '1' (line 2 of employees.csv), '2'"
        " (line 3 of employees.csv), '3' (line 4 of employees.csv), '4' (line 5 of"
        " employees.csv); ids must be unique across roles and clients: pass --client-prefix"
        " TEXT (e.g. --client-prefix customer-) to prefix every client id",
        "clientchain: 1 problem in the input",
    ]
    done = imported(
        run,
        str(CHINOOK),
        "--client",
        "parliament=Parliament (Supply Estimates)",
        "--clients",
        customers,
        "--client-prefix",
        "customer-",
    )
    clients = yaml.safe_load(done.stdout)["clients"]
    assert clients == [
        {"id": "customer-parliament", "title": "Parliament (Supply Estimates)"},
        {"id": "customer-1", "title": "Embraer"},
        {"id": "customer-2"},
        {"id": "customer-3"},
        {"id": "customer-4", "title": "Riotur"},
    ]


@needs_realdata
def test_client_segments_are_one_client_per_value_in_first_seen_order(run: Runner) -> None:
    done = imported(
        run, str(CHINOOK), "--clients", corpus("customers.csv"), "--client-by", "Country"
    )
    assert yaml.safe_load(done.stdout)["clients"] == [
        {"id": "Brazil", "title": "Customers in Brazil (2)"},
        {"id": "Germany", "title": "Customers in Germany (1)"},
        {"id": "Canada", "title": "Customers in Canada (1)"},
    ]
    assert "# clients: customers.csv (by = 'Country')\n" in done.stdout


# --------------------------------------------------------------------------- the real files


@needs_realdata
def test_a_uk_organogram_snapshot_imports_and_validates(run: Runner, tmp_path: Path) -> None:
    org = tmp_path / "hmt.yaml"
    imported(
        run,
        str(HMT),
        "--where",
        "Back to Index=Mar-14",
        "--generate-ids",
        "--orphans",
        "top",
        "-o",
        str(org),
    )
    checked = run("validate", str(org))
    assert checked.exit_code == 0, checked.stderr
    assert "401 roles" in checked.stdout
    loaded = load(org)
    # Independently: the snapshot's FTE cells (empty = 1), summed, in file order.
    with HMT.open(encoding="utf-8-sig", newline="") as stream:
        rows = [row for row in csv.DictReader(stream) if row["Back to Index"] == "Mar-14"]
    expected = [Fraction(row["FTE"] or "1") for row in rows]
    assert [Fraction(h).limit_denominator(1000) for h in loaded.headcount.tolist()] == expected
    assert len([t for t in loaded.parent.tolist() if t < 0]) == 1  # one top: the Perm Sec


@needs_realdata
def test_the_gitlab_team_list_says_140_missing_managers_in_one_summary(run: Runner) -> None:
    lines = refused(run, str(GITLAB))
    assert len(lines) == 2 + 140 + 2
    assert lines[:4] == [
        "clientchain: columns: id = 'id', reports_to = 'reports_to', title = 'role',"
        " department = 'departments', status = 'type'",
        "clientchain: ignored columns: 'reports_to_resolves' (like reports_to: --reports-to COL)",
        f"{GITLAB}:2:59: manager 'hailey-p' is not in the file; 8 rows report to it: lines 2,"
        " 38, 162, 187, 467 and 3 more",
        f"{GITLAB}:5:77: manager 'hmason' is not in the file; 17 rows report to it: lines 5,"
        " 24, 118, 175, 302 and 12 more",
    ]
    assert lines[-2:] == [
        "clientchain: 140 managers are not in the file (e.g. 'hmason' over 17 people); pass"
        " --orphans top to make their reports tops, --orphans drop to leave those rows out",
        "clientchain: 140 problems in the input",
    ]


@needs_realdata
def test_the_gitlab_team_list_imports_with_orphans_top_vacancies_at_zero(
    run: Runner, tmp_path: Path
) -> None:
    org = tmp_path / "gitlab.yaml"
    done = imported(run, str(GITLAB), "--orphans", "top", "-o", str(org))
    assert done.stderr.splitlines()[2:] == [
        "clientchain: 140 managers are not in the file: the 453 rows reporting to them are"
        " tops (--orphans top)",
        "clientchain: 32 vacancies: headcount 0",
        f"clientchain: wrote 1,368 roles and 0 clients to {org}",
    ]
    loaded = load(org)
    with GITLAB.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(loaded.role_ids) == [row["id"] for row in rows]
    assert loaded.headcount.tolist() == [0 if r["type"] == "vacancy" else 1 for r in rows]


# --------------------------------------------------------------------------- round trips

# Text as hostile as exports get: YAML words and numbers, indicators, quotes, spaces
# around, controls, line and paragraph separators, bidi marks, non-characters.
HOSTILE = st.one_of(
    st.sampled_from(
        [
            "no",
            "Yes",
            "0755",
            "1e3",
            "2024-01-01",
            "null",
            "~",
            "-",
            "#x",
            "a: b",
            " lead",
            "trail ",
            "'q'",
            '"q"',
            "back\\slash",
            "é",
            "\x85",
            "a\u2028b",
            "\u2029",
            "\u202eevil",
            "\ufeff",
            "\x00",
            "\t",
            "a\r\nb",
            "&anchor",
            "*alias",
            "!tag",
            "%x",
            "@x",
            "`x",
            "[x]",
            "{x}",
            "? x",
            "| x",
            "> x",
            "x #y",
            ".inf",
            "0x1F",
            "+1",
            "-1",
            "=",
            "<<",
            "1_000",
            "null ",
            "\U0001f600",
        ]
    ),
    st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=12),
)


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)  # Excel's way: \r\n, cells with line breaks quoted
    return out.getvalue()


HOSTILE_IDS = st.lists(HOSTILE, min_size=1, max_size=6, unique_by=lambda s: s.strip(" "))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE_IDS, st.data())
def test_imported_ids_titles_departments_and_headcounts_load_back_exactly(
    ids: list[str], data: st.DataObject
) -> None:
    round_trip(ids, data)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE_IDS, st.data())
def test_imported_values_load_back_exactly_on_many_more_examples(
    ids: list[str], data: st.DataObject
) -> None:
    round_trip(ids, data)


def round_trip(ids: list[str], data: st.DataObject) -> None:
    """Hostile ids, titles, departments and FTEs through a CSV export, the import and
    the loader: the same values come back (ids and cells trimmed of the spaces around)."""
    ids = [rid for rid in ids if rid.strip()]  # white space alone is no id
    if not ids:
        return
    titles = [data.draw(HOSTILE) for _ in ids]
    departments = [data.draw(HOSTILE) for _ in ids]
    ftes = [data.draw(st.sampled_from(["", "0", "0.5", "2.6", "1", "3", "0.125"])) for _ in ids]
    bosses = [""] + [data.draw(st.sampled_from(ids[:k])) for k in range(1, len(ids))]
    text = _csv(
        [["Employee ID", "Manager ID", "Job Title", "Department", "FTE"]]
        + [list(row) for row in zip(ids, bosses, titles, departments, ftes, strict=True)]
    )
    done = import_org(
        csv_text(text, "hostile.csv"),
        PeopleOptions(),
        None,
        ClientOptions(),
        OrgSettings(export_name="hostile.csv"),
    )
    written = org_yaml(done.org)
    org = loads(written)
    trimmed = [rid.strip(" ") for rid in ids]
    assert list(org.role_ids) == trimmed
    assert [org.role_ids[p] if p >= 0 else "" for p in org.parent.tolist()] == [
        b.strip(" ") for b in bosses
    ]
    assert list(org.role_titles) == [t.strip(" ") or None for t in titles]
    assert list(org.role_departments) == [d.strip(" ") or None for d in departments]
    assert org.headcount.tolist() == [float(f or "1") for f in ftes]
    assert yaml.safe_load(written)["roles"][0]["id"] == trimmed[0]  # any YAML reader too


@given(HOSTILE)
def test_a_scalar_reads_back_as_the_same_text_in_yaml(text: str) -> None:
    assert yaml.safe_load(f"key: {yaml_scalar(text)}\n")["key"] == text


# --------------------------------------------------------------------------- analysis


def _export(org: OrgSpec) -> str:
    rows = [["Employee ID", "Manager ID", "FTE"]]
    rows += [[r.id, r.parent or "", headcount_text(r.headcount)] for r in org.roles]
    return _csv(rows)


def _flows(org: OrgSpec) -> str:
    return _csv([["from", "to", "amount"], *([s, d, str(a)] for s, d, a in org.flows)])


def _without_positions(doc: dict[str, Any]) -> dict[str, Any]:
    for finding in doc["findings"]:
        finding.pop("file", None)
        finding.pop("line", None)
    doc.pop("source", None)
    return doc


# `run` and the folder factory keep nothing between examples: each gets a new folder.
NO_FIXTURE_CHECK = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


@settings(max_examples=10, deadline=None, suppress_health_check=NO_FIXTURE_CHECK)
@given(org_specs(fractional_headcounts=True))
def test_an_imported_org_analyses_like_the_hand_written_one_and_the_oracle(
    run: Runner, tmp_path_factory: pytest.TempPathFactory, org: OrgSpec
) -> None:
    analyses_agree(run, tmp_path_factory, org)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=NO_FIXTURE_CHECK)
@given(org_specs(fractional_headcounts=True))
def test_imported_orgs_analyse_like_the_hand_written_ones_on_many_more_examples(
    run: Runner, tmp_path_factory: pytest.TempPathFactory, org: OrgSpec
) -> None:
    analyses_agree(run, tmp_path_factory, org)


def analyses_agree(run: Runner, tmp_path_factory: pytest.TempPathFactory, org: OrgSpec) -> None:
    """The org as an HR export (ids, managers, FTE) imported, with its clients named by
    --client: its analysis is the hand-written org's (tests/orgs.render_yaml), and its
    figures are the oracle's."""
    folder = tmp_path_factory.mktemp("analysis")
    export, flows = folder / "export.csv", folder / "flows.csv"
    export.write_text(_export(org), encoding="utf-8")
    flows.write_text(_flows(org), encoding="utf-8")
    imported_org, written = folder / "imported.yaml", folder / "org.yaml"
    clients = [arg for c in org.clients for arg in ("--client", c)]
    imported(
        run,
        str(export),
        *clients,
        "--org-name",
        "Random Org",
        "--currency",
        "UAH",
        "-o",
        str(imported_org),
    )
    written.write_text(render_yaml(org), encoding="utf-8")
    ours = run(
        "analyze",
        str(imported_org),
        "--flows",
        str(flows),
        "--format",
        "json",
        "--top-clients",
        "0",
    )
    theirs = run("analyze", str(written), "--format", "json", "--top-clients", "0")
    assert ours.exit_code == theirs.exit_code, ours.stderr + theirs.stderr
    mine, hand = json.loads(ours.stdout), json.loads(theirs.stdout)
    assert _without_positions(mine) == _without_positions(hand)
    want = oracle.analyze(org)
    expected = want.summary["org_alienation"]
    got = mine["summary"]["org_alienation"]
    assert (got is None) == (expected is None)
    if expected is not None:
        assert isinstance(expected, Fraction)
        assert abs(got - float(expected)) < 1e-9
    for role in mine["roles"]:
        assert abs(role["closeness"] - float(want.roles[role["id"]].closeness)) < 1e-9
    assert len(mine["inversions"]) == len(want.inversions)


@needs_realdata
def test_the_imported_music_store_analyses_like_its_hand_written_org(
    run: Runner, tmp_path: Path
) -> None:
    org = tmp_path / "imported.yaml"
    imported(run, str(CHINOOK), "--client", "buyers=Music buyers", "-o", str(org))
    hand = tmp_path / "org.yaml"
    hand.write_text(
        "org: employees\nclients:\n  - id: buyers\n    title: Music buyers\nroles:\n"
        + "".join(
            f"  - id: '{rid}'\n    title: {title}\n"
            + (f"    reports_to: '{boss}'\n" if boss else "")
            for rid, title, boss in [
                ("1", "General Manager", ""),
                ("2", "Sales Manager", "1"),
                ("3", "Sales Support Agent", "2"),
                ("4", "Sales Support Agent", "2"),
                ("5", "Sales Support Agent", "2"),
                ("6", "IT Manager", "1"),
                ("7", "IT Staff", "6"),
                ("8", "IT Staff", "6"),
            ]
        ),
        encoding="utf-8",
    )
    flows = tmp_path / "flows.csv"
    flows.write_text(
        "from,to,amount\nbuyers,3,833.04\nbuyers,4,775.40\nbuyers,5,720.16\n"
        "3,2,833.04\n4,2,775.40\n5,2,720.16\n2,1,2328.60\n1,6,500\n6,7,200\n6,8,200\n",
        encoding="utf-8",
    )
    ours = run("analyze", str(org), "--flows", str(flows), "--format", "json")
    theirs = run("analyze", str(hand), "--flows", str(flows), "--format", "json")
    assert ours.exit_code == theirs.exit_code == 1  # the IT budget is handed down: inverted
    assert _without_positions(json.loads(ours.stdout)) == _without_positions(
        json.loads(theirs.stdout)
    )
