#!/usr/bin/env python3
"""Writes the kubelint benchmark corpus: APPS apps of Deployment + Service + Ingress +
(HPA or PDB), each hardened like the chart, with defects seeded at random (fixed seed).

Usage: gen_corpus.py OUT_DIR [APPS]   (default 2500 apps = 10,000 objects)
Writes OUT_DIR/corpus.yaml (one stream) and OUT_DIR/seeded.tsv: "Kind/name<TAB>rule" for
every seeded defect, the ground truth the agreement check compares the tools against.
"""
import random
import sys
from pathlib import Path

# defect -> the kubelint rule it must trigger (and the object it is on)
DEFECTS = [
    "latest-tag", "unset-cpu-requirements", "unset-memory-requirements", "no-liveness-probe",
    "no-readiness-probe", "run-as-non-root", "no-read-only-root-fs", "privileged-container",
    "privilege-escalation-container", "drop-all-capabilities", "no-seccomp-profile",
    "host-network", "host-pid", "host-ipc", "sensitive-host-mounts", "env-var-secret",
    "duplicate-env-var", "mismatching-selector", "dangling-service", "invalid-target-ports",
    "dangling-ingress", "dangling-hpa", "dangling-pdb", "pdb-min-available", "deprecated-api",
    "no-anti-affinity",
]


def app(i, defects):
    """Returns (yaml text, [(object, rule)]) for app i with the given defects."""
    d = set(defects)
    name = f"app-{i:05d}"
    seeded = []
    dep = f"Deployment/{name}"

    def seed(obj, rule):
        seeded.append((obj, rule))

    for rule in d:
        if rule in ("dangling-service", "invalid-target-ports"):
            seed(f"Service/{name}", rule)
        elif rule == "dangling-ingress":
            seed(f"Ingress/{name}", rule)
        elif rule == "dangling-hpa":
            seed(f"HorizontalPodAutoscaler/{name}", rule)
        elif rule in ("dangling-pdb", "pdb-min-available"):
            seed(f"PodDisruptionBudget/{name}", rule)
        else:
            seed(dep, rule)
        if rule == "privileged-container":  # a privileged container can always escalate
            seed(dep, "privilege-escalation-container")

    image = f"registry.example.com/team/{name}:1.{i % 7}.0"
    if "latest-tag" in d:
        image = f"registry.example.com/team/{name}" + (":latest" if i % 2 else "")
    replicas = 3 if "no-anti-affinity" in d else 2
    spread = "" if "no-anti-affinity" in d else f"""
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector: {{matchLabels: {{app: {name}}}}}"""
    pod_sc = ["runAsNonRoot: true", "runAsUser: 10001", "runAsGroup: 10001"]
    if "run-as-non-root" in d:
        pod_sc = ["runAsGroup: 10001"]
    if "no-seccomp-profile" not in d:
        pod_sc.append("seccompProfile: {type: RuntimeDefault}")
    host = "".join(f"\n      {k}: true" for k, r in (("hostNetwork", "host-network"), ("hostPID", "host-pid"),
                                                        ("hostIPC", "host-ipc")) if r in d)
    requests = ["memory: 64Mi"] if "unset-cpu-requirements" in d else ["cpu: 50m", "memory: 64Mi"]
    limits = ["cpu: 500m"] if "unset-memory-requirements" in d else ["cpu: 500m", "memory: 128Mi"]
    csc = [f"allowPrivilegeEscalation: {'true' if 'privilege-escalation-container' in d else 'false'}"]
    if "no-read-only-root-fs" not in d:
        csc.append("readOnlyRootFilesystem: true")
    if "privileged-container" in d:
        csc.append("privileged: true")
    if "drop-all-capabilities" not in d:
        csc.append("capabilities: {drop: [ALL]}")
    env = ["- {name: LOG_LEVEL, value: info}"]
    if "duplicate-env-var" in d:
        env.append("- {name: LOG_LEVEL, value: debug}")
    if "env-var-secret" in d:
        env.append("- {name: DB_PASSWORD, value: not-a-real-password}")
    probes = ""
    if "no-liveness-probe" not in d:
        probes += "\n          livenessProbe: {httpGet: {path: /healthz, port: http}}"
    if "no-readiness-probe" not in d:
        probes += "\n          readinessProbe: {httpGet: {path: /readyz, port: http}}"
    volumes = "\n      volumes:\n        - {name: tmp, emptyDir: {}}"
    mounts = "\n          volumeMounts:\n            - {name: tmp, mountPath: /tmp}"
    if "sensitive-host-mounts" in d:
        volumes += "\n        - {name: docker, hostPath: {path: /var/run/docker.sock}}"
    api = "apps/v1beta2" if "deprecated-api" in d else "apps/v1"
    tpl_label = f"{name}-x" if "mismatching-selector" in d else name
    pod_label = name if "mismatching-selector" not in d else tpl_label

    def block(items, indent):
        return "".join(f"\n{' ' * indent}{x}" for x in items)

    text = f"""---
apiVersion: {api}
kind: Deployment
metadata:
  name: {name}
  labels: {{app: {name}}}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {pod_label}}}
    spec:
      automountServiceAccountToken: false{host}
      securityContext:{block(pod_sc, 8)}{spread}
      containers:
        - name: app
          image: {image}
          imagePullPolicy: Always
          ports:
            - {{name: http, containerPort: 8080}}
          env:{block(env, 12)}{probes}
          resources:
            requests:{block(requests, 14)}
            limits:{block(limits, 14)}
          securityContext:{block(csc, 12)}{mounts}{volumes}
"""
    sel = f"{name}-typo" if "dangling-service" in d else (pod_label if "mismatching-selector" in d else name)
    target = "9090" if "invalid-target-ports" in d else "http"
    text += f"""---
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector: {{app: {sel}}}
  ports:
    - {{name: http, port: 80, targetPort: {target}}}
"""
    backend = f"{name}-typo" if "dangling-ingress" in d else name
    text += f"""---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
spec:
  rules:
    - host: {name}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {{name: {backend}, port: {{number: 80}}}}
"""
    if i % 2 == 0:
        target_name = f"{name}-typo" if "dangling-hpa" in d else name
        text += f"""---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {name}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {target_name}}}
  minReplicas: 2
  maxReplicas: 6
"""
    else:
        pdb_sel = f"{name}-typo" if "dangling-pdb" in d else pod_label
        min_avail = replicas if "pdb-min-available" in d else 1
        text += f"""---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {name}
spec:
  minAvailable: {min_avail}
  selector:
    matchLabels: {{app: {pdb_sel}}}
"""
    return text, list(dict.fromkeys(seeded))  # privileged-container may seed escalation twice


def pick(rng, i):
    """0-2 defects for app i; HPA defects only for even apps, PDB ones for odd apps."""
    allowed = [r for r in DEFECTS
               if not (i % 2 == 0 and r in ("dangling-pdb", "pdb-min-available"))
               and not (i % 2 == 1 and r == "dangling-hpa")]
    n = rng.choice([0, 1, 1, 2])
    chosen = rng.sample(allowed, n)
    # these hide each other: keep one of each conflicting pair
    if "dangling-service" in chosen and "invalid-target-ports" in chosen:
        chosen.remove("invalid-target-ports")
    if "mismatching-selector" in chosen and ("dangling-service" in chosen or "dangling-pdb" in chosen):
        chosen.remove("mismatching-selector")
    if "dangling-pdb" in chosen and "pdb-min-available" in chosen:
        chosen.remove("pdb-min-available")
    return chosen


def main():
    out = Path(sys.argv[1])
    apps = int(sys.argv[2]) if len(sys.argv) > 2 else 2500
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261123)
    seeded_all = []
    with open(out / "corpus.yaml", "w") as f:
        for i in range(apps):
            text, seeded = app(i, pick(rng, i))
            f.write(text)
            seeded_all.extend(seeded)
    with open(out / "seeded.tsv", "w") as f:
        for obj, rule in sorted(seeded_all):
            f.write(f"{obj}\t{rule}\n")
    print(f"{apps * 4} objects, {len(seeded_all)} seeded defects -> {out}/corpus.yaml")


if __name__ == "__main__":
    main()
