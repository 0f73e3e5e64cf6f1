"""Running Make targets in the tests, the one helper module for tests/make/.

Targets run for real: the real C tools, the real scripts, the real helm where it needs no
cluster. Only the programs that would reach outside this machine (docker, kubectl, helm against
a cluster, minikube, kind, go) are recording stand-ins: each call is written down (its
arguments, its standard input, the variables asked for) and answered by a shell snippet the
test gives, so a test asserts what a target did, not how its recipe is spelled. `make -n` is
used only to prove that a dry run has no side effects.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "build" / "bin"
TAG = "0.1.0-abc1234"
VERSION = (ROOT / "VERSION").read_text().strip()
FAKE_DOCKER = ROOT / "tests" / "make" / "fake-docker.sh"
# What a scratch workspace links from the repository; .env and build/ are its own.
LINKED = (
    "Makefile", "mk", "VERSION", "tools", "docker", "helm", "k8s", "env.schema.yaml", ".env.example",
    "docker-compose.yml", "docker-compose.external-db.yml", "docker-compose.db-port.yml",
)
# Knobs a developer's shell may export that would change what make does in a test.
KNOBS = (
    "TAG", "DB", "POSTGRES_PORT", "FRONTEND_PORT", "BACKEND_PORT", "FRONTEND_URL", "BACKEND_URL",
    "TOOLS_MODE", "REGISTRY", "SERVICE", "FILE", "DB_EXEC", "PROBE", "ENVCHECK", "SECRETGEN",
    "NAMESPACE", "RELEASE", "ENV", "CLUSTER", "KUBECTL", "HELM", "DOCKER", "ENV_FILE", "BUILD",
    "KUBE_SCORE", "KUSTOMIZE", "TOOLS_CACHE", "GO",
)


def workspace(path: Path) -> Path:
    """A scratch checkout: the repository's files linked, its own .env and build/. The C tools
    are the repository's (build/bin, build/obj... linked), so make finds them up to date."""
    path.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        (path / name).symlink_to(ROOT / name)
    (path / "build").mkdir()
    for name in ("bin", "obj", "rel"):
        (path / "build" / name).symlink_to(ROOT / "build" / name)
    return path


def make(cwd: Path, *args: str, env: dict[str, str] | None = None, dry: bool = False,
         timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """`make ARGS` (with TAG pinned unless given) in cwd; env is added to a clean environment."""
    cmd = ["make", "--no-print-directory", *(["-n"] if dry else []), *args]
    if not any(a.startswith("TAG=") for a in args):
        cmd.append(f"TAG={TAG}")
    full = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS")) and k not in KNOBS}
    full.update(env or {})
    return subprocess.run(cmd, cwd=cwd, env=full, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, check=False)


@dataclass
class Call:
    """One call of a stand-in: argv[0] is the program's name."""

    argv: list[str]
    stdin: str
    env: dict[str, str]

    @property
    def line(self) -> str:
        return " ".join(self.argv)

    def option(self, name: str) -> list[str]:
        """Every value given to option `name` (`--set a --set b` -> [a, b]; `-f x` -> [x])."""
        return [self.argv[i + 1] for i, a in enumerate(self.argv[:-1]) if a == name]


class StandIns:
    """Recording stand-ins in tmp/bin: `path(name)` is the program to hand to make."""

    def __init__(self, tmp: Path, answers: dict[str, str] | None = None, record_env: tuple[str, ...] = ()) -> None:
        self.dir = tmp / "stand-ins"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.log = tmp / "calls.jsonl"
        self.answers = answers or {}
        self.record_env = record_env

    def path(self, name: str) -> str:
        """A stand-in for `name`: records the call, then runs answers[name] (bash, "$@" = args)."""
        exe = self.dir / name
        if not exe.exists():
            exe.write_text(
                "#!/usr/bin/env python3\n"
                "import json, os, sys\n"
                "stdin = '' if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()\n"
                f"env = {{k: os.environ[k] for k in {list(self.record_env)!r} if k in os.environ}}\n"
                f"with open({str(self.log)!r}, 'a') as f:\n"
                f"    f.write(json.dumps({{'argv': [{name!r}, *sys.argv[1:]], 'stdin': stdin, 'env': env}}) + '\\n')\n"
                f"answer = {self.answers.get(name, '')!r}\n"
                f"if answer:\n"
                f"    os.execvp('bash', ['bash', '-c', answer, {name!r}, *sys.argv[1:]])\n"
            )
            exe.chmod(0o755)
        return str(exe)

    def on_path(self, *names: str) -> dict[str, str]:
        """An environment whose PATH finds these stand-ins before anything else."""
        for name in names:
            self.path(name)
        return {"PATH": f"{self.dir}:{os.environ['PATH']}"}

    def calls(self, name: str | None = None) -> list[Call]:
        if not self.log.exists():
            return []
        out = [Call(**json.loads(line)) for line in self.log.read_text().splitlines()]
        return [c for c in out if name is None or c.argv[0] == name]


def snapshot(path: Path) -> dict[str, int]:
    """mtime of every file under path (links not followed), to prove a dry run wrote nothing."""
    return {str(p.relative_to(path)): p.lstat().st_mtime_ns for p in path.rglob("*")}


# How a stand-in kubectl answers what the deploy scripts ask; FRONTEND_SVC and MIGRATE_JOB (in
# the environment) are the names the cluster would give for the labels asked about.
KUBECTL_ANSWERS = """
case "$*" in
  *"get svc -n "*"component=frontend"*) echo "${FRONTEND_SVC:-frontend-svc}" ;;
  *"get job -n "*"component=migrate"*) echo "${MIGRATE_JOB:-}" ;;
  *"{.spec.type}"*) echo NodePort ;;
  *nodePort*) echo 30080 ;;
  *"port-forward "*) exec sleep 60 ;;  # runs until the script stops it, as the real one
  *" -o json"*) echo '{"apiVersion": "v1", "kind": "List", "items": []}' ;;
  *"create namespace"*) printf 'apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: %s\\n' "$3" ;;
esac
"""


def env_file(directory: Path, jwt_secret: str | None = None) -> Path:
    """directory/.env as `make secrets` makes it (optionally with another JWT_SECRET)."""
    path = directory / ".env"
    subprocess.run([str(BIN / "secretgen"), "fill", "--schema", "env.schema.yaml", "--template", ".env.example",
                    str(path)], cwd=ROOT, check=True, capture_output=True)
    if jwt_secret is not None:
        lines = [f"JWT_SECRET={jwt_secret}" if x.startswith("JWT_SECRET=") else x for x in path.read_text().splitlines()]
        path.write_text("\n".join(lines) + "\n")
    return path


def applied(s: StandIns) -> list[dict]:
    """The objects a stand-in `kubectl apply -f -` received on standard input."""
    return [d for c in s.calls("kubectl") if c.argv[1:4] == ["apply", "-f", "-"]
            for d in yaml.safe_load_all(c.stdin) if d]
