"""Every rendering (each values file and each edge case) is valid Kubernetes (OpenAPI schemas,
strict), lints clean with kubelint and kube-score, and keeps the security baseline."""

import json
import subprocess

import kubernetes_validate
import pytest

from chartlib import EDGE_CASES, KUBE_SCORE, KUBELINT, pod_specs, render_case, \
    render_text

CASES = sorted(EDGE_CASES)
# The Prometheus Operator's kinds (metrics.serviceMonitor, metrics.prometheusRule).
CRD_API_VERSIONS = {"monitoring.coreos.com/v1"}
# Validated against the oldest and newest Kubernetes minor the chart targets.
K8S_VERSIONS = ("1.30.0", "1.34.0")

# kube-score checks ignored everywhere, and why:
#   container-image-pull-policy: images are loaded into local clusters (minikube/kind load) and
#     tags are immutable (VERSION-sha), so IfNotPresent is right; Always would break `images-load`.
KUBE_SCORE_IGNORED = ["container-image-pull-policy"]
# ...and only for single-replica dev-style renderings (one replica and a NodePort are the point):
KUBE_SCORE_IGNORED_DEV = ["deployment-replicas", "service-type"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_rendering_validates_against_kubernetes_openapi_strict(case, version):
    errors = []
    for doc in render_case(case):
        if doc["apiVersion"] in CRD_API_VERSIONS:
            continue  # not in the Kubernetes schemas: test_chart_metrics.py checks them (and promtool their PromQL)
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {exc.message} at {list(exc.path)}")
    assert not errors, "\n".join(errors)


def test_strict_validation_catches_an_unknown_field():
    doc = next(d for d in render_case("dev") if d["kind"] == "Deployment")
    doc["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, "1.34.0", strict=True)


@pytest.mark.parametrize("case", CASES)
def test_kube_score_finds_nothing(case):
    env, sets = EDGE_CASES[case]
    ignored = KUBE_SCORE_IGNORED + (KUBE_SCORE_IGNORED_DEV if env == "dev" else [])
    args = [KUBE_SCORE, "score", "--output-format", "ci"]
    for test in ignored:
        args += ["--ignore-test", test]
    r = subprocess.run(args + ["-"], input=render_text(env, tuple(sets)), capture_output=True, text=True)
    bad = [line for line in r.stdout.splitlines() if line.startswith(("[CRITICAL]", "[WARNING]"))]
    assert not bad, "\n".join(bad)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("case", CASES)
def test_kubelint_strict_finds_nothing(case):
    env, sets = EDGE_CASES[case]
    r = subprocess.run([KUBELINT, "--strict", "-"], input=render_text(env, tuple(sets)),
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("case", CASES)
def test_every_pod_meets_the_restricted_pod_security_standard(case):
    for obj, spec, _ in pod_specs(render_case(case)):
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        psc = spec.get("securityContext", {})
        assert psc.get("runAsNonRoot") is True, where
        assert psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", where
        assert spec.get("automountServiceAccountToken") is False, where
        assert not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC"), where
        for vol in spec.get("volumes", []):
            assert set(vol) - {"name"} <= {"emptyDir", "configMap", "secret", "persistentVolumeClaim",
                                          "projected", "downwardAPI", "ephemeral"}, (where, vol)
        mounts_tmp = False
        for c in spec.get("initContainers", []) + spec["containers"]:
            sc = c.get("securityContext", {})
            w = f"{where} container {c['name']}"
            assert sc.get("allowPrivilegeEscalation") is False, w
            assert sc.get("readOnlyRootFilesystem") is True, w
            assert sc.get("runAsNonRoot") is True, w
            assert sc.get("capabilities", {}).get("drop") == ["ALL"], w
            assert not sc.get("capabilities", {}).get("add"), w
            assert sc.get("seccompProfile", {}).get("type") == "RuntimeDefault", w
            for k in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(c.get("resources", {}).get(k, {})), (w, k)
            assert ":" in c["image"] and not c["image"].endswith(":latest"), (w, c["image"])
            mounts_tmp |= any(m["mountPath"] == "/tmp" for m in c.get("volumeMounts", []))
        assert mounts_tmp, f"{where}: no writable /tmp (emptyDir) with a read-only root filesystem"


@pytest.mark.parametrize("case", CASES)
def test_long_running_pods_have_startup_liveness_and_readiness_probes(case):
    for obj, spec, _ in pod_specs(render_case(case)):
        if obj["kind"] not in ("Deployment", "StatefulSet"):
            continue
        for c in spec["containers"]:
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                assert probe in c, f"{obj['metadata']['name']}/{c['name']} lacks {probe}"


def test_output_is_json_serialisable_for_the_validators():
    json.dumps(render_case("prod"))
