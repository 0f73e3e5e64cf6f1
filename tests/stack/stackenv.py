"""The environment each Compose service's process gets, derived (not restated) from
docker-compose.yml, the generated .env and the image's Dockerfile, then moved from the Compose
network to 127.0.0.1 ports so the same commands run natively.

Precedence is Compose's: image ENV < env_file < environment (each value interpolated from .env).
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "compose"))

import composefile  # noqa: E402

ROOT = composefile.ROOT
# The keys read from a .env: every variable env.schema.yaml declares (the stack's .env is made
# by secretgen from .env.example, which declares no other).
SCHEMA_KEYS = tuple(composefile.schema_variables())
# Image ENV that describes the image's own file layout, not the configuration: the native run
# has its own (the backend venv, node on the host's PATH).
LAYOUT_VARS = {"PATH", "VIRTUAL_ENV", "PYTHONPATH", "HOME", "NODE_PATH", "LANG", "LC_ALL"}


def dockerfile_final_stage(path: Path) -> dict[str, Any]:
    """ENV, ENTRYPOINT, CMD, EXPOSE and WORKDIR of the last stage of a Dockerfile (ENV, ENTRYPOINT
    and CMD inherited from an earlier stage it is built `FROM`)."""
    text = re.sub(r"\\\n", " ", path.read_text())
    stages: dict[str, dict[str, Any]] = {}
    stage: dict[str, Any] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        word = word.upper()
        rest = rest.strip()
        if word == "FROM":
            m = re.match(r"(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", rest, re.I)
            assert m, line
            parent = stages.get(m.group(1).lower())
            stage = {"env": {}, "entrypoint": None, "cmd": None, "expose": [], "workdir": "/"}
            if parent:
                stage.update({k: (dict(v) if isinstance(v, dict) else v) for k, v in parent.items() if k != "expose"})
            if m.group(2):
                stages[m.group(2).lower()] = stage
        elif word == "ENV":
            stage["env"].update(_parse_env_instruction(rest))
        elif word in ("ENTRYPOINT", "CMD"):
            stage[word.lower()] = _exec_form(rest)
        elif word == "EXPOSE":
            stage["expose"] += rest.split()
        elif word == "WORKDIR":
            stage["workdir"] = rest
    return stage


def _parse_env_instruction(rest: str) -> dict[str, str]:
    parts = shlex.split(rest)
    if parts and "=" not in parts[0]:  # legacy `ENV KEY value`
        key, _, value = rest.partition(" ")
        return {key: value.strip()}
    return dict(p.split("=", 1) for p in parts)


def _exec_form(rest: str) -> list[str]:
    import json

    if rest.startswith("["):
        return list(json.loads(rest))
    return ["/bin/sh", "-c", rest]


def image_env(dockerfile: Path) -> dict[str, str]:
    env = dockerfile_final_stage(dockerfile)["env"]
    return {k: v for k, v in env.items() if k not in LAYOUT_VARS and "${" not in v}


class ComposeModel:
    """docker-compose.yml interpolated with a .env, as `docker compose up` would see it."""

    def __init__(self, env_path: Path, compose_path: Path = ROOT / "docker-compose.yml", tag: str = "native") -> None:
        self.env_path = env_path
        self.dotenv = composefile.dotenv_values(env_path, SCHEMA_KEYS)
        self.vars = {**self.dotenv, "TAG": tag}
        self.doc = composefile.interpolate(composefile.load_merged(compose_path), self.vars)
        self.services: dict[str, Any] = self.doc["services"]

    def environment(self, service: str, dockerfile: Path | None = None) -> dict[str, str]:
        s = self.services[service]
        env: dict[str, str] = dict(image_env(dockerfile)) if dockerfile else {}
        files = s.get("env_file") or []
        for item in [files] if isinstance(files, (str, dict)) else files:
            name = item["path"] if isinstance(item, dict) else item
            path = self.env_path if name == ".env" else (ROOT / name)
            env.update(composefile.dotenv_values(path, SCHEMA_KEYS))
        declared = s.get("environment") or {}
        if isinstance(declared, list):
            declared = dict(x.split("=", 1) for x in declared)
        env.update({k: "" if v is None else str(v) for k, v in declared.items()})
        return env

    def container_port(self, service: str) -> int:
        (port,) = self.services[service]["ports"]
        return int(str(port).rsplit(":", 1)[-1])


def move_to_localhost(
    env: dict[str, str], addresses: dict[str, tuple[str, int]], own: tuple[int, int] | None = None
) -> dict[str, str]:
    """Rewrites service:port to 127.0.0.1:native_port in every value; for the service itself,
    its listening port (a value equal to its container port) and 0.0.0.0 binds move too.

    addresses: {"postgres": (5432, pg_port)...} as {service: (container_port, native_port)}.
    own: (container_port, native_port) of the service whose environment this is."""
    out = {}
    for key, value in env.items():
        for service, (cport, nport) in addresses.items():
            value = re.sub(rf"(?<=[/@]){re.escape(service)}:{cport}\b", f"127.0.0.1:{nport}", value)
            value = re.sub(rf"(?<=[/@]){re.escape(service)}(?=[/:]|$)(?!:\d)", f"127.0.0.1:{nport}", value)
        if own and value == str(own[0]):
            value = str(own[1])
        if value == "0.0.0.0":
            value = "127.0.0.1"
        out[key] = value
    return out
