"""`make sbom`, `make scan`, `scan-images`, `scan-config`: the commands they run, and what trivy does
here for real (offline): the misconfiguration scan finds what it should, and the image scan stops
with one sentence when the vulnerability database cannot be downloaded. The SBOMs of real images
are tested in the Docker engine suite (tests/docker/test_images.py)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from makerun import ROOT, TAG, make

TRIVY = os.environ["TRIVY"]  # make charts-test builds them and names them
SYFT = os.environ["SYFT"]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "scan"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return make(ROOT, f"TRIVY={TRIVY}", f"SYFT={SYFT}", *args, env=env, timeout=600)


def dry(*args: str) -> list[str]:
    r = make(ROOT, f"TRIVY={TRIVY}", f"SYFT={SYFT}", *args, dry=True)
    assert r.returncode == 0, r.stderr
    return [line for line in re.sub(r"[ \t]*\\\n[ \t]*", " ", r.stdout).splitlines() if line.strip()]


def test_sbom_and_scan_name_both_images_of_the_tag():
    (sbom,) = dry("sbom")
    assert sbom.endswith(f"mk/scripts/sbom.sh {SYFT} build/sbom todo-backend:{TAG} todo-frontend:{TAG}")
    assert "SYFT_CHECK_FOR_APP_UPDATE=false" in sbom
    lines = dry("scan", "SCAN_SEVERITY=CRITICAL", "SCAN_IGNORE_UNFIXED=1")
    config, images = lines
    assert "SCAN_SEVERITY=CRITICAL" in config and config.endswith(
        "mk/scripts/scan-config.sh " + str(Path.home() / ".cache/trivy")
        + " docker/backend/Dockerfile docker/frontend/Dockerfile helm/todo-app k8s")
    assert "SCAN_SEVERITY=CRITICAL SCAN_IGNORE_UNFIXED=1" in images
    assert images.endswith(f"build/scan todo-backend:{TAG} todo-frontend:{TAG}")


def test_image_scan_without_a_reachable_database_stops_with_one_sentence(tmp_path):
    r = run("scan-images", f"TRIVY_CACHE={tmp_path / 'cache'}", f"BUILD={tmp_path / 'build'}",
             env={"TRIVY_DB_REPOSITORY": "127.0.0.1:9/trivy-db"})
    assert r.returncode != 0
    ours = [line for line in r.stderr.splitlines() if not re.match(r"make(\[\d+\])?: \*\*\*", line)]
    assert len(ours) == 1, r.stderr
    assert ours[0].startswith("make scan: trivy could not download its vulnerability database from 127.0.0.1:9/trivy-db")
    assert "no image was scanned" in ours[0] and ours[0].endswith(".")
    assert r.stdout == "" and "FATAL" not in r.stderr
    # trivy's own account of it is kept, for whoever wants the details
    log = (tmp_path / "build" / "scan" / "trivy-db.log").read_text()
    assert "failed to download" in log and "127.0.0.1:9" in log


def test_image_scan_uses_a_cached_database_when_the_refresh_fails(tmp_path):
    db = tmp_path / "cache" / "db"
    db.mkdir(parents=True)
    (db / "trivy.db").write_bytes(b"not refreshed")
    r = run("scan-images", f"TRIVY_CACHE={tmp_path / 'cache'}", f"BUILD={tmp_path / 'build'}", "DOCKER=false",
             env={"TRIVY_DB_REPOSITORY": "127.0.0.1:9/trivy-db"})
    assert "warning: trivy could not refresh its vulnerability database" in r.stderr
    # then it goes on to the images, which the stand-in `docker` says are not there
    assert r.returncode != 0 and "is not in the Docker engine: run make build first" in r.stderr


def test_config_scan_of_the_repository_runs_for_real_and_is_clean():
    r = run("scan-config")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
    for path in ("docker/backend/Dockerfile", "docker/frontend/Dockerfile", "helm/todo-app", "k8s"):
        assert f"== trivy config {path}" in r.stdout
    # the chart was rendered with backups and the metrics objects on
    assert "templates/backup-cronjob.yaml" in r.stdout and "templates/prometheusrule.yaml" in r.stdout


def test_config_scan_finds_a_root_user_and_fails():
    r = run("scan-config", f"SCAN_CONFIG_PATHS={FIXTURES / 'Dockerfile'}")
    assert r.returncode != 0
    assert "DS-0002" in r.stdout and "DS-0029" in r.stdout
    # the threshold is a knob: nothing here is CRITICAL
    assert run("scan-config", f"SCAN_CONFIG_PATHS={FIXTURES / 'Dockerfile'}", "SCAN_SEVERITY=CRITICAL").returncode == 0


def test_sbom_of_a_missing_image_says_to_build_it(tmp_path):
    r = run("sbom", "DOCKER=false", f"BUILD={tmp_path}")
    assert r.returncode != 0
    assert f"make sbom: the image todo-backend:{TAG} is not in the Docker engine: run make build first" in r.stderr
