"""Every audit action the code writes has a readable name on the audit pages."""

from __future__ import annotations

import re
from pathlib import Path

from audit.labels import ACTION_LABELS

ROOT = Path(__file__).resolve().parent.parent
ACTION = re.compile(r"""action\s*=\s*["']([a-z_]+\.[a-z_]+)["']""")


def test_every_written_action_has_a_label() -> None:
    written: dict[str, str] = {}
    for path in ROOT.glob("*/**/*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "tests", "var", "bench"} or "migrations" in parts:
            continue
        for code in ACTION.findall(path.read_text(encoding="utf-8")):
            written.setdefault(code, str(path.relative_to(ROOT)))
    assert written, "no audit actions found: the pattern is out of date"
    missing = {code: where for code, where in written.items() if code not in ACTION_LABELS}
    assert missing == {}, f"audit actions without a label in audit/labels.py: {missing}"
