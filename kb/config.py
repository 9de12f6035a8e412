"""Settings from `[tool.kb]` in pyproject.toml or from kb.toml: folders, schemas, severities."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from kb.model import Severity
from kb.rules import find_rule

PROGRAM_ALIASES = "programs.yaml"  # at the root: research-program key aliases (kb.convergence.alias_table)
CONFIDENCE = ("proven", "likely", "experimental", "speculative")
SOURCE_STATUS = ("unprocessed", "processing", "processed", "null-result")
KNOWN_TYPES = (
    "claim", "source", "entity", "musing", "analysis", "position", "evidence",
    "framework", "conviction", "belief", "map",
)  # fmt: skip
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", "site", "_site", "node_modules", ".venv", "venv", "__pycache__",
    ".kb-cache", ".pytest_cache", ".mypy_cache", ".github", ".obsidian", ".trash",
)  # fmt: skip


class ConfigError(Exception):
    """The configuration file is unreadable or says something kb does not understand."""


@dataclass(frozen=True)
class TypeSchema:
    """What the front matter of one `type` must hold."""

    required: tuple[str, ...] = ()
    enums: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    dates: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    strings: tuple[str, ...] = ()


DEFAULT_SCHEMAS: dict[str, TypeSchema] = {
    "claim": TypeSchema(
        required=("type", "domain", "description", "confidence", "source", "created"),
        enums={"confidence": CONFIDENCE},
        dates=("created", "last_evaluated"),
        lists=("depends_on", "challenged_by", "secondary_domains"),
        strings=("domain", "description", "source"),
    ),
    "source": TypeSchema(
        required=("type", "title"),
        enums={"status": SOURCE_STATUS},
        dates=("date",),
        lists=("claims_extracted", "enrichments", "tags"),
        strings=("title", "url"),
    ),
    "map": TypeSchema(),
}


@dataclass(frozen=True)
class Settings:
    """Everything configurable about checking a knowledge base; defaults fit a codex and claims/."""

    include: tuple[str, ...] = ()  # folders (relative to root) holding content; empty: all of root
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE  # folder or file names never read
    schemas: Mapping[str, TypeSchema] = field(default_factory=lambda: dict(DEFAULT_SCHEMAS))
    known_types: tuple[str, ...] = KNOWN_TYPES
    severity: Mapping[str, Severity | None] = field(default_factory=dict)  # rule -> level, None = off
    max_file_bytes: int = 5_000_000  # larger files are reported, not parsed
    config_path: Path | None = None


def find_config(folder: Path) -> tuple[Path, dict[str, Any]] | None:
    """The kb.toml, or pyproject.toml with a [tool.kb] table, in a folder."""
    kb_toml = folder / "kb.toml"
    if kb_toml.is_file():
        return kb_toml, _read_toml(kb_toml)
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        table = _read_toml(pyproject).get("tool", {}).get("kb")
        if isinstance(table, dict):
            return pyproject, table
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning every failure into a ConfigError."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from error


def locate(root: Path | None, cwd: Path) -> tuple[Path, Settings]:
    """The root to work on and its settings.

    Given a ROOT, its own config (or the defaults) applies. Without one, a config in cwd whose
    `[tool.kb] root` names a folder makes that folder the root, and that config's settings apply
    unless the folder has a config of its own; otherwise cwd is the root.
    """
    if root is not None:
        return root.resolve(), load_settings(root.resolve())
    found = find_config(cwd)
    if not found or not isinstance(found[1].get("root"), str):
        return cwd.resolve(), load_settings(cwd.resolve())
    named = (found[0].parent / found[1]["root"]).resolve()
    if find_config(named) is not None:
        return named, load_settings(named)
    return named, replace(parse_settings(found[1], str(found[0])), config_path=found[0])


def load_settings(root: Path) -> Settings:
    """Settings for a root: its kb.toml or pyproject [tool.kb], else the defaults."""
    found = find_config(root)
    if found is None:
        return Settings()
    path, table = found
    return replace(parse_settings(table, str(path)), config_path=path)


_KEYS = {"root", "include", "exclude", "extra_exclude", "types", "schema", "severity", "max_file_bytes"}


def parse_settings(table: Mapping[str, Any], where: str = "config") -> Settings:
    """Build Settings from a [tool.kb] table, rejecting unknown keys and values."""
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown [tool.kb] key(s): {', '.join(unknown)}")
    base = Settings()
    exclude = _strings(table, "exclude", where, base.exclude) + _strings(table, "extra_exclude", where, ())
    return Settings(
        include=_strings(table, "include", where, ()),
        exclude=exclude,
        schemas=_schemas(table.get("schema", {}), where),
        known_types=tuple(dict.fromkeys(KNOWN_TYPES + _strings(table, "types", where, ()))),
        severity=_severities(table.get("severity", {}), where),
        max_file_bytes=int(table.get("max_file_bytes", base.max_file_bytes)),
    )


def _strings(table: Mapping[str, Any], key: str, where: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """A list-of-strings setting, or its default."""
    value = table.get(key, default)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of strings")
    return tuple(value)


def _severities(table: Any, where: str) -> dict[str, Severity | None]:
    """Parse [tool.kb.severity]: rule name or code -> error | warning | info | off."""
    levels = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "off": None}
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.kb.severity] must be a table")
    result: dict[str, Severity | None] = {}
    for name, level in table.items():
        rule = find_rule(name)
        if rule is None:
            raise ConfigError(f"{where}: unknown rule `{name}` in [tool.kb.severity]")
        if level not in levels:
            raise ConfigError(f"{where}: severity of `{name}` must be one of {', '.join(levels)}")
        result[rule.name] = levels[level]
    return result


def _schemas(table: Any, where: str) -> dict[str, TypeSchema]:
    """Merge [tool.kb.schema.<type>] tables over the default schemas."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.kb.schema] must be a table")
    schemas = dict(DEFAULT_SCHEMAS)
    for type_name, spec in table.items():
        if not isinstance(spec, dict):
            raise ConfigError(f"{where}: [tool.kb.schema.{type_name}] must be a table")
        schemas[type_name] = _schema(spec, schemas.get(type_name, TypeSchema()), f"{where} schema.{type_name}")
    return schemas


def _schema(spec: Mapping[str, Any], base: TypeSchema, where: str) -> TypeSchema:
    """One type's schema: given keys replace the default's."""
    unknown = sorted(set(spec) - {"required", "enums", "dates", "lists", "strings"})
    if unknown:
        raise ConfigError(f"{where}: unknown key(s): {', '.join(unknown)}")
    enums = spec.get("enums", base.enums)
    if not isinstance(enums, dict) or not all(isinstance(v, list) for v in enums.values()):
        raise ConfigError(f"{where}: `enums` must map a field to a list of allowed values")
    return TypeSchema(
        required=_strings(spec, "required", where, base.required),
        enums={k: tuple(str(x) for x in v) for k, v in enums.items()},
        dates=_strings(spec, "dates", where, base.dates),
        lists=_strings(spec, "lists", where, base.lists),
        strings=_strings(spec, "strings", where, base.strings),
    )
