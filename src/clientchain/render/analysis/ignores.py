"""Which ignore entry excuses each ignored finding, by look-up instead of a scan.

`Ignore.matches` compares a finding with one entry; asking every entry about every
finding is quadratic (a policy may list a hundred thousand accepted inversions).
Entries are grouped by code and by which of their subject fields they set; within a
group, equal subjects map to the first such entry, so a finding costs one look-up
per group of its code, and the first matching entry (the one `apply_policy` used)
is the one of lowest position among the hits.
"""

from __future__ import annotations

from collections.abc import Sequence

from clientchain.model.findings import Finding
from clientchain.model.policy import Ignore, ProjectIgnore

# An entry's subject fields, and the finding field each is compared with.
_FIELDS = (("role", "role"), ("subordinate", "role"), ("boss", "boss"), ("client", "client"))
Subject = tuple[str | None, ...]


class IgnoreIndex:
    """The ignore entries of a policy, indexed for `first`."""

    def __init__(self, entries: Sequence[Ignore]) -> None:
        self.entries = tuple(entries)
        # code -> [(fields the group sets, {their values: position of the first entry})]
        self.groups: dict[str, list[tuple[tuple[int, ...], dict[Subject, int]]]] = {}
        by_shape: dict[tuple[str, tuple[int, ...]], dict[Subject, int]] = {}
        for position, entry in enumerate(self.entries):
            values = [getattr(entry, name) for name, _ in _FIELDS]
            shape = tuple(i for i, value in enumerate(values) if value is not None)
            group = by_shape.get((entry.code, shape))
            if group is None:
                group = by_shape[(entry.code, shape)] = {}
                self.groups.setdefault(entry.code, []).append((shape, group))
            group.setdefault(tuple(values[i] for i in shape), position)

    def first(self, finding: Finding) -> Ignore | None:
        """The first entry that matches `finding` (as `Ignore.matches` says), if any."""
        subject = [getattr(finding, field) for _, field in _FIELDS]
        best = len(self.entries)
        for shape, group in self.groups.get(finding.code, ()):
            best = min(best, group.get(tuple(subject[i] for i in shape), best))
        return self.entries[best] if best < len(self.entries) else None


def ignored_by(entries: Sequence[Ignore], ignored: Sequence[Finding]) -> str:
    """`clientchain.model.policy.ignored_by`, by look-up: who set `ignored` apart, "the
    policy" (the org chart's entries), "the configuration" (its `ignore`), or both."""
    index = IgnoreIndex(entries)
    project: set[bool] = set()
    for finding in ignored:
        project.add(isinstance(index.first(finding), ProjectIgnore))
        if len(project) == 2:
            return "the policy and the configuration"
    return "the configuration" if project == {True} else "the policy"
