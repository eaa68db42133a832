"""`make bench` (python -m tests.benchmarks): discovery, ratios and failures."""

import types

import pytest

from tests.benchmarks import __main__ as harness


def fake_module(main):
    module = types.ModuleType("tests.benchmarks.fake")
    module.main = main
    return module


def test_discovery_finds_only_modules_with_a_main():
    modules = harness.discover()

    for module in modules:
        assert callable(module.main)
        assert not module.__name__.rsplit(".", 1)[-1].startswith("_")
    assert harness.__name__ not in [module.__name__ for module in modules]


def test_discovery_by_name_selects_nothing_unknown():
    assert harness.discover({"no_such_benchmark"}) == []


def test_ratios_are_printed_from_a_mapping_or_pairs(capsys):
    assert harness.run_one(fake_module(lambda: {"search vs bare": 2.5}))
    assert harness.run_one(fake_module(lambda: [("median", 1.25), ("p95", "n/a")]))

    out = capsys.readouterr().out
    assert "  search vs bare: 2.50x" in out
    assert "  median: 1.25x" in out
    assert "  p95: n/a" in out


@pytest.mark.parametrize("main", [lambda: 1, lambda: 1 / 0])
def test_a_benchmark_that_fails_or_raises_fails_the_run(main, capsys):
    assert harness.run_one(fake_module(main)) is False
    assert "FAILED" in capsys.readouterr().out


def test_a_benchmark_that_returns_nothing_passes():
    assert harness.run_one(fake_module(lambda: None)) is True


def test_no_benchmark_found_is_an_error(capsys):
    assert harness.main(["no_such_benchmark"]) == 1
    assert "no benchmark found" in capsys.readouterr().err
