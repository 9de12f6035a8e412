"""`kb check` from the outside: exit codes, output formats, rule filters and configuration."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable, Mapping

import pytest
from click.testing import Result

from kbtest import claim_text, run_kb_process

WriteCorpus = Callable[[Path, Mapping[str, "str | bytes"]], Path]
RunKb = Callable[..., Result]

MAP = "---\ntype: map\n---\n# Map\n\n- [[first claim]]\n- [[second claim]]\n"
CLEAN = {
    "_map.md": MAP,
    "first claim.md": claim_text("# first claim\n\nRelevant Notes:\n- [[second claim]] — builds on it\n"),
    "second claim.md": claim_text("# second claim\n"),
}
# One error (broken link), one warning (orphan) in a nested folder.
PROBLEMS = {
    "_map.md": MAP,
    "first claim.md": claim_text("# first claim\n\nSee [[no such claim]].\n"),
    "second claim.md": claim_text("# second claim\n"),
    "domains/x/lonely claim.md": claim_text("# lonely claim\n"),
}
WARNINGS_ONLY = {"_map.md": MAP, "first claim.md": claim_text(), "second claim.md": claim_text(), "lonely.md": claim_text()}


@pytest.fixture
def clean(tmp_path: Path, write_corpus: WriteCorpus) -> Path:
    return write_corpus(tmp_path / "kb", CLEAN)


@pytest.fixture
def problems(tmp_path: Path, write_corpus: WriteCorpus) -> Path:
    return write_corpus(tmp_path / "kb-problems", PROBLEMS)


def rules_in(result: Result) -> list[str]:
    return [d["rule"] for d in json.loads(result.stdout)["diagnostics"]]


# --- exit codes --------------------------------------------------------------------------------


def test_exit_code_zero_when_clean(run_kb: RunKb, clean: Path) -> None:
    result = run_kb("check", str(clean))
    assert result.exit_code == 0
    assert result.stdout == "0 error(s), 0 warning(s), 0 info\n"


def test_exit_code_zero_when_clean_under_strict(run_kb: RunKb, clean: Path) -> None:
    assert run_kb("check", "--strict", str(clean)).exit_code == 0


def test_exit_code_one_when_errors(run_kb: RunKb, problems: Path) -> None:
    result = run_kb("check", str(problems))
    assert result.exit_code == 1
    assert "first claim.md:11:5: error KB301 [broken-link]" in result.stdout


def test_exit_code_zero_when_warnings_only(run_kb: RunKb, tmp_path: Path, write_corpus: WriteCorpus) -> None:
    root = write_corpus(tmp_path, WARNINGS_ONLY)
    result = run_kb("check", str(root))
    assert result.exit_code == 0
    assert "warning KB402 [orphan]" in result.stdout


def test_exit_code_one_when_warnings_under_strict(run_kb: RunKb, tmp_path: Path, write_corpus: WriteCorpus) -> None:
    root = write_corpus(tmp_path, WARNINGS_ONLY)
    assert run_kb("check", "--strict", str(root)).exit_code == 1


def test_exit_code_two_when_root_missing(run_kb: RunKb, tmp_path: Path) -> None:
    result = run_kb("check", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_exit_code_two_when_root_is_a_file(run_kb: RunKb, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("x")
    assert run_kb("check", str(tmp_path / "a.md")).exit_code == 2


@pytest.mark.parametrize("option", ["--ignore", "--select"])
def test_exit_code_two_when_rule_unknown(run_kb: RunKb, clean: Path, option: str) -> None:
    result = run_kb("check", option, "broken-link,no-such-rule", str(clean))
    assert result.exit_code == 2
    assert "no-such-rule" in result.stderr


def test_exit_code_two_when_format_unknown(run_kb: RunKb, clean: Path) -> None:
    assert run_kb("check", "--format", "xml", str(clean)).exit_code == 2


@pytest.mark.parametrize(
    "config",
    [
        pytest.param("colour = true\n", id="unknown-key"),
        pytest.param("[severity]\norphan = \"loud\"\n", id="bad-severity"),
        pytest.param("[severity]\nno-such-rule = \"off\"\n", id="unknown-rule-in-severity"),
        pytest.param("exclude = \"drafts\"\n", id="exclude-not-a-list"),
        pytest.param("[schema.claim]\nrequired = \"type\"\n", id="schema-required-not-a-list"),
        pytest.param("[schema.claim]\nmandatory = [\"type\"]\n", id="schema-unknown-key"),
        pytest.param("severity = [\n", id="toml-syntax-error"),
    ],
)
def test_exit_code_two_when_kb_toml_bad(run_kb: RunKb, clean: Path, config: str) -> None:
    (clean / "kb.toml").write_text(config)
    result = run_kb("check", str(clean))
    assert result.exit_code == 2
    assert "configuration error" in result.stderr
    assert result.stdout == ""


def test_exit_code_two_when_pyproject_tool_kb_bad(run_kb: RunKb, clean: Path) -> None:
    (clean / "pyproject.toml").write_text("[tool.kb]\nroots = \"claims\"\n")
    result = run_kb("check", str(clean))
    assert result.exit_code == 2
    assert "roots" in result.stderr


def test_exit_codes_hold_in_a_real_process(clean: Path, problems: Path, tmp_path: Path) -> None:
    assert run_kb_process("check", str(clean)).returncode == 0
    assert run_kb_process("check", str(problems)).returncode == 1
    assert run_kb_process("check", str(tmp_path / "nowhere")).returncode == 2


# --- output formats ------------------------------------------------------------------------------


def test_json_output_has_exact_shape(run_kb: RunKb, problems: Path) -> None:
    result = run_kb("check", "--format", "json", str(problems))
    data = json.loads(result.stdout)
    assert set(data) == {"diagnostics", "summary"}
    assert data["diagnostics"] == [
        {
            "path": "domains/x/lonely claim.md", "line": 1, "col": 1, "severity": "warning", "code": "KB402",
            "rule": "orphan", "message": "no other note links to this claim",
            "hint": "link it from its topic map or a related claim",
        },
        {
            "path": "first claim.md", "line": 11, "col": 5, "severity": "error", "code": "KB301",
            "rule": "broken-link", "message": "broken link [[no such claim]]: no note has this title or path", "hint": "",
        },
    ]  # fmt: skip
    assert data["summary"] == {"errors": 1, "warnings": 1, "infos": 0, "by_rule": {"broken-link": 1, "orphan": 1}}
    assert result.exit_code == 1


def test_json_output_paths_are_relative_to_root_from_any_cwd(run_kb: RunKb, problems: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    paths = [d["path"] for d in json.loads(run_kb("check", "--format", "json", str(problems)).stdout)["diagnostics"]]
    assert paths == ["domains/x/lonely claim.md", "first claim.md"]
    assert all("\\" not in p and not p.startswith("/") for p in paths)


def test_json_output_empty_when_clean(run_kb: RunKb, clean: Path) -> None:
    data = json.loads(run_kb("check", "--format", "json", str(clean)).stdout)
    assert data == {"diagnostics": [], "summary": {"errors": 0, "warnings": 0, "infos": 0, "by_rule": {}}}


GITHUB_LINE = re.compile(r"^::(error|warning|notice) file=([^,]+),line=(\d+),col=(\d+),title=([^:]+)::(.+)$")


def test_github_output_is_workflow_commands(run_kb: RunKb, problems: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(problems.parent)
    lines = run_kb("check", "--format", "github", str(problems)).stdout.splitlines()
    commands = [GITHUB_LINE.match(line) for line in lines if line.startswith("::")]
    assert len(commands) == 2 and all(commands)
    assert lines[0] == "::warning file=kb-problems/domains/x/lonely claim.md,line=1,col=1,title=KB402 orphan::no other note links to this claim (link it from its topic map or a related claim)"
    assert lines[1] == "::error file=kb-problems/first claim.md,line=11,col=5,title=KB301 broken-link::broken link [[no such claim]]: no note has this title or path"


def test_github_output_escapes_properties(run_kb: RunKb, tmp_path: Path, write_corpus: WriteCorpus, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_corpus(tmp_path, {"a, b: c.md": "---\ntype: entity\n---\n[[Nope]]\n"})
    monkeypatch.chdir(root)
    (line,) = [l for l in run_kb("check", "--format", "github", str(root)).stdout.splitlines() if l.startswith("::")]
    assert line.startswith("::error file=a%2C b%3A c.md,line=4,col=1,title=KB301 broken-link::")


def test_text_output_lines_are_compiler_style(run_kb: RunKb, problems: Path) -> None:
    assert run_kb("check", str(problems)).stdout == (
        "domains/x/lonely claim.md:1:1: warning KB402 [orphan] no other note links to this claim (link it from its topic map or a related claim)\n"
        "first claim.md:11:5: error KB301 [broken-link] broken link [[no such claim]]: no note has this title or path\n"
        "\n"
        "     1  broken-link\n"
        "     1  orphan\n"
        "1 error(s), 1 warning(s), 0 info\n"
    )


# --- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected", "code"),
    [
        pytest.param(("--select", "orphan"), ["orphan"], 0, id="select-name"),
        pytest.param(("--select", "KB301"), ["broken-link"], 1, id="select-code"),
        pytest.param(("--select", "kb301, orphan"), ["orphan", "broken-link"], 1, id="select-two-lower-code"),
        pytest.param(("--ignore", "broken-link"), ["orphan"], 0, id="ignore-name"),
        pytest.param(("--ignore", "KB402"), ["broken-link"], 1, id="ignore-code"),
        pytest.param(("--ignore", "orphan,broken-link"), [], 0, id="ignore-all"),
        pytest.param(("--select", "orphan,broken-link", "--ignore", "broken-link"), ["orphan"], 0, id="select-then-ignore"),
        pytest.param(("--ignore", "broken-link", "--strict"), ["orphan"], 1, id="ignore-errors-strict"),
    ],
)
def test_select_and_ignore_filter_rules(run_kb: RunKb, problems: Path, args: tuple[str, ...], expected: list[str], code: int) -> None:
    result = run_kb("check", "--format", "json", *args, str(problems))
    assert rules_in(result) == expected
    assert result.exit_code == code
    assert json.loads(result.stdout)["summary"]["by_rule"] == {rule: 1 for rule in expected}


# --- configuration -----------------------------------------------------------------------------


def test_kb_toml_severity_off_removes_orphans(run_kb: RunKb, problems: Path) -> None:
    (problems / "kb.toml").write_text('[severity]\norphan = "off"\n')
    assert rules_in(run_kb("check", "--format", "json", str(problems))) == ["broken-link"]


def test_kb_toml_severity_warning_changes_exit_code(run_kb: RunKb, problems: Path) -> None:
    (problems / "kb.toml").write_text('[severity]\n"broken-link" = "warning"\n')
    result = run_kb("check", "--format", "json", str(problems))
    severities = {d["rule"]: d["severity"] for d in json.loads(result.stdout)["diagnostics"]}
    assert severities == {"broken-link": "warning", "orphan": "warning"}
    assert result.exit_code == 0
    assert run_kb("check", "--strict", str(problems)).exit_code == 1


def test_kb_toml_severity_by_code_and_error_level(run_kb: RunKb, tmp_path: Path, write_corpus: WriteCorpus) -> None:
    root = write_corpus(tmp_path, WARNINGS_ONLY | {"kb.toml": '[severity]\nKB402 = "error"\n'})
    result = run_kb("check", "--format", "json", str(root))
    assert {d["severity"] for d in json.loads(result.stdout)["diagnostics"]} == {"error"}
    assert result.exit_code == 1


def test_pyproject_tool_kb_severity_applies(run_kb: RunKb, problems: Path) -> None:
    (problems / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.kb.severity]\norphan = "off"\n')
    assert rules_in(run_kb("check", "--format", "json", str(problems))) == ["broken-link"]


def test_kb_toml_extra_exclude_skips_folder(run_kb: RunKb, problems: Path) -> None:
    (problems / "kb.toml").write_text('extra_exclude = ["domains"]\n')
    assert rules_in(run_kb("check", "--format", "json", str(problems))) == ["broken-link"]


def test_no_root_uses_pyproject_root_setting(run_kb: RunKb, tmp_path: Path, write_corpus: WriteCorpus, monkeypatch: pytest.MonkeyPatch) -> None:
    project = write_corpus(tmp_path / "project", {f"claims/{k}": v for k, v in PROBLEMS.items()})
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.kb]\nroot = "claims"\n')
    write_corpus(project, {"notes outside root.md": "no front matter, [[broken]]\n"})
    monkeypatch.chdir(project)
    result = run_kb("check", "--format", "json")
    assert [d["path"] for d in json.loads(result.stdout)["diagnostics"]] == ["domains/x/lonely claim.md", "first claim.md"]
    assert result.exit_code == 1


def test_no_root_without_config_checks_cwd(run_kb: RunKb, clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean / "stray.md").write_text("---\ntype: entity\n---\n[[Nope]]\n")
    monkeypatch.chdir(clean)
    result = run_kb("check", "--format", "json")
    assert [(d["path"], d["rule"]) for d in json.loads(result.stdout)["diagnostics"]] == [("stray.md", "broken-link")]


def test_no_root_applies_settings_of_pyproject_that_names_root(run_kb: RunKb, tmp_path: Path, write_corpus: WriteCorpus, monkeypatch: pytest.MonkeyPatch) -> None:
    """The [tool.kb] table that says `root = "claims"` is the configuration in force for claims/."""
    project = write_corpus(tmp_path / "project", {f"claims/{k}": v for k, v in PROBLEMS.items()})
    (project / "pyproject.toml").write_text('[tool.kb]\nroot = "claims"\n\n[tool.kb.severity]\norphan = "off"\n')
    monkeypatch.chdir(project)
    assert rules_in(run_kb("check", "--format", "json")) == ["broken-link"]


def test_no_root_bad_pyproject_exits_two(run_kb: RunKb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.kb\nroot = 'claims'\n")
    monkeypatch.chdir(tmp_path)
    assert run_kb("check").exit_code == 2


def test_rules_command_lists_every_rule(run_kb: RunKb) -> None:
    from kb.rules import RULES

    lines = run_kb("rules").stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [[r.code, r.name] for r in RULES.values()]
