#!/usr/bin/env bash
# Reads what doctor-collect.sh stored (kubectl get ... -o json, secret key names, log tails) and
# explains in plain sentences what is broken: image pull errors, CrashLoopBackOff with the last
# log lines and envcheck's message, Pending with the scheduler's reason, failing probes, missing
# Secrets or Secret keys, OOM kills, rejected pods (Pod Security). Offline: tests feed it
# hand-written fixtures shaped like real kubectl output. Writes DIR/diagnosis.txt too.
# Usage: doctor-diagnose.sh DIR     Exit: 0 (healthy or diagnosed), 2 (unreadable input)
set -euo pipefail
dir=${1:?usage: doctor-diagnose.sh DIR}
exec "${PYTHON:-python3}" - "$dir" <<'PY'
import json
import pathlib
import re
import sys

d = pathlib.Path(sys.argv[1])


def load(name, default):
    p = d / name
    if not p.exists():
        return default
    try:
        return json.loads(p.read_text())
    except json.JSONDecodeError as exc:
        print(f"doctor: {p}: not JSON ({exc})", file=sys.stderr)
        sys.exit(2)


ns = (d / "namespace.txt").read_text().strip() if (d / "namespace.txt").exists() else "?"
pods = load("pods.json", {"items": []}).get("items", [])
events = load("events.json", {"items": []}).get("items", [])
workloads = load("workloads.json", {"items": []}).get("items", [])
secrets = {}
if (d / "secret-keys.txt").exists():
    for line in (d / "secret-keys.txt").read_text().splitlines():
        parts = line.split()
        if parts:
            secrets[parts[0]] = set(parts[1:])

findings = []  # (subject, sentence) in discovery order, deduplicated
config_error_pods = set()  # pods whose CreateContainerConfigError already names the Secret problem
seen = set()


def say(subject, sentence):
    if (subject, sentence) not in seen:
        seen.add((subject, sentence))
        findings.append((subject, sentence))


def log_tail(pod, container, n=8):
    p = d / "logs" / f"{pod}_{container}.log"
    if not p.exists():
        return []
    return [l for l in p.read_text(errors="replace").splitlines() if l.strip()][-n:]


ENVCHECK_LINE = re.compile(r"(error|warning): \[[a-z0-9-]+\]|entrypoint: |invalid configuration|^\s+[A-Z_]+: ")


def pod_events(name, reasons=None):
    out = []
    for e in events:
        obj = e.get("involvedObject", {})
        if obj.get("name") == name and (reasons is None or e.get("reason") in reasons):
            out.append(e)
    return out


def container_kind(pod):
    labels = pod.get("metadata", {}).get("labels", {})
    return labels.get("app.kubernetes.io/component", "")


for pod in pods:
    name = pod["metadata"]["name"]
    status = pod.get("status", {})
    phase = status.get("phase", "Unknown")
    spec = pod.get("spec", {})
    conds = {c.get("type"): c for c in status.get("conditions", [])}

    # Pending: the scheduler's reason (Insufficient cpu/memory, unbound PVC, taints...).
    sched = conds.get("PodScheduled")
    if phase == "Pending" and sched and sched.get("status") == "False":
        msg = (sched.get("message") or sched.get("reason", "")).strip().rstrip(".")
        hint = ""
        if "Insufficient cpu" in msg or "Insufficient memory" in msg:
            hint = (" The nodes do not have enough free CPU or memory for the pod's requests: give the"
                    " cluster more (minikube: make cluster-up MINIKUBE_CPUS=4 MINIKUBE_MEMORY=8g) or"
                    " lower the requests in the values file.")
        elif "unbound" in msg and "PersistentVolumeClaim" in msg:
            hint = (" Its PersistentVolumeClaim is not bound: the cluster has no default StorageClass"
                    " (kubectl get storageclass) or postgresql.persistence.storageClass names a missing one.")
        elif "taint" in msg:
            hint = " Every node has a taint the pod does not tolerate (values: tolerations)."
        say(name, f"Pod {name} is Pending and cannot be scheduled: {msg}.{hint}")

    statuses = status.get("initContainerStatuses", []) + status.get("containerStatuses", [])
    for cs in statuses:
        c = cs.get("name")
        image = cs.get("image", "")
        waiting = cs.get("state", {}).get("waiting") or {}
        reason = waiting.get("reason", "")
        message = waiting.get("message", "")
        last = cs.get("lastState", {}).get("terminated") or {}
        restarts = cs.get("restartCount", 0)

        if reason in ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"):
            detail = f" ({message})" if message else ""
            say(name, f"Pod {name} cannot pull the image {image} of container {c}: {reason}{detail}."
                      " For a local cluster build the images and load them with `make build images-load`"
                      " (the tag must be the TAG that was deployed, see `make version`); with a registry,"
                      " check REGISTRY and the image pull secret.")
        elif reason == "CreateContainerConfigError":
            config_error_pods.add(name)
            m = re.search(r'couldn\'t find key (\S+) in Secret (\S+)', message)
            m2 = re.search(r'secret "([^"]+)" not found', message)
            if m:
                say(name, f"Pod {name} cannot start container {c}: the Secret {m.group(2)} has no key"
                          f" {m.group(1)}. Add {m.group(1)} to .env and rerun the deploy (it recreates"
                          " the Secret with secretgen).")
            elif m2:
                say(name, f"Pod {name} cannot start container {c}: the Secret {m2.group(1)} does not exist."
                          " `make k8s-deploy` / `make helm-install` create it from .env.")
            else:
                say(name, f"Pod {name} cannot start container {c}: {message or reason}.")
        elif reason == "CrashLoopBackOff" or (last and restarts > 0 and not cs.get("ready")):
            code = last.get("exitCode")
            why = last.get("reason", "")
            if why == "OOMKilled":
                say(name, f"Container {c} of pod {name} was killed for using more memory than its limit"
                          f" (OOMKilled, {restarts} restarts): raise resources.limits.memory in the values.")
                continue
            tail = log_tail(name, c)
            env_lines = [l.strip() for l in tail if ENVCHECK_LINE.search(l)]
            sentence = (f"Container {c} of pod {name} keeps crashing ({reason or 'restarting'},"
                        f" {restarts} restarts, last exit code {code}).")
            if env_lines:
                sentence += (" The environment check refused to start it: " + " | ".join(env_lines).rstrip(".") +
                             ". Fix these keys in .env and redeploy (the Secret is made from .env).")
            elif tail:
                sentence += " Its last log lines: " + " | ".join(l.strip() for l in tail[-5:])
            else:
                sentence += f" No logs were kept: kubectl logs -n {ns} {name} -c {c} --previous"
            say(name, sentence)

    # Running but not ready: failing probes, from the kubelet's Unhealthy events.
    if phase == "Running" and conds.get("Ready", {}).get("status") == "False":
        unhealthy = pod_events(name, {"Unhealthy"})
        if unhealthy:
            e = unhealthy[-1]
            msg = e.get("message", "").strip().rstrip(".")
            hint = ""
            if container_kind(pod) == "backend" and "Readiness" in msg:
                hint = (" The backend's /ready includes a database round trip: check the PostgreSQL pod"
                        " and DATABASE_URL (for Neon: ?sslmode=require and egress to port 5432).")
            say(name, f"Pod {name} is running but not ready: {msg} (seen {e.get('count', 1)} times).{hint}")
        elif not any(n == name for n, _ in findings):
            say(name, f"Pod {name} is running but not ready yet (no probe failure recorded so far).")

    # Secret keys referenced by the pod spec that the Secret does not have (no pod event needed).
    for ctr in [] if name in config_error_pods else spec.get("initContainers", []) + spec.get("containers", []):
        for env in ctr.get("env", []):
            ref = (env.get("valueFrom") or {}).get("secretKeyRef")
            if not ref or ref.get("optional"):
                continue
            sname, key = ref.get("name"), ref.get("key")
            if secrets and sname not in secrets:
                say(name, f"Pod {name} needs the Secret {sname}, which does not exist in {ns}."
                          " `make k8s-deploy` / `make helm-install` create it from .env.")
            elif secrets and key not in secrets[sname]:
                say(name, f"Pod {name} needs the key {key} of Secret {sname}, which the Secret lacks."
                          f" Add {key} to .env and redeploy.")

# Pods that were never created: the controllers' FailedCreate events (e.g. Pod Security).
for e in events:
    if e.get("reason") == "FailedCreate":
        obj = e.get("involvedObject", {})
        msg = e.get("message", "").strip().rstrip(".")
        hint = ""
        if "PodSecurity" in msg:
            hint = " The namespace enforces the restricted Pod Security Standard and this pod spec violates it."
        say(obj.get("name", "?"), f"{obj.get('kind', 'Object')} {obj.get('name', '?')} cannot create pods: {msg}.{hint}")
    elif e.get("reason") == "FailedMount":
        obj = e.get("involvedObject", {})
        say(obj.get("name", "?"), f"Pod {obj.get('name', '?')} cannot mount a volume: {e.get('message', '').strip()}.")

# Failed migration Job.
for w in workloads:
    if w.get("kind") == "Job":
        for c in w.get("status", {}).get("conditions", []):
            if c.get("type") == "Failed" and c.get("status") == "True":
                say(w["metadata"]["name"], f"Job {w['metadata']['name']} failed ({c.get('reason')}: "
                                           f"{c.get('message', '')}); its pods' logs say why: "
                                           f"kubectl logs -n {ns} job/{w['metadata']['name']}")

lines = []
if not pods and not findings:
    lines.append(f"There are no pods in namespace {ns}: nothing is deployed there"
                 " (make k8s-deploy, or make helm-install ENV=dev; check NAMESPACE).")
elif not findings:
    ready = sum(1 for p in pods if p.get("status", {}).get("phase") in ("Running", "Succeeded"))
    lines.append(f"No problem found: {ready} of {len(pods)} pods in namespace {ns} are running or completed,"
                 " and every container is ready.")
else:
    lines.append(f"The doctor found {len(findings)} problem{'s' if len(findings) != 1 else ''} in namespace {ns}:")
    for i, (_, sentence) in enumerate(findings, 1):
        lines.append(f"{i}. {sentence}")
text = "\n".join(lines) + "\n"
sys.stdout.write(text)
try:
    (d / "diagnosis.txt").write_text(text)
except OSError:
    pass
PY
