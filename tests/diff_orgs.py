"""The shipped dealership and modified copies of it, for the diff tests.

Every change is a text substitution on the shipped files that must apply (so a change
to examples/ fails here loudly instead of silently testing nothing).
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

from tests.conftest import EXAMPLES

DEALERSHIP = EXAMPLES / "dealership"

# The accountant now reports to the owner: the director's budget no longer flows down
# the hierarchy (that inversion goes). Marketing (no money: a CC102 warning) is removed;
# a trainer is added under the service manager, who funds it (a new inversion).
MOVE_ACCOUNTANT = (
    "  - id: accountant\n    title: Accountant\n    reports_to: director\n",
    "  - id: accountant\n    title: Accountant\n    reports_to: owner\n",
)
SWAP_MARKETING_FOR_TRAINER = (
    "  - id: marketing\n    title: Marketing specialist\n    reports_to: director\n"
    "    department: marketing\n",
    "  - id: trainer\n    title: Workshop trainer\n    reports_to: service-manager\n"
    "    department: service\n",
)
# The trainer's budget (an inversion), and the sales manager selling directly.
NEW_FLOWS = "service-manager,trainer,50000,budget\ncar-buyers,sales-manager,500000,sale\n"


def substituted(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert text.count(old) == 1, f"the example changed: {old!r} is not in it once"
        text = text.replace(old, new)
    return text


def copy_dealership(folder: Path) -> Path:
    """The shipped dealership, unchanged, in `folder`; its org chart's path."""
    shutil.copytree(DEALERSHIP, folder)
    return folder / "org.yaml"


def reorganised(folder: Path, *changes: tuple[str, str], flows: str = NEW_FLOWS) -> Path:
    """A modified dealership in `folder`: `changes` to its org chart, `flows` appended to
    its flows file; its org chart's path."""
    org = copy_dealership(folder)
    org.write_text(substituted(org.read_text(encoding="utf-8"), *changes), encoding="utf-8")
    flows_csv = folder / "flows.csv"
    flows_csv.write_text(flows_csv.read_text(encoding="utf-8") + flows, encoding="utf-8")
    return org


def the_pull_request(folder: Path) -> Path:
    """The reorganisation the golden files show."""
    return reorganised(folder, MOVE_ACCOUNTANT, SWAP_MARKETING_FOR_TRAINER)


def shuffle_roles(org: Path, seed: int) -> None:
    """Write the roles of `org` in another order (the roles list ends the file)."""
    text = org.read_text(encoding="utf-8")
    head, roles = text.split("roles:\n", 1)
    entries = re.split(r"(?m)^(?=  - id: )", roles)
    assert entries[0] == ""
    entries = entries[1:]
    shuffled = entries[:]
    while shuffled == entries:
        random.Random(seed).shuffle(shuffled)
        seed += 1
    org.write_text(head + "roles:\n" + "".join(shuffled), encoding="utf-8")
