#!/usr/bin/env python3
"""Agreement on the seeded corpus: for every rule a peer also has, does kubelint find every
defect the peer finds? Also kubelint against the seeded ground truth.

Usage: compare.py SEEDED_TSV KUBELINT_JSON [--kube-score JSON] [--checkov JSON]
Prints one row per kubelint rule (seeded | kubelint | kube-score | checkov) and lists every
(object, rule) a peer reports that kubelint does not. Exit 1 when kubelint misses a seeded
defect or a peer finding.
"""
import argparse
import collections
import json
import sys

# kube-score (check id, start of the comment summary) -> kubelint rule
KUBE_SCORE = [
    ("container-image-tag", "", "latest-tag"),
    ("container-resources", "CPU request", "unset-cpu-requirements"),
    ("container-resources", "Memory request", "unset-memory-requirements"),
    ("container-resources", "Memory limit", "unset-memory-requirements"),
    ("pod-probes", "Container is missing a livenessProbe", "no-liveness-probe"),
    ("pod-probes", "Container is missing a readinessProbe", "no-readiness-probe"),
    ("container-security-context-privileged", "", "privileged-container"),
    ("container-security-context-readonlyrootfilesystem", "", "no-read-only-root-fs"),
    ("deployment-pod-selector-labels-match-template-metadata-labels", "", "mismatching-selector"),
    ("statefulset-pod-selector-labels-match-template-metadata-labels", "", "mismatching-selector"),
    ("environment-variable-key-duplication", "", "duplicate-env-var"),
    ("horizontalpodautoscaler-has-target", "", "dangling-hpa"),
    ("ingress-targets-service", "", "dangling-ingress"),
    ("service-targets-pod", "", "dangling-service"),
    ("stable-version", "", "deprecated-api"),
    ("deployment-has-host-podantiaffinity", "", "no-anti-affinity"),
    ("container-security-context-user-group-id", "The container is running with a low user ID",
     "run-as-non-root"),
]

# checkov check id -> kubelint rule
CHECKOV = {
    "CKV_K8S_8": "no-liveness-probe", "CKV_K8S_9": "no-readiness-probe",
    "CKV_K8S_10": "unset-cpu-requirements", "CKV_K8S_12": "unset-memory-requirements",
    "CKV_K8S_13": "unset-memory-requirements", "CKV_K8S_14": "latest-tag",
    "CKV_K8S_16": "privileged-container", "CKV_K8S_17": "host-pid", "CKV_K8S_18": "host-ipc",
    "CKV_K8S_19": "host-network", "CKV_K8S_20": "privilege-escalation-container",
    "CKV_K8S_22": "no-read-only-root-fs", "CKV_K8S_23": "run-as-non-root",
    "CKV_K8S_28": "drop-all-capabilities",
    "CKV_K8S_27": "sensitive-host-mounts", "CKV_K8S_31": "no-seccomp-profile",
    "CKV_K8S_37": "drop-all-capabilities", "CKV_K8S_38": "automount-service-account-token",
}

# Known, documented differences: (peer, rule) -> (why kubelint is right, predicate telling
# whether one (object, rule) difference is of that kind, given kubelint's findings).
EXPLAINED = {
    ("kube-score", "no-anti-affinity"): (
        "kube-score accepts only podAntiAffinity; the issue (and current Kubernetes practice) also "
        "accepts topologySpreadConstraints, which the clean apps use",
        lambda obj, kl: True),
    ("kube-score", "dangling-hpa"): (
        "kube-score also compares scaleTargetRef.apiVersion (apps/v1) with the apiVersion the "
        "Deployment is written in (apps/v1beta2); the API server serves one Deployment under every "
        "version, so the HPA does scale it; kubelint reports the old apiVersion as deprecated-api",
        lambda obj, kl: ("Deployment/" + obj.split("/", 1)[1], "deprecated-api") in kl),
    ("kube-score", "run-as-non-root"): (
        "kube-score wants runAsUser >= 10000 (its own policy); run-as-non-root, like kube-linter's, "
        "wants runAsNonRoot or a non-zero runAsUser",
        lambda obj, kl: True),
}


def kubelint_findings(path):
    with open(path) as f:
        return {(d["object"], d["rule"]) for d in json.load(f)}


def kube_score_findings(path):
    out = set()
    with open(path) as f:
        for o in json.load(f):
            kind = o["type_meta"]["kind"]
            obj = f"{kind}/{o['object_meta']['name']}"
            for ch in o["checks"]:
                if ch["skipped"] or ch["grade"] >= 10:
                    continue
                for cm in ch["comments"] or [{"summary": ""}]:
                    for cid, prefix, rule in KUBE_SCORE:
                        if ch["check"]["id"] == cid and (cm.get("summary") or "").startswith(prefix):
                            out.add((obj, rule))
    return out


def checkov_findings(path):
    out = set()
    with open(path) as f:
        data = json.load(f)
    for run in data if isinstance(data, list) else [data]:
        for r in run.get("results", {}).get("failed_checks", []):
            rule = CHECKOV.get(r["check_id"])
            if not rule:
                continue
            kind, _, name = r["resource"].split(".", 2)  # Kind.namespace.name
            out.add((f"{kind}/{name}", rule))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("seeded")
    ap.add_argument("kubelint")
    ap.add_argument("--kube-score")
    ap.add_argument("--checkov")
    a = ap.parse_args()
    with open(a.seeded) as f:
        seeded = {tuple(line.rstrip("\n").split("\t")) for line in f if line.strip()}
    kl = kubelint_findings(a.kubelint)
    peers = {}
    if a.kube_score:
        peers["kube-score"] = kube_score_findings(a.kube_score)
    if a.checkov:
        peers["checkov"] = checkov_findings(a.checkov)
    rules = sorted({r for _, r in seeded | kl} | {r for p in peers.values() for _, r in p})
    count = lambda s, r: sum(1 for _, x in s if x == r)  # noqa: E731
    header = ["rule", "seeded", "kubelint"] + list(peers)
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for r in rules:
        row = [r, count(seeded, r), count(kl, r)] + [count(p, r) for p in peers.values()]
        print("| " + " | ".join(str(x) for x in row) + " |")
    failed = False
    missed = seeded - kl
    extra = kl - seeded
    print(f"\nkubelint vs seeded: {len(seeded - missed)}/{len(seeded)} found, {len(missed)} missed, "
          f"{len(extra)} not seeded")
    for obj, rule in sorted(missed)[:20]:
        print(f"  MISSED {rule} {obj}")
    failed |= bool(missed)
    for name, found in peers.items():
        mapped = {r for _, r in found}
        diff = sorted(x for x in found - kl if x[1] in mapped)
        by_rule = collections.Counter(r for _, r in diff)
        print(f"{name}: {len(found)} mapped findings, {len(diff)} not found by kubelint")
        for rule, n in sorted(by_rule.items()):
            why, fits = EXPLAINED.get((name, rule), (None, lambda obj, kl: False))
            objs = [obj for obj, r in diff if r == rule]
            odd = [obj for obj in objs if not fits(obj, kl)]
            print(f"  {rule}: {n} ({'explained: ' + why if why and not odd else 'UNEXPLAINED'})")
            failed |= bool(odd)
            for obj in (odd or objs)[:3]:
                print(f"    e.g. {obj}")
    print("agreement: " + ("FAIL" if failed else "OK: kubelint finds every seeded defect and every "
                           "defect a peer finds, except the explained differences"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
