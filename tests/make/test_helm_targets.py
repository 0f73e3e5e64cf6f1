"""`make -n` of the helm targets prints the right helm/kubectl/tool commands for each ENV and
knob, in the right order, and has no side effects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "charts"))

from chartlib import HELM, ROOT  # noqa: E402
from makecheck import TAG, find, make_n, tree_digest  # noqa: E402

ENVS = ("dev", "staging", "prod")
VALUES = "helm/todo-app/values-{}.yaml"


@pytest.mark.parametrize("env", ENVS)
def test_helm_install_runs_envcheck_secret_upgrade_install_test_and_wait(env):
    lines = make_n("helm-install", f"ENV={env}")
    check = find(lines, r"^mk/scripts/env-check.sh build/bin/envcheck env.schema.yaml \.env *$")
    ns = find(lines, r"mk/scripts/k8s-namespace.sh todo$")
    secret = find(lines, r"^build/bin/secretgen k8s --name todo-env --namespace todo --schema env.schema.yaml \.env \| kubectl apply -f -$")
    up = find(lines, rf"^{HELM} upgrade --install todo helm/todo-app --namespace todo --atomic --wait --timeout 5m "
                     rf"-f {VALUES.format(env)} --set image.tag={TAG} --set existingSecret=todo-env$")
    verify = find(lines, r"WAIT_HTTP=1 .*mk/scripts/helm-verify.sh todo todo todo-todo-app-frontend$")
    assert check < ns < secret < up < verify


@pytest.mark.parametrize("env", ENVS)
def test_helm_upgrade_does_not_install(env):
    lines = make_n("helm-upgrade", f"ENV={env}")
    line = lines[find(lines, rf"{HELM} upgrade ")]
    assert "--install" not in line and f"-f {VALUES.format(env)}" in line and "--atomic --wait" in line
    find(lines, r"secretgen k8s --name todo-env")


@pytest.mark.parametrize("env", ENVS)
def test_helm_diff_and_template_use_the_env_values(env):
    lines = make_n("helm-diff", f"ENV={env}")
    find(lines, rf"HELM={HELM} mk/scripts/helm-diff.sh todo todo helm/todo-app {VALUES.format(env)} "
                rf"--set image.tag={TAG} --set existingSecret=todo-env$")
    lines = make_n("helm-template", f"ENV={env}")
    find(lines, rf"{HELM} template todo helm/todo-app --namespace todo -f {VALUES.format(env)} .* > build/helm/{env}.yaml")


def test_knobs_namespace_release_registry_and_wait_http():
    lines = make_n("helm-install", "ENV=staging", "NAMESPACE=stage", "RELEASE=web",
                   "REGISTRY=ghcr.io/me", "WAIT_HTTP=0", "LOCAL_PORT=9090")
    find(lines, r"secretgen k8s --name web-env --namespace stage ")
    find(lines, r"upgrade --install web helm/todo-app --namespace stage .*--set existingSecret=web-env "
                r"--set image.registry=ghcr.io/me$")
    find(lines, r"WAIT_HTTP=0 LOCAL_PORT=9090 .*helm-verify.sh web stage web-todo-app-frontend$")


def test_release_containing_the_chart_name_keeps_its_name():
    find(make_n("helm-install", "RELEASE=todo-app"), r"helm-verify.sh todo-app todo todo-app-frontend$")


@pytest.mark.parametrize("env", ENVS)
def test_rollback_uninstall_status(env):
    assert make_n("helm-rollback", f"ENV={env}")[0] == f"{HELM} rollback todo  --namespace todo --wait --timeout 5m"
    find(make_n("helm-rollback", "REVISION=3", f"ENV={env}"), rf"^{HELM} rollback todo 3 --namespace todo --wait")
    lines = make_n("helm-uninstall", f"ENV={env}")
    # helm uninstall leaves hook resources; the helm test Pod is kept for `helm test --logs`
    assert lines == [f"{HELM} uninstall todo --namespace todo --wait --ignore-not-found",
                     "kubectl delete pod --namespace todo -l app.kubernetes.io/instance=todo,"
                     "app.kubernetes.io/component=test --ignore-not-found --wait",
                     "kubectl delete secret todo-env --namespace todo --ignore-not-found"]
    lines = make_n("helm-status", f"ENV={env}")
    find(lines, rf"^{HELM} status todo --namespace todo$")
    find(lines, r"^kubectl get pods --namespace todo -l app.kubernetes.io/instance=todo -o wide$")


def test_helm_lint_covers_every_values_file():
    line = " ".join(make_n("helm-lint"))
    for env in ENVS:
        assert VALUES.format(env) in line
    assert "lint --strict" in line


def test_deps_helm_builds_the_pinned_versions_into_the_cache(tmp_path):
    lines = make_n("deps-helm", f"TOOLS_CACHE={tmp_path}", f"HELM={tmp_path}/helm-v3.19.0/helm",
                   f"KUBE_SCORE={tmp_path}/kube-score-v1.20.0/kube-score")
    find(lines, rf"GOBIN={tmp_path}/helm-v3.19.0 go install .*helm.sh/helm/v3/cmd/helm@v3.19.0$")
    find(lines, r"chartutil.k8sVersionMinor=34")
    find(lines, rf"GOBIN={tmp_path}/kube-score-v1.20.0 go install .*kube-score/cmd/kube-score@v1.20.0$")
    assert not any(tmp_path.iterdir())


def test_deps_helm_is_registered_and_charts_test_is_a_suite():
    r = subprocess.run(["make", "--no-print-directory", "test-list"], cwd=ROOT, capture_output=True, text=True)
    assert "charts-test" in r.stdout.split()
    r = subprocess.run(["make", "--no-print-directory", "-p", "-n", "version"], cwd=ROOT, capture_output=True, text=True)
    deps = next(line for line in r.stdout.splitlines() if line.startswith("DEPS_TARGETS :="))
    assert "deps-helm" in deps.split()


def test_unknown_env_is_refused():
    rc, err = make_n("helm-install", "ENV=qa", check=False)
    assert rc != 0 and "ENV='qa'" in err


def test_dry_run_of_every_helm_target_has_no_side_effects(tmp_path):
    before = tree_digest()
    for target in ("helm-install", "helm-upgrade", "helm-rollback", "helm-uninstall", "helm-status",
                   "helm-diff", "helm-lint", "helm-template", "helm-checkov"):
        for env in ENVS:
            make_n(target, f"ENV={env}", build=tmp_path / "build")
    assert tree_digest() == before
    assert not (tmp_path / "build").exists()
