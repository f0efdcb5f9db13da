"""Findings: stable codes, a level, a message and the place in the org chart they are about."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    level: Level
    summary: str


# Codes are never renumbered; new rules take the next free number.
INVERTED_RELATIONSHIP = Rule(
    "CC101",
    "inverted-relationship",
    Level.ERROR,
    "A boss is a net payer of a subordinate: the boss acts as the subordinate's client.",
)
NO_PAYING_CLIENT = Rule(
    "CC102",
    "no-paying-client",
    Level.WARNING,
    "None of the money that reaches this role comes from a paying client.",
)
CLIENT_PAYS_NOBODY = Rule(
    "CC103",
    "client-pays-nobody",
    Level.WARNING,
    "A client is listed but no money flows from it: a missing flow, or a stale entry.",
)
VACANCY_WITH_REPORTS = Rule(
    "CC104",
    "vacancy-with-reports",
    Level.WARNING,
    "A vacant role (headcount 0) has roles reporting to it: nobody holds that chain together.",
)
RULES: tuple[Rule, ...] = (
    INVERTED_RELATIONSHIP,
    NO_PAYING_CLIENT,
    CLIENT_PAYS_NOBODY,
    VACANCY_WITH_REPORTS,
)


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One result of a rule, about one role (or client), at its place in the org chart."""

    file: str
    line: int
    code: str
    role: str
    message: str
    level: Level
    rule: str
    client: str | None = None  # set when the finding is about a client, not a role

    @classmethod
    def of(cls, rule: Rule, role: str, file: str, line: int, message: str) -> Finding:
        return cls(file, line, rule.code, role, message, rule.level, rule.name)

    @classmethod
    def of_client(cls, rule: Rule, client: str, file: str, line: int, message: str) -> Finding:
        return cls(file, line, rule.code, "", message, rule.level, rule.name, client)
