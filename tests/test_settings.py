from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from config.env import EnvError, env_bool, env_int
from core.management.commands.export_openapi import DEFAULT, openapi_text

ROOT = Path(__file__).resolve().parent.parent


def test_bad_environment_values_fail_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(EnvError, match="X_FLAG"):
        env_bool("X_FLAG")
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(EnvError, match="X_NUM"):
        env_int("X_NUM", 1)


def test_secrets_can_come_from_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "flag"
    secret.write_text("yes\n")
    monkeypatch.setenv("X_FLAG_FILE", str(secret))
    assert env_bool("X_FLAG") is True


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "DATABASE"))
    }
    env.update(
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="thidua.example.vn",
        THIDUA_DATA_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_published_openapi_document_matches_the_code() -> None:
    assert DEFAULT.read_text(encoding="utf-8") == openapi_text(), (
        "docs/openapi.json is stale: run `uv run python manage.py export_openapi`"
    )
    paths = json.loads(DEFAULT.read_text(encoding="utf-8"))["paths"]
    for path in ["/api/v1/units", "/api/v1/people/{code}/transfers"]:
        assert path in paths


@pytest.mark.django_db
def test_api_docs_load_nothing_from_a_cdn() -> None:
    page = Client().get("/api/v1/docs").content.decode()
    assert "cdn" not in page.lower()
    assert "/static/ninja/swagger-ui" in page
