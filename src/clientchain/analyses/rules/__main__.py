"""`python -m clientchain.analyses.rules [CODE]`: the README's findings table, or the
documentation of the rule CODE (a maintainer's tool; users read the README)."""

from __future__ import annotations

import sys

from clientchain.analyses.rules import RULE_MODULES, documentation, findings_table


def main(argv: list[str]) -> int:
    if not argv:
        sys.stdout.write(findings_table())
        return 0
    by_code = {module.RULE.code: module for module in RULE_MODULES}
    wanted = [by_code.get(code.upper()) for code in argv]
    if None in wanted:
        sys.stderr.write(f"unknown rule; known: {', '.join(by_code)}\n")
        return 2
    sys.stdout.write("\n\n".join(documentation(m) for m in wanted if m is not None) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
