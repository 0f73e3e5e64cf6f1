"""`make -n` of the k8s and cluster targets (and the doctor) prints the right commands for each
ENV / CLUSTER / knob and has no side effects; the cluster scripts do the right thing per
cluster, run against recording shims (no minikube, kind or cluster here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "charts"))

from chartlib import HELM, ROOT  # noqa: E402
from makecheck import TAG, calls, find, make_n, shim_path, tree_digest  # noqa: E402

ENVS = ("dev", "staging", "prod")
CLUSTERS = ("auto", "docker-desktop", "minikube", "kind")


def test_k8s_manifests_renders_with_the_pinned_helm():
    assert make_n("k8s-manifests") == [f"mk/scripts/k8s-render.sh {HELM} helm/todo-app k8s todo todo-env"]


@pytest.mark.parametrize("env", ENVS)
def test_k8s_deploy_steps_in_order(env):
    lines = make_n("k8s-deploy", f"ENV={env}")
    steps = [
        find(lines, r"^mk/scripts/env-check.sh build/bin/envcheck env.schema.yaml \.env *$"),
        find(lines, rf"^mk/scripts/k8s-overlay.sh build/k8s-overlay k8s todo {TAG} *$"),
        find(lines, r"k8s-namespace.sh todo$"),
        find(lines, r"^build/bin/secretgen k8s --name todo-env --namespace todo --schema env.schema.yaml \.env \| kubectl apply -f -$"),
        find(lines, r"^kubectl delete job todo-todo-app-migrate --namespace todo --ignore-not-found$"),
        find(lines, r"^kubectl apply -k build/k8s-overlay$"),
        find(lines, r"kubectl rollout status deployment/todo-todo-app-backend --namespace todo --timeout 5m && "
                    r"kubectl rollout status deployment/todo-todo-app-frontend"),
        find(lines, r"WAIT_HTTP=1 LOCAL_PORT=8080 WAIT_DEADLINE=120s PROBE=build/bin/probe .*"
                    r"mk/scripts/k8s-wait-http.sh todo todo-todo-app-frontend todo-todo-app-migrate$"),
    ]
    assert steps == sorted(steps)


def test_k8s_deploy_is_the_same_for_every_env():
    # k8s/ is the dev rendering; ENV only selects Helm values files.
    assert make_n("k8s-deploy", "ENV=dev") == make_n("k8s-deploy", "ENV=prod")


def test_k8s_deploy_knobs():
    lines = make_n("k8s-deploy", "NAMESPACE=demo", "REGISTRY=ghcr.io/me", "WAIT_HTTP=0")
    find(lines, rf"k8s-overlay.sh build/k8s-overlay k8s demo {TAG} ghcr.io/me$")
    find(lines, r"secretgen k8s --name todo-env --namespace demo ")
    find(lines, r"^WAIT_HTTP=0 .*k8s-wait-http.sh demo ")


@pytest.mark.parametrize("env", ENVS)
def test_k8s_delete_status_and_doctor(env):
    lines = make_n("k8s-delete", f"ENV={env}")
    assert lines[1:] == ["kubectl delete -k build/k8s-overlay --ignore-not-found --wait",
                         "kubectl delete secret todo-env --namespace todo --ignore-not-found"]
    assert make_n("k8s-status", f"ENV={env}") == ["KUBECTL=kubectl mk/scripts/k8s-status.sh todo"]
    assert make_n("doctor", f"ENV={env}") == ["KUBECTL=kubectl mk/scripts/doctor-collect.sh todo build/doctor",
                                              "mk/scripts/doctor-diagnose.sh build/doctor",
                                              "AI=auto KUBECTL_AI_ARGS='' mk/scripts/doctor-ai.sh build/doctor"]
    assert make_n("doctor", "AI=1", "KUBECTL_AI_ARGS=--llm-provider=openai")[-1] == (
        "AI=1 KUBECTL_AI_ARGS='--llm-provider=openai' mk/scripts/doctor-ai.sh build/doctor")


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_cluster_targets_pass_the_cluster_and_its_knobs(cluster):
    up = " ".join(make_n("cluster-up", f"CLUSTER={cluster}"))
    assert f"CLUSTER={cluster} " in up and "MINIKUBE_CPUS=4 MINIKUBE_MEMORY=8g" in up
    assert "KIND_CONFIG=mk/kind-config.yaml" in up and up.endswith("mk/scripts/cluster-up.sh")
    assert make_n("cluster-down", f"CLUSTER={cluster}")[0].endswith(f"CLUSTER={cluster} MINIKUBE_PROFILE=todo KIND_NAME=todo mk/scripts/cluster-down.sh")
    load = make_n("images-load", f"CLUSTER={cluster}")[0]
    assert load.endswith(f"mk/scripts/cluster-images-load.sh todo-backend:{TAG} todo-frontend:{TAG}")


def test_images_load_with_a_registry_prefixes_the_images():
    load = make_n("images-load", "REGISTRY=ghcr.io/me")[0]
    assert f"REGISTRY=ghcr.io/me mk/scripts/cluster-images-load.sh ghcr.io/me/todo-backend:{TAG} ghcr.io/me/todo-frontend:{TAG}" in load


def test_minikube_size_is_overridable():
    up = " ".join(make_n("cluster-up", "CLUSTER=minikube", "MINIKUBE_CPUS=2", "MINIKUBE_MEMORY=4g"))
    assert "MINIKUBE_CPUS=2 MINIKUBE_MEMORY=4g" in up


def test_unknown_cluster_is_refused():
    rc, err = make_n("cluster-up", "CLUSTER=k3d", check=False)
    assert rc != 0 and "CLUSTER='k3d'" in err


def test_dry_run_of_every_k8s_and_cluster_target_has_no_side_effects(tmp_path):
    before = tree_digest()
    for target in ("k8s-manifests", "k8s-deploy", "k8s-delete", "k8s-status", "doctor",
                   "cluster-up", "cluster-down", "images-load", "k8s-db-backup", "k8s-db-restore"):
        for env in ENVS:
            make_n(target, f"ENV={env}", "FILE=x.dump", build=tmp_path / "build")
    assert tree_digest() == before
    assert not (tmp_path / "build").exists()


def test_k8s_db_backup_and_restore_go_through_kubectl_exec_into_the_releases_postgresql():
    exec_prefix = "kubectl exec -i --namespace demo statefulset/todo-todo-app-postgresql -c postgresql --"
    (backup,) = make_n("k8s-db-backup", "NAMESPACE=demo")
    assert backup.startswith(f"DB_EXEC='{exec_prefix}' ") and backup.endswith("mk/scripts/stack-db.sh backup build/backups")
    restore = make_n("k8s-db-restore", "FILE=build/backups/todo-1.dump", "RELEASE=shop", "NAMESPACE=demo")[-1]
    assert "statefulset/shop-todo-app-postgresql" in restore
    assert restore.endswith("mk/scripts/stack-db.sh restore build/backups/todo-1.dump")


def test_k8s_db_restore_without_a_file_says_which(tmp_path):
    r = subprocess.run(["make", "--no-print-directory", "k8s-db-restore", f"BUILD={tmp_path}"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 2 and "make k8s-db-restore FILE=" in r.stderr


def test_k8s_db_backup_script_dumps_through_kubectl_exec_and_restore_sends_it_back(tmp_path):
    """stack-db.sh with the k8s DB_EXEC, against a recording kubectl whose `exec` plays pg_dump
    (prints a custom-format header) and pg_restore (reads stdin)."""
    outputs = {"kubectl": 'case "$*" in *pg_dump*) printf "PGDMP fake";; *pg_restore*) cat > "$(dirname "$0")/../restored";; esac'}
    exec_prefix = "kubectl exec -i --namespace todo statefulset/todo-todo-app-postgresql -c postgresql --"
    env = {"DB_EXEC": exec_prefix, "DB_HINT": "is the release installed? make k8s-status"}
    r = _run("stack-db.sh", tmp_path, env, "backup", str(tmp_path / "backups"), shims=("kubectl",), outputs=outputs)
    assert r.returncode == 0, r.stderr
    (dump,) = (tmp_path / "backups").glob("todo-*.dump")
    assert dump.read_text() == "PGDMP fake"
    assert calls(tmp_path)[0].startswith(f"kubectl {exec_prefix.removeprefix('kubectl ')} sh -c exec pg_dump --format=custom")
    r = _run("stack-db.sh", tmp_path, env, "restore", str(dump), shims=("kubectl",), outputs=outputs)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "restored").read_text() == "PGDMP fake"
    failing = {"kubectl": 'echo "error: statefulsets.apps \\"todo-todo-app-postgresql\\" not found" >&2; exit 1'}
    r = _run("stack-db.sh", tmp_path, env, "backup", str(tmp_path / "b2"), shims=("kubectl",), outputs=failing)
    assert r.returncode == 1 and "is the release installed? make k8s-status" in r.stderr
    assert not list((tmp_path / "b2").glob("*")), "a failed dump left a file"


# --- the scripts behind the targets, against recording shims ----------------------------------

def _run(script, tmp_path, env_extra, *args, shims=(), outputs=None):
    env = shim_path(tmp_path, *shims, outputs=outputs)
    env.update(env_extra)
    return subprocess.run([str(ROOT / "mk/scripts" / script), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def test_cluster_up_minikube_starts_a_sized_profile(tmp_path):
    r = _run("cluster-up.sh", tmp_path, {"CLUSTER": "minikube", "MINIKUBE_CPUS": "4", "MINIKUBE_MEMORY": "8g"},
             shims=("minikube", "kubectl"))
    assert r.returncode == 0, r.stderr
    assert calls(tmp_path) == ["minikube start -p todo --cpus 4 --memory 8g --addons ingress --addons metrics-server"]
    assert "minikube profile todo is up" in r.stdout


def test_cluster_up_kind_creates_with_the_config_or_reuses(tmp_path):
    r = _run("cluster-up.sh", tmp_path, {"CLUSTER": "kind"}, shims=("kind", "kubectl"))
    assert r.returncode == 0, r.stderr
    assert calls(tmp_path)[-1] == "kind create cluster --name todo --config mk/kind-config.yaml --wait 120s"
    (tmp_path / "calls").unlink()
    r = _run("cluster-up.sh", tmp_path, {"CLUSTER": "kind"}, shims=("kind", "kubectl"),
             outputs={"kind": '[[ $1 == get ]] && echo todo'})
    assert "reusing" in r.stdout and "kubectl config use-context kind-todo" in calls(tmp_path)


@pytest.mark.parametrize("context,detected", [("docker-desktop", "docker-desktop"), ("minikube", "minikube"),
                                              ("kind-todo", "kind")])
def test_cluster_auto_detects_the_current_context(tmp_path, context, detected):
    r = _run("cluster-images-load.sh", tmp_path, {"CLUSTER": "auto"}, "todo-backend:1", "todo-frontend:1",
             shims=("kubectl", "minikube", "kind"),
             outputs={"kubectl": f'[[ "$*" == "config current-context" ]] && echo {context}'})
    assert r.returncode == 0, r.stderr
    assert f"detected {detected}" in r.stderr
    made = [c for c in calls(tmp_path) if not c.startswith("kubectl")]
    expected = {"docker-desktop": [],
                "minikube": ["minikube -p todo image load todo-backend:1", "minikube -p todo image load todo-frontend:1"],
                "kind": ["kind load docker-image --name todo todo-backend:1 todo-frontend:1"]}[detected]
    assert made == expected


def test_cluster_auto_refuses_an_unknown_context(tmp_path):
    r = _run("cluster-up.sh", tmp_path, {"CLUSTER": "auto"}, shims=("kubectl",),
             outputs={"kubectl": 'echo gke_prod_cluster'})
    assert r.returncode != 0 and "use CLUSTER=minikube or CLUSTER=kind" in r.stderr


def test_images_load_pushes_with_a_registry_and_refuses_latest(tmp_path):
    r = _run("cluster-images-load.sh", tmp_path, {"REGISTRY": "ghcr.io/me", "CLUSTER": "kind"},
             "ghcr.io/me/todo-backend:1", shims=("docker", "kind", "kubectl"))
    assert r.returncode == 0 and calls(tmp_path) == ["docker push ghcr.io/me/todo-backend:1"]
    r = _run("cluster-images-load.sh", tmp_path, {"CLUSTER": "kind"}, "todo-backend:latest", shims=("kind",))
    assert r.returncode == 2 and "never latest" in r.stderr


def test_cluster_down_never_deletes_docker_desktop(tmp_path):
    r = _run("cluster-down.sh", tmp_path, {"CLUSTER": "docker-desktop"}, shims=("kubectl", "minikube", "kind"))
    assert r.returncode == 0 and "left running" in r.stdout
    assert not [c for c in calls(tmp_path) if not c.startswith("kubectl")]


def test_wait_http_zero_skips_the_container_waits_but_prints_the_urls(tmp_path):
    r = _run("k8s-wait-http.sh", tmp_path, {"WAIT_HTTP": "0", "PROBE": "/nonexistent"},
             "todo", "todo-todo-app-frontend", "todo-todo-app-migrate", shims=("kubectl",),
             outputs={"kubectl": 'case "$*" in *"{.spec.type}"*) echo NodePort;; *nodePort*) echo 30080;; esac'})
    assert r.returncode == 0, r.stderr
    assert "WAIT_HTTP=0: skipping" in r.stdout and "http://localhost:30080/" in r.stdout
    assert not any("wait" in c or "port-forward" in c for c in calls(tmp_path))


def test_wait_http_waits_for_the_job_then_probes_through_a_port_forward(tmp_path):
    probe = tmp_path / "probe"
    # Like the real probe, it succeeds once the port-forward is up (here: once it has started).
    probe.write_text("#!/bin/bash\n"
                     f'for i in $(seq 100); do grep -q port-forward "{tmp_path}/calls" && break; sleep 0.1; done\n'
                     f'echo "probe $*" >> "{tmp_path}/calls"\n')
    probe.chmod(0o755)
    r = _run("k8s-wait-http.sh", tmp_path, {"PROBE": str(probe), "LOCAL_PORT": "18080", "WAIT_DEADLINE": "30s"},
             "todo", "todo-todo-app-frontend", "todo-todo-app-migrate", shims=("kubectl",),
             outputs={"kubectl": '[[ $1 == port-forward ]] && exec sleep 30; true'})
    assert r.returncode == 0, r.stderr
    made = calls(tmp_path)
    assert "kubectl wait --for=condition=complete job/todo-todo-app-migrate -n todo --timeout=300s" in made
    assert "kubectl port-forward -n todo svc/todo-todo-app-frontend 18080:http --address 127.0.0.1" in made
    assert "probe wait http://127.0.0.1:18080/api/healthz --deadline 30s" in made


def test_namespace_script_labels_restricted(tmp_path):
    r = _run("k8s-namespace.sh", tmp_path, {}, "demo", shims=("kubectl",))
    assert r.returncode == 0, r.stderr
    label = next(c for c in calls(tmp_path) if c.startswith("kubectl label"))
    assert "pod-security.kubernetes.io/enforce=restricted" in label and "namespace demo" in label
