"""The columns of an HR export that `import people` reads, and how each is spelt.

Spellings are compared folded (case, `_`, `-`, spaces and a trailing `(unit)`
ignored), best first: `Manager ID` is preferred to `Manager` when both exist.
"""

from __future__ import annotations

from clientchain.importing.columns import Field

ID = Field(
    "id",
    "--id",
    (
        "Employee ID",
        "Employee Number",
        "Employee No",
        "Emp ID",
        "Staff ID",
        "Staff Number",
        "Position ID",
        "Position Number",
        "Post Unique Reference",
        "Post ID",
        "Worker ID",
        "Person ID",
        "Personnel Number",
        "User ID",
        "ID",
        "Identifier",
    ),
    required=True,
)
REPORTS_TO = Field(
    "reports_to",
    "--reports-to",
    (
        "Manager ID",
        "Manager Employee ID",
        "Manager Number",
        "Reports To",
        "Reports To ID",
        "Reports to Senior Post",
        "Reports To Position",
        "Supervisor ID",
        "Line Manager ID",
        "Parent ID",
        "Parent",
        "Parent Position",
        "Manager",
        "Line Manager",
        "Supervisor",
        "Boss",
        "Manager Name",
        "Supervisor Name",
    ),
    required=True,
)
NAME = Field(
    "name",
    "--name",
    ("Name", "Full Name", "Employee Name", "Person Name", "Display Name", "Worker Name"),
)
FIRST_NAME = Field("first_name", "--name", ("First Name", "Given Name", "Forename", "First"))
LAST_NAME = Field("last_name", "--name", ("Last Name", "Surname", "Family Name", "Last"))
TITLE = Field(
    "title",
    "--title",
    ("Job Title", "Title", "Position Title", "Position", "Role", "Job", "Post Title"),
)
DEPARTMENT = Field(
    "department",
    "--department",
    (
        "Department",
        "Dept",
        "Department Name",
        "Departments",
        "Unit",
        "Team",
        "Division",
        "Business Unit",
        "Org Unit",
        "Organisational Unit",
        "Organizational Unit",
    ),
)
COST_CENTRE = Field(
    "cost_centre",
    "--cost-centre",
    (
        "Cost Centre",
        "Cost Center",
        "Cost Centre Code",
        "Cost Center Code",
        "Cost Centre ID",
        "Cost Center ID",
    ),
)
HEADCOUNT = Field(
    "headcount",
    "--fte",
    ("FTE", "Headcount", "FTE Count", "Head Count", "FTEs", "Full Time Equivalent"),
)
DOTTED_TO = Field(
    "dotted_to",
    "--dotted-line",
    (
        "Dotted Line Manager",
        "Dotted Line Manager ID",
        "Dotted Line",
        "Matrix Manager",
        "Secondary Manager",
        "Functional Manager",
    ),
)
PAY = Field(
    "pay",
    "--pay",
    ("Salary", "Annual Salary", "Base Salary", "Pay", "Total Pay", "Base Pay", "Annual Pay"),
)
STATUS = Field(
    "status",
    "--status",
    (
        "Status",
        "Type",
        "Employment Status",
        "Employee Type",
        "Position Status",
        "Post Status",
        "Worker Type",
    ),
)

# In the order of the mapping line (`id = ..., reports_to = ..., ...`).
PEOPLE_FIELDS = (
    ID,
    REPORTS_TO,
    NAME,
    FIRST_NAME,
    LAST_NAME,
    TITLE,
    DEPARTMENT,
    COST_CENTRE,
    HEADCOUNT,
    DOTTED_TO,
    PAY,
    STATUS,
)
# A name cell, or a status cell, that says the post has nobody in it (compared case-folded).
VACANT_NAMES = frozenset({"vacant", "vacancy", "vacant post"})
VACANT_STATUSES = frozenset({"vacancy", "vacant", "open", "open position", "unfilled"})
# An FTE or pay cell that says "not known": pay is then left out (FTE: see cells.py).
UNKNOWN_CELLS = frozenset({"n/a", "n/d", "na", "nd", "not applicable", "not disclosed", "-"})
