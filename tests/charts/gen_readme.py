"""Writes helm/todo-app/README.md: the hand-written intro below plus the parameter table built
from the `## @section` / `## @param` comments of values.yaml (Bitnami's readme-generator style)."""

import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "todo-app"

INTRO = """\
# todo-app Helm chart

The Todo Chatbot stack on Kubernetes: the FastAPI backend (port 8000, ClusterIP), the Next.js
frontend (port 3000: NodePort in dev, ClusterIP behind an Ingress in staging/prod), an optional
PostgreSQL 15 StatefulSet (dev and staging) or an external database such as Neon (prod), and an
Alembic migration Job. This chart is the single source of truth for the Kubernetes objects: `k8s/`
is rendered from it (`make k8s-manifests`).

## Install

```bash
make helm-install ENV=dev          # or staging / prod; NAMESPACE=todo RELEASE=todo by default
make helm-status                   # release, history, pods
make helm-diff ENV=dev             # what an upgrade would change
make helm-rollback REVISION=1      # default: the previous revision
make helm-uninstall
```

`make helm-install` validates `.env` (envcheck), creates the Secret `<release>-env` from it
(secretgen) and passes it as `existingSecret`, then runs
`helm upgrade --install --atomic --wait --timeout 5m -f values-$ENV.yaml --set image.tag=$TAG`,
`helm test` and a readiness wait. Plain helm works too:

```bash
helm upgrade --install todo helm/todo-app -n todo --create-namespace -f helm/todo-app/values-dev.yaml
```

(then the chart renders its own Secret: empty values keep the installed ones or are generated).

## What it guarantees

- Pod Security Standard **restricted** for every pod: non-root, read-only root filesystem with
  emptyDir `/tmp`, no privilege escalation, all capabilities dropped, `RuntimeDefault` seccomp; the
  ServiceAccount's token is never mounted.
- Zero-downtime rolling updates: `maxUnavailable: 0`, `maxSurge: 1`, a `preStop` sleep so the
  endpoints drain, `terminationGracePeriodSeconds` (40) above the backend's 20 s graceful shutdown;
  `checksum/config` and `checksum/secret` roll the pods when the configuration changes.
- NetworkPolicies: default deny; frontend <- anywhere on 3000; backend <- frontend (and the
  `helm test` Pod) on 8000; PostgreSQL <- backend and the migration Job on 5432; egress only DNS,
  the database and, when `config.chatProvider=openai` (or `networkPolicy.allowExternalHttps`),
  HTTPS.
- HPA (CPU and memory) per Deployment when enabled; the Deployment then has no `replicas`.
  PodDisruptionBudgets; anti-affinity and topology spread when a component has more than one pod.
- Migrations: a Job running the backend image's `migrate` command, as a `post-install,pre-upgrade`
  hook (`before-hook-creation,hook-succeeded`). Post-install rather than pre-install because on
  the first install neither the Secret, the ConfigMap nor the bundled PostgreSQL exist before the
  main resources are created; on upgrades it runs before the new pods (pre-upgrade).
- Metrics (off by default): `metrics.serviceMonitor` (the backend's `/metrics`, and its
  NetworkPolicy opened to `metrics.scrapeFrom`), `metrics.prometheusRule` (high 5xx share, slow
  p99, no ready backend; checked by promtool in `make charts-test`) and `metrics.dashboard` (a
  Grafana dashboard in a ConfigMap labelled `grafana_dashboard: "1"`).
- Backups (`backup.enabled`, on in staging): a CronJob runs `pg_dump` of the bundled or external
  database into a PVC kept on uninstall and keeps the newest `backup.retention` dumps; the same
  backup runs once per release revision, which also binds the PVC at once for `helm --wait`.
  `make k8s-db-backup` / `make k8s-db-restore FILE=` dump and restore through `kubectl exec`.
- `values.schema.json` rejects unknown keys and wrong types (and the image tag `latest`).

## Parameters
"""


def main() -> None:
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else CHART / "README.md"
    text = (CHART / "values.yaml").read_text()
    values = yaml.safe_load(text)
    lines = [INTRO]
    for line in text.splitlines():
        m = re.match(r"\s*## @section (.*)", line)
        if m:
            lines.append(f"\n### {m.group(1)}\n\n| Name | Description | Default |\n| --- | --- | --- |")
            continue
        m = re.match(r"\s*## @param (\S+) (.*)", line)
        if m:
            node = values
            for part in m.group(1).split("."):
                node = node.get(part) if isinstance(node, dict) else None
            default = "`" + (yaml.safe_dump(node, default_flow_style=True).strip().removesuffix("...").strip()
                             if node not in ("", None) else ('""' if node == "" else "null")) + "`"
            desc = m.group(2).replace("|", "\\|")
            default = default.replace("|", "\\|")
            lines.append(f"| `{m.group(1)}` | {desc} | {default} |")
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
