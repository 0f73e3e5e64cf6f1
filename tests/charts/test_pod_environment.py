"""The chart meets the backend's environment contract: the Secret `secretgen k8s` makes from a
.env has every key the pods reference, and the environment Kubernetes would give the backend and
migration containers (ConfigMap + env with $(VAR) expansion + Secret) passes the entrypoint's
`envcheck --environ` check. Uses the real secretgen and envcheck (`make charts-test` builds them)."""

import base64
import re
import subprocess

import kubernetes_validate
import pytest
import yaml

from chartlib import ENVCHECK, ROOT, SECRETGEN, by_kind, pod_specs, render

SCHEMA = ROOT / "env.schema.yaml"


@pytest.fixture(scope="module")
def secret(tmp_path_factory):
    env_file = tmp_path_factory.mktemp("env") / ".env"
    subprocess.run([SECRETGEN, "fill", "--schema", str(SCHEMA), "--template",
                    str(ROOT / ".env.example"), str(env_file)], check=True, capture_output=True)
    out = subprocess.run([SECRETGEN, "k8s", "--name", "todo-env", "--namespace", "todo",
                          "--schema", str(SCHEMA), str(env_file)], check=True, capture_output=True, text=True)
    return yaml.safe_load(out.stdout)


def _container_env(docs, container, secret_doc):
    """The environment kubelet would build: envFrom ConfigMaps first, then env in order with
    $(VAR) expanded from what is already defined."""
    configmaps = {c["metadata"]["name"]: c["data"] for c in by_kind(docs, "ConfigMap")}
    data = {k: base64.b64decode(v).decode() for k, v in secret_doc["data"].items()}
    env = {}
    for src in container.get("envFrom", []):
        env.update(configmaps[src["configMapRef"]["name"]])
    for e in container.get("env", []):
        if "value" in e:
            env[e["name"]] = re.sub(r"\$\((\w+)\)", lambda m: env.get(m.group(1), m.group(0)), e["value"])
        elif "secretKeyRef" in e.get("valueFrom", {}):
            ref = e["valueFrom"]["secretKeyRef"]
            if ref["key"] in data:
                env[e["name"]] = data[ref["key"]]
            else:
                assert ref.get("optional"), f"Secret lacks required key {ref['key']}"
    return env


def test_secretgen_secret_is_valid_and_has_every_key_the_pods_need(secret):
    kubernetes_validate.validate(secret, "1.34.0", strict=True)
    for env in ("dev", "prod"):
        docs = render(env, ("existingSecret=todo-env",))
        for obj, spec, _ in pod_specs(docs):
            for c in spec["containers"]:
                for e in c.get("env", []):
                    ref = e.get("valueFrom", {}).get("secretKeyRef")
                    if ref and not ref.get("optional"):
                        assert ref["key"] in secret["data"], (env, obj["metadata"]["name"], ref["key"])


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_backend_and_migration_environment_passes_envcheck_environ(env, secret):
    docs = render(env, ("existingSecret=todo-env",))
    for obj, spec, labels in pod_specs(docs):
        if labels.get("app.kubernetes.io/component") not in ("backend", "migrate"):
            continue
        environ = _container_env(docs, spec["containers"][0], secret)
        # what docker/backend/entrypoint.sh checks: everything for serve, DATABASE_URL for migrate
        migrate = labels.get("app.kubernetes.io/component") == "migrate"
        only = ["--only", "DATABASE_URL"] if migrate else []
        r = subprocess.run([ENVCHECK, "--environ", "--schema", str(SCHEMA), *only],
                           env={"PATH": "/usr/bin:/bin", **environ}, capture_output=True, text=True)
        assert r.returncode == 0, f"{obj['metadata']['name']}: {r.stdout}{r.stderr}"
        if migrate:  # least privilege: the Job gets the database and nothing secret besides
            assert not {"JWT_SECRET", "OPENAI_API_KEY"} & set(environ), sorted(environ)
        if env == "dev":
            assert re.fullmatch(r"postgresql://todo:[A-Za-z0-9_-]+@todo-todo-app-postgresql:5432/todo",
                                environ["DATABASE_URL"])
