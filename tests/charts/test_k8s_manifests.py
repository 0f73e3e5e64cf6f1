"""k8s/ is `make k8s-manifests` output: fresh, complete, Secret-free, with a stable image tag."""

import filecmp
import subprocess

import yaml

from chartlib import CHART, HELM, KUSTOMIZE, ROOT, VERSION

K8S = ROOT / "k8s"


def _render_into(tmp_path):
    out = tmp_path / "k8s"
    subprocess.run([str(ROOT / "mk/scripts/k8s-render.sh"), HELM, str(CHART.relative_to(ROOT)), str(out), "todo", "todo-env"],
                   cwd=ROOT, check=True, capture_output=True)
    return out


def test_k8s_dir_is_not_stale(tmp_path):
    fresh = _render_into(tmp_path)
    cmp = filecmp.dircmp(fresh, K8S)
    assert not cmp.left_only, f"missing in k8s/: {cmp.left_only} (run make k8s-manifests)"
    assert not cmp.right_only, f"not rendered any more: {cmp.right_only} (run make k8s-manifests)"
    changed = [f for f in cmp.common_files if (fresh / f).read_bytes() != (K8S / f).read_bytes()]
    assert not changed, f"stale files in k8s/: {changed} (run make k8s-manifests)"


def test_rendering_is_deterministic(tmp_path):
    a = _render_into(tmp_path / "a")
    b = _render_into(tmp_path / "b")
    assert all((a / f.name).read_bytes() == f.read_bytes() for f in b.iterdir())


def test_kustomization_lists_every_manifest_and_no_secret():
    kust = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    files = sorted(p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")
    assert sorted(kust["resources"]) == files
    kinds = [d["kind"] for f in files for d in yaml.safe_load_all((K8S / f).read_text()) if d]
    assert "Secret" not in kinds
    assert {"Namespace", "Deployment", "Service", "ConfigMap", "StatefulSet", "Job", "NetworkPolicy",
            "PodDisruptionBudget", "ServiceAccount"} <= set(kinds)


def test_images_use_the_version_not_the_git_tag():
    images = set()
    for f in K8S.glob("*.yaml"):
        for d in yaml.safe_load_all(f.read_text()):
            if d and d["kind"] in ("Deployment", "Job"):
                images |= {c["image"] for c in d["spec"]["template"]["spec"]["containers"]}
    assert images == {f"todo-backend:{VERSION}", f"todo-frontend:{VERSION}"}


def test_namespace_enforces_restricted_pod_security():
    ns = yaml.safe_load((K8S / "namespace.yaml").read_text())
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_overlay_sets_tag_registry_and_namespace_and_drops_the_namespace_object(tmp_path):
    overlay = tmp_path / "overlay"
    subprocess.run([str(ROOT / "mk/scripts/k8s-overlay.sh"), str(overlay), str(K8S), "other",
                    "0.1.0-abc1234-dirty", "ghcr.io/me"], check=True, capture_output=True)
    kust = yaml.safe_load((overlay / "kustomization.yaml").read_text())
    assert kust["namespace"] == "other"
    assert {i["name"]: (i["newName"], i["newTag"]) for i in kust["images"]} == {
        "todo-backend": ("ghcr.io/me/todo-backend", "0.1.0-abc1234-dirty"),
        "todo-frontend": ("ghcr.io/me/todo-frontend", "0.1.0-abc1234-dirty")}
    assert (overlay / kust["resources"][0]).resolve() == K8S.resolve()
    out = subprocess.run([KUSTOMIZE, "build", str(overlay)], capture_output=True, text=True, check=True).stdout
    docs = [d for d in yaml.safe_load_all(out) if d]
    assert "Namespace" not in {d["kind"] for d in docs}
    assert all(d["metadata"]["namespace"] == "other" for d in docs)
    images = {c["image"] for d in docs if d["kind"] in ("Deployment", "Job")
              for c in d["spec"]["template"]["spec"]["containers"]}
    assert images == {"ghcr.io/me/todo-backend:0.1.0-abc1234-dirty", "ghcr.io/me/todo-frontend:0.1.0-abc1234-dirty"}


def test_overlay_refuses_latest(tmp_path):
    r = subprocess.run([str(ROOT / "mk/scripts/k8s-overlay.sh"), str(tmp_path), str(K8S), "todo", "latest"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "latest" in r.stderr
