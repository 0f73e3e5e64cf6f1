"""The native stack's setup refuses to run with a missing piece (no skip, no fallback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaos import native
from chaos.config import Config
from chaos.runner import Runner
from chaos.scenarios import Chaos


def test_a_frontend_that_is_not_built_stops_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTEND_BUILD", str(tmp_path / "frontend"))
    target = native.NativeTarget(str(tmp_path), dry_run=False)
    not_built = r"frontend is not built \(no .*/frontend/standalone/server.js\): run `make frontend-build`"
    with pytest.raises(RuntimeError, match=not_built):
        target.snapshot_frontend()


def test_the_built_frontend_is_copied_and_run_from_the_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = tmp_path / "frontend" / "standalone"
    built.mkdir(parents=True)
    (built / "server.js").write_text("// next standalone server\n")
    monkeypatch.setenv("FRONTEND_BUILD", str(tmp_path / "frontend"))
    state = tmp_path / "state"
    state.mkdir()
    target = native.NativeTarget(str(state), dry_run=False)
    target.snapshot_frontend()
    assert target.fe_server == str(state / "frontend" / "server.js")
    assert Path(target.fe_server).read_text() == "// next standalone server\n"


def test_a_missing_probe_stops_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROBE", str(tmp_path / "no-probe"))
    chaos = Chaos(Config(), native.NativeTarget(str(tmp_path), dry_run=False), Runner(dry_run=False))
    with pytest.raises(RuntimeError, match=r"no-probe is missing .*: run `make tools`"):
        chaos.private_probe()


def test_an_unknown_measuring_mode_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAOS_MEASURE", "auto")
    with pytest.raises(ValueError, match="CHAOS_MEASURE: 'auto' is not one of probe, python"):
        Config()


def test_without_haproxy_the_native_run_stops_before_starting_anything(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    ran: list[str] = []

    def body(target: native.NativeTarget) -> int:
        ran.append(target.name)
        return 0

    assert native.with_native_stack("chaos native", False, None, body) == 2
    assert ran == []
    assert "haproxy not found" in capsys.readouterr().err
