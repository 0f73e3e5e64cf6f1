"""The k8s and cluster targets, run for real against recording stand-ins for kubectl, minikube,
kind and docker (no cluster here): what reaches the cluster (the Secret made from .env, the
overlay with TAG, REGISTRY and NAMESPACE), in which order, which objects are waited for (found by
the chart's labels, never by a name computed in Make), and that a dry run does nothing. The real
control plane runs the same targets in cluster-test."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
import yaml
from makerun import BIN, KUBECTL_ANSWERS, ROOT, TAG, StandIns, applied, env_file, make, snapshot

ENVS = ("dev", "staging", "prod")
CLUSTERS = ("auto", "docker-desktop", "minikube", "kind")
SELECTOR = "app.kubernetes.io/instance=todo"


def deploy(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
           target: str = "k8s-deploy") -> tuple[subprocess.CompletedProcess[str], StandIns]:
    """make TARGET in the checkout with its own .env and build/, kubectl a recording stand-in."""
    s = StandIns(tmp_path, {"kubectl": KUBECTL_ANSWERS})
    if not (tmp_path / ".env").exists():
        env_file(tmp_path)
    r = make(ROOT, target, f"KUBECTL={s.path('kubectl')}", f"ENV_FILE={tmp_path}/.env",
             f"BUILD={tmp_path}/build", "BIN=build/bin", *args, env=env)
    return r, s


@pytest.mark.parametrize("env", ENVS)
def test_k8s_deploy_applies_the_secret_then_the_overlay_then_waits(tmp_path: Path, env: str, healthz: int) -> None:
    r, s = deploy(tmp_path, f"ENV={env}", f"LOCAL_PORT={healthz}", "WAIT_DEADLINE=10s",
                  env={"FRONTEND_SVC": "todo-todo-app-frontend", "MIGRATE_JOB": "todo-todo-app-migrate"})
    assert r.returncode == 0, r.stdout + r.stderr
    lines = [c.line for c in s.calls("kubectl")]
    secret_apply = next(i for i, c in enumerate(s.calls("kubectl")) if "kind: Secret" in c.stdin)
    step = {"secret": secret_apply} | {name: next(i for i, line in enumerate(lines) if pattern in line) for name, pattern in {
        "old job": "delete job",
        "apply": "apply -k",
        "rollout": "rollout status",
        "job wait": "wait --for=condition=complete",
        "forward": "port-forward",
    }.items()}
    namespace = next(i for i, line in enumerate(lines) if "label namespace todo" in line)
    assert namespace < step["secret"] and list(step.values()) == sorted(step.values()), step
    (secret,) = [d for d in applied(s) if d["kind"] == "Secret"]
    assert (secret["metadata"]["name"], secret["metadata"]["namespace"]) == ("todo-env", "todo")
    dotenv = (tmp_path / ".env").read_text()
    jwt = base64.b64decode(secret["data"]["JWT_SECRET"]).decode()
    assert f"JWT_SECRET={jwt}\n" in dotenv, "the Secret carries .env's JWT_SECRET"
    assert jwt not in r.stdout + r.stderr, "no secret value is printed"
    # the old migration Job and the deployments are found by the chart's labels
    delete_job = lines[step["old job"]]
    assert f"-l {SELECTOR},app.kubernetes.io/component=migrate" in delete_job and "--namespace todo" in delete_job
    assert f"-l {SELECTOR}" in lines[step["rollout"]] and "deployment" in lines[step["rollout"]]
    assert "svc/todo-todo-app-frontend" in lines[step["forward"]]
    assert "http://localhost:30080/" in r.stdout


def test_k8s_deploy_overlay_carries_tag_registry_and_namespace(tmp_path: Path) -> None:
    r, s = deploy(tmp_path, "NAMESPACE=demo", "REGISTRY=ghcr.io/me/", "WAIT_HTTP=0")
    assert r.returncode == 0, r.stdout + r.stderr
    (apply_k,) = [c for c in s.calls("kubectl") if c.argv[1:3] == ["apply", "-k"]]
    kust = yaml.safe_load((Path(apply_k.argv[3]) / "kustomization.yaml").read_text())
    assert kust["namespace"] == "demo"
    assert {i["name"]: (i["newName"], i["newTag"]) for i in kust["images"]} == {
        "todo-backend": ("ghcr.io/me/todo-backend", TAG), "todo-frontend": ("ghcr.io/me/todo-frontend", TAG)}
    (secret,) = [d for d in applied(s) if d["kind"] == "Secret"]
    assert secret["metadata"]["namespace"] == "demo"
    namespaced = [c for c in s.calls("kubectl") if "-n" in c.argv or "--namespace" in c.argv]
    assert namespaced and all("demo" in (c.option("-n") + c.option("--namespace")) for c in namespaced)
    assert not [c for c in s.calls("kubectl") if c.argv[1] in ("wait", "port-forward")], "WAIT_HTTP=0"


def test_k8s_deploy_is_the_same_for_every_env(tmp_path: Path) -> None:
    # k8s/ is the dev rendering; ENV only selects Helm values files.
    seen = []
    for env in ("dev", "prod"):
        (tmp_path / env).mkdir()
        r, s = deploy(tmp_path / env, f"ENV={env}", "WAIT_HTTP=0")
        assert r.returncode == 0, r.stderr
        seen.append([c.line.replace(str(tmp_path / env), "T") for c in s.calls("kubectl") if c.argv[1] != "apply"])
    assert seen[0] == seen[1]


def test_an_invalid_env_stops_k8s_deploy_before_the_cluster(tmp_path: Path) -> None:
    env_file(tmp_path, jwt_secret="short")
    r, s = deploy(tmp_path, "WAIT_HTTP=0")
    assert r.returncode != 0 and "JWT_SECRET" in r.stdout + r.stderr
    assert not s.calls("kubectl")


def test_k8s_delete_removes_what_deploy_applied_and_its_secret(tmp_path: Path) -> None:
    r, s = deploy(tmp_path, "NAMESPACE=demo", target="k8s-delete")
    assert r.returncode == 0, r.stderr
    lines = [c.argv[1:] for c in s.calls("kubectl")]
    assert lines[0][:2] == ["delete", "-k"] and {"--ignore-not-found", "--wait"} <= set(lines[0])
    kust = yaml.safe_load((Path(lines[0][2]) / "kustomization.yaml").read_text())
    assert kust["namespace"] == "demo"
    assert lines[1] == ["delete", "secret", "todo-env", "--namespace", "demo", "--ignore-not-found"]
    assert not [x for x in lines if "namespace" in x[:2] or "pvc" in " ".join(x)], "keeps the namespace and PVC"


def test_k8s_status_and_doctor_look_only_at_the_namespace(tmp_path: Path) -> None:
    for target in ("k8s-status", "doctor"):
        (tmp_path / target).mkdir()
        r, s = deploy(tmp_path / target, "NAMESPACE=demo", f"DOCTOR_DIR={tmp_path}/collected", target=target)
        assert r.returncode == 0, r.stdout + r.stderr
        calls = s.calls("kubectl")
        assert calls and all(c.argv[1] == "get" for c in calls), [c.line for c in calls]
        assert all("demo" in c.argv for c in calls), [c.line for c in calls]


@pytest.mark.parametrize("cluster", ["minikube", "kind"])
def test_cluster_up_and_down_create_and_delete_a_sized_local_cluster(tmp_path: Path, cluster: str) -> None:
    s = StandIns(tmp_path)
    path = s.on_path("minikube", "kind", "kubectl")
    r = make(ROOT, "cluster-up", f"CLUSTER={cluster}", "MINIKUBE_CPUS=2", "MINIKUBE_MEMORY=4g", env=path)
    assert r.returncode == 0, r.stderr
    r = make(ROOT, "cluster-down", f"CLUSTER={cluster}", env=path)
    assert r.returncode == 0, r.stderr
    made = [c.line for c in s.calls(cluster)]
    if cluster == "minikube":
        start = next(c for c in s.calls("minikube") if c.argv[1] == "start")
        assert start.option("-p") == ["todo"] and start.option("--cpus") == ["2"] and start.option("--memory") == ["4g"]
        assert any(line.startswith("minikube delete -p todo") for line in made), made
    else:
        create = next(c for c in s.calls("kind") if c.argv[1:3] == ["create", "cluster"])
        assert create.option("--name") == ["todo"] and create.option("--config") == ["mk/kind-config.yaml"]
        assert any(line.startswith("kind delete cluster --name todo") for line in made), made


@pytest.mark.parametrize("cluster", ["minikube", "kind"])
def test_images_load_loads_the_tag_images_into_the_cluster(tmp_path: Path, cluster: str) -> None:
    s = StandIns(tmp_path)
    r = make(ROOT, "images-load", f"CLUSTER={cluster}", env=s.on_path("minikube", "kind", "kubectl", "docker"))
    assert r.returncode == 0, r.stderr
    images = {f"todo-backend:{TAG}", f"todo-frontend:{TAG}"}
    loaded = {a for c in s.calls(cluster) for a in c.argv if ":" in a}
    assert loaded == images and not s.calls("docker")


def test_unknown_cluster_is_refused(tmp_path: Path) -> None:
    s = StandIns(tmp_path)
    r = make(ROOT, "cluster-up", "CLUSTER=k3d", env=s.on_path("minikube", "kind", "kubectl"))
    assert r.returncode != 0 and "CLUSTER='k3d'" in r.stderr
    assert not s.calls()


def test_dry_run_of_every_k8s_and_cluster_target_has_no_side_effects(tmp_path: Path) -> None:
    watched = [ROOT / "k8s", ROOT / "helm"]
    before = [snapshot(d) for d in watched]
    for target in ("k8s-manifests", "k8s-deploy", "k8s-delete", "k8s-status", "doctor",
                   "cluster-up", "cluster-down", "images-load", "k8s-db-backup", "k8s-db-restore"):
        for env in ENVS:
            make(ROOT, target, f"ENV={env}", "FILE=x.dump", f"BUILD={tmp_path}/build", "BIN=build/bin", dry=True)
    assert [snapshot(d) for d in watched] == before
    assert not (tmp_path / "build").exists()


# --- k8s-db-backup / k8s-db-restore: stack-db.sh through kubectl exec into the release's PostgreSQL ---

DB_KUBECTL = """
case "$*" in
  *"get pod"*"component=postgresql"*) echo "${DB_POD:-}" ;;
  *"exec -i"*pg_dump*) printf 'PGDMP fake dump' ;;
  *"exec -i"*pg_restore*) cat > /dev/null ;;
esac
"""


def db_target(tmp_path: Path, *args: str, pod: str = "pod/todo-todo-app-postgresql-0"
              ) -> tuple[subprocess.CompletedProcess[str], StandIns]:
    s = StandIns(tmp_path, {"kubectl": DB_KUBECTL})
    r = make(ROOT, *args, f"KUBECTL={s.path('kubectl')}", f"BACKUP_DIR={tmp_path}/backups", env={"DB_POD": pod})
    return r, s


def test_k8s_db_backup_dumps_the_releases_postgresql_found_by_its_labels(tmp_path: Path) -> None:
    r, s = db_target(tmp_path, "k8s-db-backup", "NAMESPACE=demo", "RELEASE=shop")
    assert r.returncode == 0, r.stderr
    (dump,) = (tmp_path / "backups").glob("todo-*.dump")
    assert dump.read_text() == "PGDMP fake dump" and f"db-backup: {dump}" in r.stdout
    get, exec_ = s.calls("kubectl")
    assert get.argv[1:3] == ["get", "pod"] and get.option("--namespace") == ["demo"]
    assert get.option("-l") == ["app.kubernetes.io/instance=shop,app.kubernetes.io/component=postgresql"]
    assert exec_.argv[1:8] == ["exec", "-i", "--namespace", "demo", "pod/todo-todo-app-postgresql-0", "-c", "postgresql"]
    assert "pg_dump --format=custom" in exec_.line


def test_k8s_db_restore_sends_the_dump_to_pg_restore(tmp_path: Path) -> None:
    dump = tmp_path / "todo-1.dump"
    dump.write_bytes(b"PGDMP a dump")
    r, s = db_target(tmp_path, "k8s-db-restore", f"FILE={dump}")
    assert r.returncode == 0, r.stderr
    (exec_,) = [c for c in s.calls("kubectl") if c.argv[1] == "exec"]
    assert "pg_restore --clean --if-exists" in exec_.line and exec_.stdin == "PGDMP a dump"
    assert f"db-restore: {dump} restored" in r.stdout


def test_k8s_db_targets_say_what_is_wrong(tmp_path: Path) -> None:
    r, s = db_target(tmp_path, "k8s-db-backup", "NAMESPACE=demo", pod="")
    assert r.returncode != 0 and not list((tmp_path / "backups").glob("*"))
    assert "no running PostgreSQL pod with labels app.kubernetes.io/instance=todo in namespace demo" in r.stderr
    assert "is the release installed in namespace demo with the bundled PostgreSQL? make k8s-status" in r.stderr
    r, _ = db_target(tmp_path, "k8s-db-restore")
    assert r.returncode == 2 and "make k8s-db-restore FILE=" in r.stderr


def test_doctor_asks_kubectl_ai_only_as_the_ai_knob_says(tmp_path: Path) -> None:
    r, _ = deploy(tmp_path, "AI=1", f"DOCTOR_DIR={tmp_path}/collected", target="doctor",
                  env={"PATH": "/usr/bin:/bin"})
    assert r.returncode != 0 and "AI=1 asks kubectl-ai, which is not on PATH" in r.stderr


# --- the scripts behind the targets, against the same stand-ins ---------------------------------

def _run(script: str, tmp_path: Path, env_extra: dict[str, str], *args: str, shims: tuple[str, ...] = (),
         answers: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], StandIns]:
    s = StandIns(tmp_path, answers)
    env = {"PATH": s.on_path(*shims)["PATH"], "HOME": str(tmp_path), **env_extra}
    r = subprocess.run([str(ROOT / "mk/scripts" / script), *args], cwd=ROOT, env=env,
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return r, s


def test_cluster_up_kind_reuses_an_existing_cluster(tmp_path: Path) -> None:
    r, s = _run("cluster-up.sh", tmp_path, {"CLUSTER": "kind"}, shims=("kind", "kubectl"),
                answers={"kind": '[[ $1 == get ]] && echo todo'})
    assert "reusing" in r.stdout and "kubectl config use-context kind-todo" in [c.line for c in s.calls()]
    assert not [c for c in s.calls("kind") if c.argv[1] == "create"]


@pytest.mark.parametrize("context,detected", [("docker-desktop", "docker-desktop"), ("minikube", "minikube"),
                                              ("kind-todo", "kind")])
def test_cluster_auto_detects_the_current_context(tmp_path: Path, context: str, detected: str) -> None:
    r, s = _run("cluster-images-load.sh", tmp_path, {"CLUSTER": "auto"}, "todo-backend:1", "todo-frontend:1",
                shims=("kubectl", "minikube", "kind"),
                answers={"kubectl": f'[[ "$*" == "config current-context" ]] && echo {context}'})
    assert r.returncode == 0, r.stderr
    assert f"detected {detected}" in r.stderr
    made = [c.line for c in s.calls() if c.argv[0] != "kubectl"]
    expected = {"docker-desktop": [],
                "minikube": ["minikube -p todo image load todo-backend:1", "minikube -p todo image load todo-frontend:1"],
                "kind": ["kind load docker-image --name todo todo-backend:1 todo-frontend:1"]}[detected]
    assert made == expected


def test_cluster_auto_refuses_an_unknown_context(tmp_path: Path) -> None:
    r, _ = _run("cluster-up.sh", tmp_path, {"CLUSTER": "auto"}, shims=("kubectl",),
                answers={"kubectl": 'echo gke_prod_cluster'})
    assert r.returncode != 0 and "use CLUSTER=minikube or CLUSTER=kind" in r.stderr


def test_images_load_refuses_latest(tmp_path: Path) -> None:
    r, s = _run("cluster-images-load.sh", tmp_path, {"CLUSTER": "kind"}, "todo-backend:latest", shims=("kind",))
    assert r.returncode == 2 and "never latest" in r.stderr and not s.calls()


def test_cluster_down_never_deletes_docker_desktop(tmp_path: Path) -> None:
    r, s = _run("cluster-down.sh", tmp_path, {"CLUSTER": "docker-desktop"}, shims=("kubectl", "minikube", "kind"))
    assert r.returncode == 0 and "left running" in r.stdout
    assert not [c for c in s.calls() if c.argv[0] != "kubectl"]


def test_wait_http_zero_skips_the_container_waits_but_prints_the_urls(tmp_path: Path) -> None:
    r, s = _run("k8s-wait-http.sh", tmp_path, {"WAIT_HTTP": "0", "PROBE": "/nonexistent"}, "todo", SELECTOR,
                shims=("kubectl",), answers={"kubectl": KUBECTL_ANSWERS})
    assert r.returncode == 0, r.stderr
    assert "WAIT_HTTP=0: skipping" in r.stdout and "http://localhost:30080/" in r.stdout
    assert not [c for c in s.calls() if c.argv[1] in ("wait", "port-forward")]


def test_wait_http_fails_when_no_frontend_service_has_the_labels(tmp_path: Path) -> None:
    r, _ = _run("k8s-wait-http.sh", tmp_path, {"FRONTEND_SVC": " "}, "todo", SELECTOR, shims=("kubectl",),
                answers={"kubectl": KUBECTL_ANSWERS})
    assert r.returncode == 1 and f"no frontend Service labelled {SELECTOR}" in r.stderr


def test_wait_http_says_what_to_do_when_the_frontend_never_answers(tmp_path: Path) -> None:
    r, _ = _run("k8s-wait-http.sh", tmp_path, {"PROBE": str(BIN / "probe"), "LOCAL_PORT": "9", "WAIT_DEADLINE": "1s"},
                "todo", SELECTOR, shims=("kubectl",), answers={"kubectl": KUBECTL_ANSWERS})
    assert r.returncode == 1
    assert "did not become ready within 1s" in r.stderr and "make doctor NAMESPACE=todo" in r.stderr


def test_namespace_script_labels_restricted(tmp_path: Path) -> None:
    r, s = _run("k8s-namespace.sh", tmp_path, {}, "demo", shims=("kubectl",))
    assert r.returncode == 0, r.stderr
    label = next(c for c in s.calls() if c.argv[1] == "label")
    assert "pod-security.kubernetes.io/enforce=restricted" in label.argv and label.argv[2:4] == ["namespace", "demo"]
