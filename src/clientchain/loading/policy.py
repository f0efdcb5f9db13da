"""Reading the org chart's `policy:` block (the values are in model.policy).

```yaml
policy:
  max_org_alienation: 0.4
  max_role_alienation: 0.8
  max_levels_inverted: 1
  max_layers: 6             # layers from the top; min_span / max_span: direct reports
  min_span: 2               # of a manager (a role with at least one)
  max_span: 12
  fail_on: error            # error | warning | never
  ignore:
    - {code: CC101, boss: director, subordinate: accountant, reason: "interim budget"}
```

A typo in a gate must not pass silently, so every unknown key is a problem here
(elsewhere in the org chart unknown keys are kept for later versions, and only a likely
misspelling of a known key is a problem: see loading/keys, whose wording this shares).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from clientchain.loading.keys import Keys, unknown_key
from clientchain.loading.scalars import NUMBER, is_null
from clientchain.model.findings import RULE_BY_CODE, About
from clientchain.model.policy import NO_POLICY, FailOn, Ignore, Limit, Policy
from clientchain.model.problems import Position, Problem, did_you_mean

if TYPE_CHECKING:  # a type only: yaml is imported when a policy section is composed
    from clientchain.loading.yaml_source import YNode

_RATIO_KEYS = ("max_org_alienation", "max_role_alienation")
_COUNT_KEYS = ("max_layers", "min_span", "max_span")  # whole numbers >= 1
_KEYS = (*_RATIO_KEYS, "max_levels_inverted", *_COUNT_KEYS, "fail_on", "ignore")
_SUBJECT_KEYS = ("role", "boss", "subordinate", "client")
_IGNORE_KEYS = ("code", "reason", *_SUBJECT_KEYS)
_POLICY = Keys("in policy", _KEYS)
_IGNORE = Keys("in an ignore entry", _IGNORE_KEYS)
_SUBJECTS = {  # what an ignore entry must name for a rule's findings
    About.ROLE: ({"role"},),
    About.PAIR: ({"boss", "subordinate"}, {"role"}),
    About.CLIENT: ({"client"},),
    About.ORG: (set(),),
}
_SUBJECT_WORDS = {
    About.ROLE: "a 'role'",
    About.PAIR: "'boss' and 'subordinate' (or a 'role': every inversion onto it)",
    About.CLIENT: "a 'client'",
    About.ORG: "no subject (it is about the whole organisation)",
}


class _Reader:
    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems

    def problem(self, node: YNode, message: str) -> None:
        self.problems.append(Problem(Position(self.file, node.line, node.column), message))

    def mapping(self, node: YNode, what: str, keys: Keys) -> list[str | None] | None:
        """None (a problem) unless `node` is a mapping; else, for each key it has beyond
        the known `keys` (each a problem, worded as the org chart's misspelt keys are),
        the known key it likely misspells (None: no likely one)."""
        if node.kind != "map":
            self.problem(node, f"{what} must be a mapping, found {node.describe}")
            return None
        beside = [key.text for key, _ in node.pairs]
        meant: list[str | None] = []
        for key, _ in node.pairs:
            if key.text in keys.known:
                continue
            guess = keys.guess(key.text, beside)
            if guess is None:
                hint = did_you_mean(key.text, keys.names) or f" (known: {', '.join(keys.names)})"
                self.problem(key, f"{unknown_key(key.text, keys.where)}{hint}")
            else:
                self.problem(key, keys.message(key.text, guess))
            meant.append(guess)
        return meant

    def text(self, node: YNode, what: str) -> str | None:
        if node.kind != "scalar" or is_null(node) or not node.text.strip():
            self.problem(node, f"{what} must be non-empty text")
            return None
        return node.text

    def ratio(self, node: YNode, key: str) -> Limit | None:
        value = self._number(node)
        if value is None or not 0.0 <= value <= 1.0:
            self.problem(node, f"{key} must be a number from 0 to 1, found {_shown(node)}")
            return None
        return Limit(value, node.line)

    def levels(self, node: YNode) -> Limit | None:
        value = self._number(node)
        if value is None or value < 0 or not value.is_integer():
            self.problem(
                node, f"max_levels_inverted must be a whole number >= 0, found {_shown(node)}"
            )
            return None
        return Limit(value, node.line)

    def count(self, node: YNode, key: str) -> Limit | None:
        value = self._number(node)
        if value is None or value < 1 or not value.is_integer():
            self.problem(node, f"{key} must be a whole number >= 1, found {_shown(node)}")
            return None
        return Limit(value, node.line)

    def fail_on(self, node: YNode) -> FailOn | None:
        choices = [f.value for f in FailOn]
        if node.kind != "scalar" or node.text not in choices:
            self.problem(node, f"fail_on must be one of {', '.join(choices)}, found {_shown(node)}")
            return None
        return FailOn(node.text)

    def ignore(self, node: YNode) -> Ignore | None:
        meant = self.mapping(node, "an ignore entry", _IGNORE)
        if meant is None:
            return None
        values: dict[str, str | None] = {}
        for key in _IGNORE_KEYS:
            value = node.get(key)
            values[key] = None if value is None else self.text(value, f"ignore '{key}'")
        code, reason = values.pop("code"), values.pop("reason")
        # A misspelt key is the problem, not the key it leaves out.
        if node.get("reason") is None and "reason" not in meant:
            self.problem(node, "an ignore entry needs a 'reason': say why the finding is accepted")
        if node.get("code") is None and "code" not in meant:
            self.problem(node, "an ignore entry needs a 'code' (e.g. CC101)")
        if code is None or reason is None:
            return None
        rule = RULE_BY_CODE.get(code)
        if rule is None or rule.about is About.POLICY:
            what = "not a finding code" if rule is None else "about the policy itself"
            hint = did_you_mean(code, RULE_BY_CODE)
            self.problem(node.get("code") or node, f"cannot ignore '{code}': {what}{hint}")
            return None
        if meant:  # an unknown key may be the subject meant: the entry cannot be judged
            return None
        named = {key for key in _SUBJECT_KEYS if values[key] is not None}
        if named not in _SUBJECTS[rule.about]:
            self.problem(node, f"an ignore entry for {code} names {_SUBJECT_WORDS[rule.about]}")
            return None
        return Ignore(code, reason, node.line, **values)

    def _number(self, node: YNode) -> float | None:
        if node.kind != "scalar" or node.quoted or not NUMBER.fullmatch(node.text):
            return None
        return float(node.text)


def _shown(node: YNode) -> str:
    return f"'{node.text}'" if node.kind == "scalar" else node.describe


def read_policy(node: YNode | None, file: str, problems: list[Problem]) -> Policy:
    """The policy block at `node` (None or null: no policy); problems are appended."""
    if is_null(node):
        return NO_POLICY
    assert node is not None
    reader = _Reader(file, problems)
    if reader.mapping(node, "policy", _POLICY) is None:
        return NO_POLICY
    limits: dict[str, Limit | None] = {}
    for key in _RATIO_KEYS:
        value = node.get(key)
        limits[key] = None if is_null(value) or value is None else reader.ratio(value, key)
    for key in _COUNT_KEYS:
        value = node.get(key)
        limits[key] = None if is_null(value) or value is None else reader.count(value, key)
    levels = node.get("max_levels_inverted")
    fail_on = node.get("fail_on")
    ignores: list[Ignore] = []
    entries = node.get("ignore")
    if entries is not None and not is_null(entries):
        if entries.kind != "seq":
            reader.problem(entries, f"ignore must be a list of entries, found {entries.describe}")
        else:
            ignores = [i for i in map(reader.ignore, entries.items) if i is not None]
    return Policy(
        max_org_alienation=limits["max_org_alienation"],
        max_role_alienation=limits["max_role_alienation"],
        max_levels_inverted=None if is_null(levels) or levels is None else reader.levels(levels),
        fail_on=None if is_null(fail_on) or fail_on is None else reader.fail_on(fail_on),
        ignore=tuple(ignores),
        max_layers=limits["max_layers"],
        min_span=limits["min_span"],
        max_span=limits["max_span"],
    )


# Line breaks libyaml reads besides \n. The cut below works on \n-lines; a file with
# any of these is left whole to the precise reader (the flat reader refuses them too).
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")
# A line that starts with the key `policy` at column 0 (well formed or not); searched
# for after a \n (a literal first: the search skips through big files).
_POLICY_KEY = re.compile(r"policy[ \t]*:")
_POLICY_KEY_BELOW = re.compile(r"\n" + _POLICY_KEY.pattern)
# The section: the key (its colon followed by a blank or the end of the line) and every
# line after it that is blank, indented or a comment, up to the next line that starts
# at column 0 with anything else (YAML closes the block there, or fails).
_SECTION = re.compile(r"policy[ \t]*:(?:[ \t][^\n]*)?(?:\n|\Z)(?:(?:[ \t#][^\n]*)?(?:\n|\Z))*")
# The line after the section must open the next top-level key (one the flat reader
# can read): a `- item` there would be YAML's list under `policy:` (or an error),
# and the flat reader would take it for more items of the list above the section.
_NEXT_KEY = re.compile(r"[A-Za-z_]")


def take_policy_section(text: str) -> tuple[str, str] | None:
    """(the text without its policy section, the section alone), line numbers kept in both.

    The fast loader reads only flat YAML; the policy block is nested, so it is cut out
    (its lines left blank) and read on its own by the precise reader, at its own lines.
    The cut is exact: the section holds everything YAML gives the `policy` key and
    nothing else, so reading the rest plus the section alone is reading the file.
    (text, "") when no line starts with the key `policy` (other spellings, quoted or
    `? policy`, are not flat YAML: the flat reader refuses them). None when the cut
    cannot be vouched for (a line break other than \n, the key twice, anything but the
    next top-level key right after the section, such as a list at column 0): the
    precise reader then reads the whole file.
    """
    if "policy" not in text:
        return text, ""
    if "\r" in text or (not text.isascii() and _OTHER_BREAKS.search(text)):
        return None
    found = [0] if _POLICY_KEY.match(text) else []
    found += [m.start() + 1 for m in _POLICY_KEY_BELOW.finditer(text)]
    if not found:
        return text, ""
    if len(found) != 1:
        return None
    start = found[0]
    cut = _SECTION.match(text, start)
    if cut is None:  # `policy:x` or `policy :x`: one plain scalar, not the key
        return None
    end = cut.end()
    if end < len(text) and not _NEXT_KEY.match(text, end):
        return None
    section = text[start:end]
    before = text[:start]
    blanked = before + "\n" * section.count("\n") + text[end:]
    return blanked, "\n" * before.count("\n") + section


def read_policy_section(section: str, file: str, problems: list[Problem]) -> Policy:
    """The policy in a section cut out by `take_policy_section`, its problems added to
    `problems`; InputError when the section is not YAML (a syntax error, which the
    precise reader reports alone, being the file's)."""
    from clientchain.loading.yaml_source import compose

    root = compose(section, file)
    return read_policy(None if root is None else root.get("policy"), file, problems)
