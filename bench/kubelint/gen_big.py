#!/usr/bin/env python3
"""Writes MB megabytes of small Kubernetes documents to stdout (for the by-hand bounded-memory
measurement: `gen_big.py 1024 > big.yaml; /usr/bin/time -v build/bin/kubelint big.yaml`).
Every object has a unique name (ConfigMaps, Services, Deployments in turn); every 10,000th
document is broken YAML, so the run also shows that one broken document stops nothing."""
import sys

DOCS = [
    "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  namespace: big\ndata:\n  key: value-{i}\n",
    "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\n  namespace: big\nspec:\n"
    "  selector: {{app: app-{i}}}\n  ports: [{{port: 80, targetPort: 8080}}]\n",
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: big\nspec:\n"
    "  selector: {{matchLabels: {{app: app-{i}}}}}\n  template:\n    metadata: {{labels: {{app: app-{i}}}}}\n"
    "    spec:\n      containers:\n        - name: c\n          image: app:{i}\n"
    "          ports: [{{containerPort: 8080}}]\n",
]


def main():
    limit = int(sys.argv[1]) << 20
    out = sys.stdout
    written = i = 0
    buf = []
    while written < limit:
        text = "---\nbroken: [{i}\n".format(i=i) if i % 10000 == 9999 else DOCS[i % 3].format(i=i)
        buf.append(text)
        written += len(text)
        i += 1
        if len(buf) >= 4096:
            out.write("".join(buf))
            buf = []
    out.write("".join(buf))
    print(f"{i} documents, {written} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
