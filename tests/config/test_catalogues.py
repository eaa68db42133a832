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


def test_a_string_means_the_same_in_every_catalogue():
    """Django merges the apps' catalogues into one (the first app listed wins), so a source
    string translated two ways is shown one way everywhere: the dispute's «Открыт» read
    «Открыть» (a button's), the order column «порядок» (a sort field's). A string with two
    meanings takes a context (pgettext); without one, every catalogue must agree."""
    import gettext

    meanings: dict[str, dict[str, str]] = {}
    for app in APPS:
        mo = _catalogue(app).with_suffix(".mo")
        with mo.open("rb") as handle:
            catalogue = gettext.GNUTranslations(handle)._catalog
        for msgid, msgstr in catalogue.items():
            if msgid:  # the header
                meanings.setdefault(repr(msgid), {})[app] = msgstr
    clashes = {msgid: apps for msgid, apps in meanings.items() if len(set(apps.values())) > 1}
    assert clashes == {}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("rewards.models:DisputeStatus.OPEN", "Открыт"),
        ("rewards.models:DisputeStatus.REJECTED", "Отклонён"),
        ("campaigns.filters:CallbackFilter.STATE_CHOICES", "Открытые"),
    ],
)
def test_the_strings_that_clashed_read_as_their_page_means(text, expected):
    import importlib

    from django.utils import translation

    module, _, path = text.partition(":")
    value = importlib.import_module(module)
    for name in path.split("."):
        value = getattr(value, name)
    label = value.label if hasattr(value, "label") else value[0][1]
    with translation.override("ru"):
        assert str(label) == expected
