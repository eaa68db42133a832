"""The Russian catalogues are complete and compiled: every source string of every app translated,
no fuzzy entry, and each committed `.mo` is exactly what its `.po` compiles to.

Uses GNU gettext (msgfmt, msgattrib, xgettext via makemessages), as `make messages` does.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
APPS = ["offers", "knowledge_base", "campaigns", "rewards", "config"]

requires_gettext = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("msgfmt", "msgattrib", "xgettext", "msgmerge")),
    reason="needs GNU gettext: apt-get install gettext",
)


def _catalogue(app: str) -> Path:
    return BASE_DIR / app / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def _entries(po: Path, *flags: str) -> str:
    out = subprocess.run(
        ["msgattrib", *flags, "--no-wrap", str(po)], capture_output=True, text=True, check=True
    ).stdout
    # msgattrib prints the header entry alone when nothing matched.
    return out if out.count("msgid ") > 1 else ""


@requires_gettext
@pytest.mark.parametrize("app", APPS)
def test_the_compiled_catalogue_is_the_committed_one(app, tmp_path):
    po = _catalogue(app)
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(po)], check=True)
    assert compiled.read_bytes() == po.with_suffix(".mo").read_bytes(), (
        f"{app}: django.mo is stale; run `make messages`"
    )


@requires_gettext
@pytest.mark.parametrize("app", APPS)
def test_every_source_string_has_a_russian_translation(app, tmp_path):
    """makemessages over a copy of the app: nothing new, nothing untranslated, nothing fuzzy."""
    copy = tmp_path / app
    shutil.copytree(
        BASE_DIR / app, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "migrations")
    )
    subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "makemessages", "-l", "ru", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    po = copy / "locale" / "ru" / "LC_MESSAGES" / "django.po"
    assert _entries(po, "--untranslated") == "", f"{app}: untranslated strings; `make messages`"
    assert _entries(po, "--only-fuzzy") == "", f"{app}: fuzzy translations to review"
