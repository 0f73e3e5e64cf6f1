"""Reading docker-compose.yml the way Compose v2 does, for the tests (no engine here).

- load(): YAML with merge keys and Compose's !reset / !override tags.
- merge(): applies an override file (docker compose -f base -f override).
- dotenv_values(): a .env file's values, asked of the exact parser (envcheck get).
- interpolate(): ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?msg}, ${VAR?msg}, ${VAR:+alt}, ${VAR+alt}, $VAR, $$.
- references(): every variable a document interpolates, with the operator used.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILES = {
    "base": ROOT / "docker-compose.yml",
    "external-db": ROOT / "docker-compose.external-db.yml",
    "db-port": ROOT / "docker-compose.db-port.yml",
}
# Variables Make passes to Compose that are not the app's configuration (not in env.schema.yaml).
MAKE_VARIABLES = {"TAG"}


class Reset:
    """Value of a `!reset` tag: the key is removed from the merged result."""


class Override:
    """Value of an `!override` tag: replaces instead of merging."""

    def __init__(self, value: Any) -> None:
        self.value = value


class _Loader(yaml.SafeLoader):
    pass


def _reset(loader: yaml.SafeLoader, node: yaml.Node) -> Reset:
    return Reset()


def _override(loader: yaml.SafeLoader, node: yaml.Node) -> Override:
    if isinstance(node, yaml.MappingNode):
        return Override(loader.construct_mapping(node, deep=True))
    if isinstance(node, yaml.SequenceNode):
        return Override(loader.construct_sequence(node, deep=True))
    return Override(loader.construct_scalar(node))


_Loader.add_constructor("!reset", _reset)
_Loader.add_constructor("!override", _override)


def load(path: Path | str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        doc = yaml.load(f, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    assert isinstance(doc, dict), f"{path}: not a mapping"
    return doc


def strip_tags(value: Any) -> Any:
    """The document with !reset entries dropped and !override unwrapped (a single file's view)."""
    if isinstance(value, Override):
        return strip_tags(value.value)
    if isinstance(value, dict):
        return {k: strip_tags(v) for k, v in value.items() if not isinstance(v, Reset)}
    if isinstance(value, list):
        return [strip_tags(v) for v in value if not isinstance(v, Reset)]
    return value


# Sequences Compose merges by a key instead of appending (enough for this project's files).
_UNIQUE_SEQUENCES = {"ports", "volumes", "tmpfs", "security_opt", "cap_drop", "cap_add", "profiles", "env_file"}


def merge(base: Any, override: Any, key: str = "") -> Any:
    """Compose's merge of an override document into a base one."""
    if isinstance(override, Reset):
        return Reset()
    if isinstance(override, Override):
        return strip_tags(override.value)
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for k, v in override.items():
            merged = merge(base.get(k), v, k) if k in base else strip_tags(v)
            if isinstance(merged, Reset) or isinstance(v, Reset):
                out.pop(k, None)
            else:
                out[k] = merged
        return out
    if isinstance(base, list) and isinstance(override, list):
        if key in ("command", "entrypoint", "test"):
            return strip_tags(override)
        out = list(base)
        for item in strip_tags(override):
            if key in _UNIQUE_SEQUENCES and item in out:
                continue
            out.append(item)
        return out
    return strip_tags(override)


def load_merged(*paths: Path | str) -> dict[str, Any]:
    doc: Any = {}
    for p in paths:
        doc = merge(doc, load(p))
    return strip_tags(doc)


class InterpolationError(ValueError):
    pass


_VAR = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>(?:[^{}]|\{[^{}]*\})*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)


def _sub(text: str, env: Mapping[str, str], refs: list[tuple[str, str, str]] | None) -> str:
    def repl(m: re.Match[str]) -> str:
        if m.group("escaped"):
            return "$"
        name = m.group("braced") or m.group("named")
        op = m.group("op") or ""
        arg = m.group("arg") or ""
        if refs is not None:
            refs.append((name, op, arg))
        value = env.get(name)
        if op == ":-":
            return value if value else _sub(arg, env, refs)
        if op == "-":
            return value if value is not None else _sub(arg, env, refs)
        if op == ":?":
            if not value:
                raise InterpolationError(f"required variable {name} is missing a value: {arg}")
            return value
        if op == "?":
            if value is None:
                raise InterpolationError(f"required variable {name} is missing a value: {arg}")
            return value
        if op == ":+":
            return _sub(arg, env, refs) if value else ""
        if op == "+":
            return _sub(arg, env, refs) if value is not None else ""
        return value or ""

    return _VAR.sub(repl, text)


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """Every string of the document with its variables substituted (keys are left alone)."""
    if isinstance(value, str):
        return _sub(value, env, None)
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    return value


def references(value: Any) -> list[tuple[str, str, str]]:
    """(name, operator, argument) for every variable the document interpolates (defaults included)."""
    refs: list[tuple[str, str, str]] = []

    def scan(text: str) -> None:
        for m in _VAR.finditer(text):
            if m.group("escaped"):
                continue
            name = m.group("braced") or m.group("named")
            refs.append((name, m.group("op") or "", m.group("arg") or ""))
            if m.group("arg"):
                scan(m.group("arg"))

    def walk(v: Any) -> None:
        if isinstance(v, str):
            scan(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(strip_tags(value))
    return refs


def dotenv_values(path: Path | str, keys: Iterable[str]) -> dict[str, str]:
    """The values a .env file gives keys, exactly as Compose reads it, from the exact parser
    (`envcheck get`, ENVCHECK from `make`); keys the file does not set are left out. ${VAR}
    resolves against the file's earlier keys only (the test's own environment is not passed)."""
    envcheck = os.environ.get("ENVCHECK")
    if not envcheck:
        raise RuntimeError("ENVCHECK is not set: run these tests through make, which builds envcheck")
    out: dict[str, str] = {}
    for key in keys:
        r = subprocess.run([envcheck, "get", str(path), key], capture_output=True, text=True,
                           env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, check=False)
        if r.returncode == 0:
            out[key] = r.stdout.removesuffix("\n")
        elif r.stderr.strip() != f"envcheck: {key} is not set in {path}":
            raise ValueError(f"envcheck get {path} {key} failed ({r.returncode}): {r.stderr.strip()}")
    return out


def schema_variables(path: Path | str | None = None) -> dict[str, dict[str, Any]]:
    """env.schema.yaml as {NAME: {type, required, secret, default, ...}} whatever its layout."""
    doc = yaml.safe_load(Path(path or ROOT / "env.schema.yaml").read_text(encoding="utf-8"))
    if isinstance(doc, dict):
        for key in ("variables", "vars", "env"):
            if key in doc:
                doc = doc[key]
                break
    out: dict[str, dict[str, Any]] = {}
    if isinstance(doc, dict):
        for name, spec in doc.items():
            if isinstance(name, str) and re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
                out[name] = spec if isinstance(spec, dict) else {}
    elif isinstance(doc, list):
        for spec in doc:
            if isinstance(spec, dict) and "name" in spec:
                out[str(spec["name"])] = spec
    if not out:
        raise ValueError(f"{path}: no variables found (expected a `variables:` map or list)")
    return out


def is_secret(spec: dict[str, Any]) -> bool:
    """env.schema.yaml: `secret: true`, or `type: secret` (which implies it)."""
    return bool(spec.get("secret")) or spec.get("type") == "secret"
