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
RULES: tuple[Rule, ...] = (INVERTED_RELATIONSHIP, NO_PAYING_CLIENT)


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One result of a rule, about one role, at that role's place in the org chart."""

    file: str
    line: int
    code: str
    role: str
    message: str
    level: Level
    rule: str

    @classmethod
    def of(cls, rule: Rule, role: str, file: str, line: int, message: str) -> Finding:
        return cls(file, line, rule.code, role, message, rule.level, rule.name)
