"""Management commands an operator runs: issue_api_token and verify_audit."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from accounts.models import ApiToken
from accounts.services import hash_token
from audit.models import AuditEvent
from tests.conftest import ApiClient, Tree


def issue(username: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", username, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def bearer(token: str) -> ApiClient:
    client = ApiClient(None)
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def test_issue_api_token_prints_only_the_token(personas: Any, tree: Tree) -> None:
    out, err = issue("officer")
    lines = out.splitlines()
    assert len(lines) == 1
    assert out == lines[0] + "\n"
    token = lines[0]
    assert token == token.strip()
    assert " " not in token
    assert len(token) >= 32
    assert err == ""
    # Only a hash is stored, never the token itself.
    record = ApiToken.objects.get(user=personas.officer)
    assert record.key_hash == hash_token(token)
    assert token not in {record.key_hash, record.prefix}


def test_the_printed_token_authenticates_with_the_users_scope(personas: Any, tree: Tree) -> None:
    token = issue("officer")[0].strip()
    api = bearer(token)
    assert api.get("/api/v1/units/KTTV").status_code == 200
    assert api.get("/api/v1/units/STNMT_ST").status_code == 404
    assert api.put("/api/v1/units/KTTV_A/ratings/2024", {"rating": "HTNV"}).status_code == 200
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.actor) == ("unit.rating", personas.officer)


def test_each_call_issues_a_new_token(personas: Any, tree: Tree) -> None:
    first = issue("viewer")[0].strip()
    second = issue("viewer")[0].strip()
    assert first != second
    assert ApiToken.objects.filter(user=personas.viewer).count() == 2
    for token in (first, second):
        assert bearer(token).get("/api/v1/units/KTTV").status_code == 200


def test_issuing_is_audited(personas: Any, tree: Tree) -> None:
    issue("head")
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert event.action == "api_token.issue"
    assert event.after is not None
    assert event.after["user"] == "head"


def test_unknown_user_is_a_command_error(db: Any) -> None:
    with pytest.raises(CommandError, match="nobody"):
        issue("nobody")
    assert not ApiToken.objects.exists()


def test_inactive_user_is_a_command_error(personas: Any, tree: Tree) -> None:
    personas.viewer.is_active = False
    personas.viewer.save()
    with pytest.raises(CommandError):
        issue("viewer")
    assert not ApiToken.objects.filter(user=personas.viewer).exists()


def test_issue_api_token_needs_a_username(db: Any) -> None:
    with pytest.raises(CommandError):
        call_command("issue_api_token")


def test_verify_audit_reports_the_count(personas: Any, tree: Tree) -> None:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert f"{AuditEvent.objects.count()} events verified" in out.getvalue()


def test_verify_audit_fails_on_a_forged_row(personas: Any, tree: Tree) -> None:
    victim = AuditEvent.objects.get(seq=3)
    AuditEvent.objects.filter(pk=victim.pk).update(before={"name": "forged"})
    with pytest.raises(CommandError, match=r"#3\b"):
        call_command("verify_audit", stdout=io.StringIO())


def test_issue_api_token_stdout_is_clean_end_to_end(tmp_path: Any) -> None:
    """As a script uses it: TOKEN=$(python manage.py issue_api_token svc).

    Run in a separate process on a fresh SQLite file, so that banners printed by
    libraries at start-up (they must go to stderr) are caught too.
    """
    import os
    import sqlite3
    import subprocess
    import sys
    from contextlib import closing
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"THIDUA_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"})

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(root / "manage.py"), *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    manage("migrate", "-v0")
    manage(
        "shell", "-v0", "-c", "from accounts.models import User; User.objects.create_user('svc')"
    )
    token = manage("issue_api_token", "svc").stdout
    assert token.count("\n") == 1 and token.endswith("\n")
    with closing(sqlite3.connect(tmp_path / "thidua.sqlite3")) as db:
        hashes = [row[0] for row in db.execute("SELECT key_hash FROM accounts_apitoken")]
    assert hashes == [hash_token(token.strip())]
