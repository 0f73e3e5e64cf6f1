"""The helm targets, run for real: against recording stand-ins for helm and kubectl where a
cluster would answer (install, upgrade, rollback, uninstall, status, diff), with the real pinned
helm where none is needed (template, lint), and with the pinned go stand-in for deps-helm. The
release's objects are found by the chart's labels: whatever the chart names them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from makerun import KUBECTL_ANSWERS, ROOT, TAG, StandIns, applied, env_file, make, snapshot

ENVS = ("dev", "staging", "prod")
HELM = os.environ["HELM"]  # the real pinned helm (make charts-test builds it)


def helm_run(tmp_path: Path, target: str, *args: str, env: dict[str, str] | None = None,
             helm_answer: str = "") -> tuple[subprocess.CompletedProcess[str], StandIns]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    s = StandIns(tmp_path, {"kubectl": KUBECTL_ANSWERS, "helm": helm_answer})
    if not (tmp_path / ".env").exists():
        env_file(tmp_path)
    r = make(ROOT, target, f"HELM={s.path('helm')}", f"KUBECTL={s.path('kubectl')}", f"ENV_FILE={tmp_path}/.env",
             f"BUILD={tmp_path}/build", "BIN=build/bin", *args, env=env)
    return r, s


def values_of(call) -> tuple[list[str], list[str]]:
    return call.option("-f"), call.option("--set")


@pytest.mark.parametrize("env", ENVS)
def test_helm_install_checks_env_makes_the_secret_installs_tests_and_waits(tmp_path: Path, env: str,
                                                                          healthz: int) -> None:
    r, s = helm_run(tmp_path, "helm-install", f"ENV={env}", f"LOCAL_PORT={healthz}", "WAIT_DEADLINE=10s")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "envcheck: 1 file checked: 0 errors" in r.stdout + r.stderr
    (install,) = [c for c in s.calls("helm") if c.argv[1] == "upgrade"]
    assert install.argv[2:5] == ["--install", "todo", "helm/todo-app"]
    assert {"--atomic", "--wait"} <= set(install.argv) and install.option("--namespace") == ["todo"]
    assert install.option("--timeout") == ["5m"]
    files, sets = values_of(install)
    assert files == [f"helm/todo-app/values-{env}.yaml"]
    assert sets == [f"image.tag={TAG}", "existingSecret=todo-env"]
    (secret,) = [d for d in applied(s) if d["kind"] == "Secret"]
    assert (secret["metadata"]["name"], secret["metadata"]["namespace"]) == ("todo-env", "todo")
    (test,) = [c for c in s.calls("helm") if c.argv[1] == "test"]
    assert test.argv[2] == "todo" and test.option("--namespace") == ["todo"]
    # order: namespace and Secret before the release, helm test and the readiness wait after it
    order = [(c.argv[0], c.argv[1], "Secret" if "kind: Secret" in c.stdin else "") for c in s.calls()]
    assert order.index(("kubectl", "apply", "Secret")) < order.index(("helm", "upgrade", "")) < \
        order.index(("helm", "test", "")) < order.index(("kubectl", "port-forward", ""))


def test_helm_upgrade_does_not_install(tmp_path: Path) -> None:
    r, s = helm_run(tmp_path, "helm-upgrade", "ENV=staging", "WAIT_HTTP=0")
    assert r.returncode == 0, r.stderr
    (upgrade,) = [c for c in s.calls("helm") if c.argv[1] == "upgrade"]
    assert "--install" not in upgrade.argv and upgrade.argv[2:4] == ["todo", "helm/todo-app"]
    assert values_of(upgrade)[0] == ["helm/todo-app/values-staging.yaml"]
    assert any(d["kind"] == "Secret" for d in applied(s))


def test_helm_upgrade_of_a_release_that_is_not_installed_fails(tmp_path: Path) -> None:
    r, _ = helm_run(tmp_path, "helm-upgrade", "WAIT_HTTP=0",
                    helm_answer='[[ $1 == upgrade ]] && { echo "Error: UPGRADE FAILED: \\"todo\\" has no deployed releases" >&2; exit 1; }; true')
    assert r.returncode != 0 and "has no deployed releases" in r.stderr


def test_knobs_namespace_release_registry_and_extra_args(tmp_path: Path) -> None:
    r, s = helm_run(tmp_path, "helm-install", "ENV=staging", "NAMESPACE=stage", "RELEASE=web",
                    "REGISTRY=ghcr.io/me/", "WAIT_HTTP=0", "HELM_ARGS=--set ingress.enabled=false")
    assert r.returncode == 0, r.stderr
    (install,) = [c for c in s.calls("helm") if c.argv[1] == "upgrade"]
    assert install.argv[3] == "web" and install.option("--namespace") == ["stage"]
    assert values_of(install)[1] == [f"image.tag={TAG}", "existingSecret=web-env", "image.registry=ghcr.io/me",
                                      "ingress.enabled=false"]
    (secret,) = [d for d in applied(s) if d["kind"] == "Secret"]
    assert (secret["metadata"]["name"], secret["metadata"]["namespace"]) == ("web-env", "stage")
    (lookup,) = [c for c in s.calls("kubectl") if c.argv[1:3] == ["get", "svc"] and "-l" in c.argv]
    assert lookup.option("-l") == ["app.kubernetes.io/instance=web,app.kubernetes.io/component=frontend"]
    assert not s.calls("helm")[1:], "WAIT_HTTP=0: no helm test"


@pytest.mark.parametrize("override", ["fullnameOverride=shop", "nameOverride=shop"])
def test_the_wait_follows_the_charts_names_whatever_they_are(tmp_path: Path, override: str, healthz: int) -> None:
    """The frontend Service is found by its labels, so a name override changes nothing in Make."""
    rendered = subprocess.run([HELM, "template", "web", "helm/todo-app", "-f", "helm/todo-app/values-dev.yaml",
                               "--set", override], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    (svc,) = [d["metadata"]["name"] for d in yaml.safe_load_all(rendered) if d and d["kind"] == "Service"
              and d["metadata"]["labels"].get("app.kubernetes.io/component") == "frontend"]
    r, s = helm_run(tmp_path, "helm-install", "RELEASE=web", f"HELM_ARGS=--set {override}",
                    f"LOCAL_PORT={healthz}", "WAIT_DEADLINE=10s", env={"FRONTEND_SVC": svc})
    assert r.returncode == 0, r.stdout + r.stderr
    (forward,) = [c for c in s.calls("kubectl") if c.argv[1] == "port-forward"]
    assert f"svc/{svc}" in forward.argv


def test_rollback_uninstall_status(tmp_path: Path) -> None:
    r, s = helm_run(tmp_path / "previous", "helm-rollback")
    assert r.returncode == 0, r.stderr
    rollback = s.calls("helm")[0]
    assert rollback.argv[1:3] == ["rollback", "todo"] and rollback.argv[3].startswith("--"), "previous revision"
    r, s = helm_run(tmp_path / "third", "helm-rollback", "REVISION=3")
    assert s.calls("helm")[0].argv[1:4] == ["rollback", "todo", "3"]
    r, s = helm_run(tmp_path / "uninstall", "helm-uninstall")
    assert r.returncode == 0, r.stderr
    assert [c.argv[1:3] for c in s.calls()] == [["uninstall", "todo"], ["delete", "pod"], ["delete", "secret"]]
    test_pod, secret = s.calls("kubectl")
    assert test_pod.option("-l") == ["app.kubernetes.io/instance=todo,app.kubernetes.io/component=test"], "the last helm test Pod"
    assert secret.argv[3] == "todo-env", "the Secret helm-install made"
    r, s = helm_run(tmp_path / "status", "helm-status")
    assert r.returncode == 0, r.stderr
    (pods,) = s.calls("kubectl")
    assert pods.argv[1:3] == ["get", "pods"] and pods.option("-l") == ["app.kubernetes.io/instance=todo"]


def test_helm_diff_compares_the_release_with_the_env_values(tmp_path: Path) -> None:
    answer = ('case "$1" in get) echo "kind: ConfigMap";; '
              'upgrade) echo \'{"manifest": "kind: ConfigMap\\nchanged: yes\\n"}\';; esac')
    r, s = helm_run(tmp_path, "helm-diff", "ENV=prod", helm_answer=answer)
    assert r.returncode == 0, r.stderr
    assert "+changed: yes" in r.stdout
    (dry,) = [c for c in s.calls("helm") if c.argv[1] == "upgrade"]
    assert "--dry-run=server" in dry.argv and values_of(dry)[0] == ["helm/todo-app/values-prod.yaml"]
    assert f"image.tag={TAG}" in values_of(dry)[1]


@pytest.mark.parametrize("env", ENVS)
def test_helm_template_renders_the_env_with_the_tag(tmp_path: Path, env: str) -> None:
    args = ["HELM_ARGS=--set externalDatabase.cidr=203.0.113.10/32"] if env == "prod" else []
    r = make(ROOT, "helm-template", f"ENV={env}", f"HELM={HELM}", f"BUILD={tmp_path}", *args)
    assert r.returncode == 0, r.stderr
    docs = [d for d in yaml.safe_load_all((tmp_path / "helm" / f"{env}.yaml").read_text()) if d]
    images = {c["image"] for d in docs if d["kind"] == "Deployment" for c in d["spec"]["template"]["spec"]["containers"]}
    assert images == {f"todo-backend:{TAG}", f"todo-frontend:{TAG}"}


def test_helm_lint_lints_every_values_file(tmp_path: Path) -> None:
    s = StandIns(tmp_path, {"helm": f'exec {HELM} "$@"'})
    r = make(ROOT, "helm-lint", f"HELM={s.path('helm')}")
    assert r.returncode == 0, r.stdout + r.stderr
    linted = [c.option("-f") for c in s.calls("helm") if c.argv[1:3] == ["lint", "--strict"]]
    assert linted == [[f"helm/todo-app/values-{e}.yaml"] for e in ENVS]


def test_deps_helm_builds_the_pinned_versions_into_the_cache(tmp_path: Path) -> None:
    s = StandIns(tmp_path, record_env=("GOBIN",))
    r = make(ROOT, "deps-helm", f"TOOLS_CACHE={tmp_path}/cache", f"GO={s.path('go')}")
    assert r.returncode == 0, r.stderr
    installs = {c.argv[-1]: c.env["GOBIN"] for c in s.calls("go")}
    assert installs == {
        "helm.sh/helm/v3/cmd/helm@v3.19.0": f"{tmp_path}/cache/helm-v3.19.0",
        "github.com/zegl/kube-score/cmd/kube-score@v1.20.0": f"{tmp_path}/cache/kube-score-v1.20.0",
        "sigs.k8s.io/kustomize/kustomize/v5@v5.7.1": f"{tmp_path}/cache/kustomize-v5.7.1",
    }
    helm_build = next(c for c in s.calls("go") if "helm.sh" in c.argv[-1])
    assert "chartutil.k8sVersionMinor=34" in helm_build.option("-ldflags")[0]


def test_deps_helm_is_registered_and_charts_test_is_a_suite() -> None:
    r = subprocess.run(["make", "--no-print-directory", "test-list"], cwd=ROOT, capture_output=True, text=True)
    assert "charts-test" in r.stdout.split()
    r = subprocess.run(["make", "--no-print-directory", "-p", "-n", "version"], cwd=ROOT, capture_output=True, text=True)
    deps = next(line for line in r.stdout.splitlines() if line.startswith("DEPS_TARGETS :="))
    assert "deps-helm" in deps.split()


def test_unknown_env_is_refused(tmp_path: Path) -> None:
    r, s = helm_run(tmp_path, "helm-install", "ENV=qa")
    assert r.returncode != 0 and "ENV='qa'" in r.stderr
    assert not s.calls()


def test_dry_run_of_every_helm_target_has_no_side_effects(tmp_path: Path) -> None:
    watched = [ROOT / "k8s", ROOT / "helm"]
    before = [snapshot(d) for d in watched]
    for target in ("helm-install", "helm-upgrade", "helm-rollback", "helm-uninstall", "helm-status",
                   "helm-diff", "helm-lint", "helm-template", "bench-checkov", "chart-docs"):
        for env in ENVS:
            make(ROOT, target, f"ENV={env}", f"BUILD={tmp_path}/build", "BIN=build/bin", dry=True)
    assert [snapshot(d) for d in watched] == before
    assert not (tmp_path / "build").exists()
