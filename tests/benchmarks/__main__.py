"""`make bench`: run every benchmark module in tests/benchmarks/ that defines `main()`.

    python -m tests.benchmarks              # all of them
    python -m tests.benchmarks kb_search    # only the named ones

Django is set up with the test settings (DJANGO_SETTINGS_MODULE may override them); each
benchmark creates the throw-away database it needs (the test runner's `setup_databases()`), so
it never touches the development data.

`main()` prints what it measures and returns one of: None or 0 (done), a non-zero exit code
(failed, e.g. a service it needs is missing), or a mapping of names to ratios (or a list of
(name, ratio) pairs), which the harness prints. Benchmarks are never part of the pass/fail suite,
but a benchmark that raises or returns a non-zero code makes this command fail.
"""

import importlib
import os
import pkgutil
import sys
import time
import traceback
from collections.abc import Mapping
from pathlib import Path

PACKAGE = "tests.benchmarks"
HERE = Path(__file__).resolve().parent


def discover(selected=()):
    """The benchmark modules: every module here whose `main` is callable, by name."""
    modules = []
    for info in sorted(pkgutil.iter_modules([str(HERE)]), key=lambda i: i.name):
        if info.name.startswith("_") or (selected and info.name not in selected):
            continue
        module = importlib.import_module(f"{PACKAGE}.{info.name}")
        if callable(getattr(module, "main", None)):
            modules.append(module)
    return modules


def format_ratios(result) -> list[str]:
    if isinstance(result, Mapping):
        result = result.items()
    elif not isinstance(result, list | tuple):
        return []
    lines = []
    for name, value in result:
        shown = f"{value:.2f}x" if isinstance(value, int | float) else str(value)
        lines.append(f"  {name}: {shown}")
    return lines


def run_one(module) -> bool:
    name = module.__name__.rsplit(".", 1)[-1]
    print(f"== {name}", flush=True)
    started = time.perf_counter()
    try:
        result = module.main()
    except Exception:
        traceback.print_exc()
        result = "raised"
    if isinstance(result, str) or (isinstance(result, int) and result != 0):
        print(f"== {name}: FAILED ({result})", flush=True)
        return False
    for line in format_ratios(result):
        print(line)
    print(f"== {name}: done in {time.perf_counter() - started:.1f} s", flush=True)
    return True


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    modules = discover(set(argv))
    if not modules:
        wanted = ", ".join(argv) if argv else "any"
        print(f"no benchmark found ({wanted}) in {HERE}", file=sys.stderr)
        return 1
    print(
        f"{len(modules)} benchmark(s): {', '.join(m.__name__.rsplit('.', 1)[-1] for m in modules)}"
    )
    results = [run_one(module) for module in modules]
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
