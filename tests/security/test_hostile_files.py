"""Hostile files against the C tools, each run bounded in memory (RLIMIT_AS 1 GiB) and time: a .env
whose ${VAR} references double at every line, manifests behind symlinks to a device or a loop, an
empty directory, and what secretgen leaves behind."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import seclib

SCHEMA = seclib.ROOT / "env.schema.yaml"


def tool(name: str, *args: str, cwd: Path | None = None, timeout: float = 30) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(seclib.BIN / name), *args], capture_output=True, timeout=timeout, cwd=cwd,
                          preexec_fn=seclib.limit_as(seclib.TOOL_AS_LIMIT))


def doubling_env(path: Path, lines: int = 40) -> Path:
    text = "A0=xxxxxxxxxxxxxxxx\n" + "".join(f"A{i}=${{A{i - 1}}}${{A{i - 1}}}\n" for i in range(1, lines))
    path.write_text(text)
    return path


def test_doubling_references_are_refused_in_bounded_memory(tmp_path: Path) -> None:
    env = doubling_env(tmp_path / ".env")
    assert env.stat().st_size < 1024
    for args in (("--schema", str(SCHEMA), str(env)),):
        r = tool("envcheck", *args)
        assert r.returncode == 1 and b"value-too-large" in r.stdout, (r.returncode, r.stdout[-500:], r.stderr[-500:])
    r = tool("secretgen", "k8s", "--name", "x", "--schema", str(SCHEMA), str(env))
    assert r.returncode in (1, 2) and len(r.stdout) == 0, (r.returncode, len(r.stdout))
    r = tool("secretgen", "fill", "--schema", str(SCHEMA), str(env))
    assert r.returncode in (1, 2)
    assert env.read_text().count("\n") == 40, "a refused file is left as it was"


def test_kubelint_does_not_follow_symlinks_into_devices_or_loops(tmp_path: Path) -> None:
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "ok.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ok\n")
    (manifests / "zero.yaml").symlink_to("/dev/zero")
    (manifests / "loop.yaml").symlink_to(".")
    (manifests / "usr.yaml").symlink_to("/usr")
    r = tool("kubelint", str(manifests), timeout=30)
    assert r.returncode == 2 and b"zero.yaml" in r.stderr, (r.returncode, r.stderr[-500:])
    assert b"duplicate" not in r.stdout


def test_kubelint_on_a_directory_without_manifests_is_an_error(tmp_path: Path) -> None:
    r = tool("kubelint", str(tmp_path))
    assert r.returncode == 2 and str(tmp_path).encode() in r.stderr


def test_secretgen_leaves_no_secret_where_git_would_see_it_and_keeps_the_owner(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text((seclib.ROOT / ".gitignore").read_text())
    # the name of secretgen's temporary file next to .env is ignored by the project's .gitignore
    ignored = subprocess.run(["git", "check-ignore", "-q", ".secretgen-Ab12Cd"], cwd=repo).returncode
    assert ignored == 0
    env = repo / ".env"
    env.write_text((seclib.ROOT / ".env.example").read_text())
    os.chown(env, 65534, 65534)
    r = tool("secretgen", "fill", "--schema", str(SCHEMA), str(env))
    assert r.returncode == 0, r.stderr
    st = env.stat()
    assert (st.st_uid, st.st_gid) == (65534, 65534), "the filled file changed owner"
    assert oct(st.st_mode & 0o777) == "0o600"
    assert not [p for p in repo.iterdir() if "secretgen" in p.name]
