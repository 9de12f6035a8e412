"""Documentation is enforced: every command and rule is in README.md, every --help ends with an example."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import click
import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.rules import RULES

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def walk(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The name path of every command and subcommand under a group."""
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from walk(command, (*prefix, name))


COMMANDS = list(walk(main))


def test_walk_finds_the_contributor_commands() -> None:
    assert {("new", "claim"), ("new", "source"), ("serve",), ("fix",), ("export", "graph"), ("export", "claims"), ("stats",)} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_every_command_is_in_the_readme(path: tuple[str, ...]) -> None:
    assert f"kb {' '.join(path)}" in README


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_every_help_ends_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines() if line.strip()]
    assert lines[-1].startswith("kb "), f"`kb {' '.join(path)} --help` ends with: {lines[-1]!r}"
    assert any(line.rstrip(":") in ("Example", "Examples") for line in lines[-4:-1])


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_is_in_the_readme(name: str) -> None:
    rule = RULES[name]
    assert f"`{rule.name}`" in README and rule.code in README
