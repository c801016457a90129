import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k7#vQ2!pZr9@Lw4$Tn8^Xb1&Hc6*Md3(Fs5)Gy0_Ja2+Ue7=Ro4-Ki9",
    "ALLOWED_HOSTS": "hami.example.org",
    "DATABASE_URL": "sqlite:////tmp/hami-deploy-check.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def _manage(*args, **env):
    # Only the machine's basics: the production variables are the test's to give, and
    # test-time switches (DJANGO_ALLOW_ASYNC_UNSAFE for Playwright) are not production's.
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_under_production_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG is off" in result.stderr


def test_a_boolean_that_is_neither_true_nor_false_is_an_error():
    result = _manage("check", **{**PRODUCTION, "DEBUG": "flase"})
    assert result.returncode != 0
    assert "DEBUG='flase' is neither true" in result.stderr


def test_debug_is_off_unless_asked_for():
    """A deployment that forgets DEBUG must not run with debug pages and the published
    development key: without DEBUG the settings ask for the production secrets."""
    result = _manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
