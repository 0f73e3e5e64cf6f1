"""Writes helm/todo-app/values.schema.json (make chart-docs; a chart test fails when it is stale).

readme-generator-for-helm writes the README's parameter table, but its schema output cannot say
what this chart needs: integers (it writes "number"), values that may be null, arrays of
objects, objects that reject unknown keys (additionalProperties: false, so a typo in a values
file fails `helm lint`) and ranges. So the schema is built here:

- the shape comes from values.yaml itself: every mapping with keys is a closed object of those
  keys, an empty mapping is a map of strings, the defaults give the types;
- CONSTRAINTS adds what a default cannot show (ranges, enums, patterns, required keys);
- the ranges of the settings that are environment variables of the app are read from
  env.schema.yaml (ENV_VARS), never restated.

Usage: python3 helm/tools/gen_schema.py [OUT]   (default: helm/todo-app/values.schema.json)
"""

from __future__ import annotations

import fnmatch
import json
import pathlib
import re
import sys
from typing import Any

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "todo-app"
ENV_SCHEMA = ROOT / "env.schema.yaml"

STR: dict[str, Any] = {"type": "string"}
NON_EMPTY: dict[str, Any] = {"type": "string", "minLength": 1}
MAP: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "string"}}
ANYLIST: dict[str, Any] = {"type": "array", "items": {"type": "object"}}
TAG: dict[str, Any] = {"type": "string", "not": {"enum": ["latest"]}, "description": "never latest"}
QUANTITY: dict[str, Any] = {"type": ["string", "number"], "pattern": r"^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$"}
INT_OR_PCT: dict[str, Any] = {"type": ["integer", "string"], "pattern": r"^([0-9]+%?)?$"}
PULL_POLICY = ["Always", "IfNotPresent", "Never"]


def intr(lo: int, hi: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "integer", "minimum": lo}
    if hi is not None:
        out["maximum"] = hi
    return out


PORT = intr(1, 65535)
DURATION: dict[str, Any] = {"type": "string", "pattern": r"^([0-9]+(ms|s|m|h))+$"}
ACCESS_MODES: dict[str, Any] = {"type": "array", "minItems": 1, "items": {
    "enum": ["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany"]}}

# values path (fnmatch pattern) -> the app's environment variable it becomes (env.schema.yaml).
ENV_VARS = {
    "config.logLevel": "LOG_LEVEL",
    "config.chatProvider": "CHAT_PROVIDER",
    "config.openaiBaseUrl": "OPENAI_BASE_URL",
    "config.jwtExpireMinutes": "JWT_EXPIRE_MINUTES",
    "config.webConcurrency": "WEB_CONCURRENCY",
    "config.dbPoolSize": "DB_POOL_SIZE",
    "config.postgresUser": "POSTGRES_USER",
    "config.postgresDb": "POSTGRES_DB",
    "secret.jwtSecret": "JWT_SECRET",
    "secret.postgresPassword": "POSTGRES_PASSWORD",
    "secret.databaseUrl": "DATABASE_URL",
}

# values path (fnmatch pattern) -> schema keywords a default cannot show. A value replaces the
# derived schema of that node; a "required" entry adds to it.
CONSTRAINTS: dict[str, dict[str, Any]] = {
    "image.tag": TAG,
    "image.pullPolicy": {"enum": PULL_POLICY},
    "image.pullSecrets": {"type": "array", "items": STR},
    "config.openaiModel": NON_EMPTY,
    "terminationGracePeriodSeconds": intr(1),
    "preStopSleepSeconds": intr(0),
    "tolerations": ANYLIST,
    "*.image": {"required": ["repository"]},
    "*.image.repository": NON_EMPTY,
    "*.image.tag": TAG,
    "backend.image.pullPolicy": {"enum": ["", *PULL_POLICY]},
    "frontend.image.pullPolicy": {"enum": ["", *PULL_POLICY]},
    "postgresql.image.pullPolicy": {"enum": PULL_POLICY},
    "*.replicaCount": intr(0),
    "*.runAsUser": intr(1),
    "*.service.port": PORT,
    "*.resources": {"required": ["requests", "limits"]},
    "*.resources.requests": {"required": ["cpu", "memory"]},
    "*.resources.limits": {"required": ["cpu", "memory"]},
    "*.resources.*.*": QUANTITY,
    "*.autoscaling.minReplicas": intr(1),
    "*.autoscaling.maxReplicas": intr(1),
    "*.autoscaling.target*UtilizationPercentage": intr(0, 100),
    "*.pdb.minAvailable": INT_OR_PCT,
    "*.pdb.maxUnavailable": INT_OR_PCT,
    "*.extraEnv": ANYLIST,
    "frontend.service.type": {"enum": ["ClusterIP", "NodePort", "LoadBalancer"]},
    "frontend.service.nodePort": {"type": ["integer", "null"], "minimum": 30000, "maximum": 32767},
    "migration.backoffLimit": intr(0),
    "migration.activeDeadlineSeconds": intr(1),
    "ingress.nginx.proxyBodySize": {"type": "string", "pattern": r"^[0-9]+[kKmMgG]?$"},
    "ingress.nginx.limitRps": intr(0),
    "ingress.nginx.limitConnections": intr(0),
    "ingress.hosts": {"type": "array", "items": {
        "type": "object", "additionalProperties": False, "required": ["host", "paths"],
        "properties": {"host": STR, "paths": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["path", "pathType"],
            "properties": {"path": {"type": "string", "pattern": "^/"},
                           "pathType": {"enum": ["Prefix", "Exact", "ImplementationSpecific"]}}}}}}},
    "ingress.tls": {"type": "array", "items": {
        "type": "object", "additionalProperties": False, "required": ["secretName", "hosts"],
        "properties": {"secretName": NON_EMPTY, "hosts": {"type": "array", "items": STR}}}},
    "postgresql.maxConnections": intr(10, 10000),
    "postgresql.connectionReserve": intr(3),
    "postgresql.persistence.size": QUANTITY,
    "postgresql.persistence.accessModes": ACCESS_MODES,
    "externalDatabase.port": PORT,
    "externalDatabase.cidr": {"type": "string", "pattern": r"^([0-9a-fA-F.:]+/[0-9]{1,3})?$"},
    "networkPolicy.allowExternalHttps": {"type": ["boolean", "null"]},
    "networkPolicy.ingressFrom": ANYLIST,
    "networkPolicy.dns": {"required": ["namespace", "podLabels"]},
    "networkPolicy.dns.namespace": NON_EMPTY,
    "networkPolicy.dns.podLabels": {**MAP, "minProperties": 1},
    "metrics.serviceMonitor.interval": DURATION,
    "metrics.serviceMonitor.scrapeTimeout": DURATION,
    # numbers, or strings of them: `helm --set x=0.2` passes a decimal as a string
    "metrics.prometheusRule.errorRatio": {"type": ["number", "string"], "exclusiveMinimum": 0, "maximum": 1,
                                          "pattern": r"^(0\.[0-9]*[1-9][0-9]*|1(\.0+)?)$"},
    "metrics.prometheusRule.p99LatencySeconds": {"type": ["number", "string"], "exclusiveMinimum": 0,
                                                 "pattern": r"^([0-9]*[1-9][0-9]*(\.[0-9]+)?|0\.[0-9]*[1-9][0-9]*)$"},
    "metrics.dashboard.labels": {**MAP, "minProperties": 1},
    "metrics.scrapeFrom": {"type": "array", "items": {"type": "object", "minProperties": 1}},
    "backup.schedule": {"type": "string", "minLength": 9},
    "backup.retention": intr(1, 1000),
    "backup.startingDeadlineSeconds": intr(10),
    "backup.backoffLimit": intr(0),
    "backup.activeDeadlineSeconds": intr(60),
    "backup.successfulJobsHistoryLimit": intr(0),
    "backup.failedJobsHistoryLimit": intr(0),
    "backup.persistence.size": QUANTITY,
    "backup.persistence.accessModes": ACCESS_MODES,
}


def from_env_schema(spec: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of a values key that becomes this env.schema.yaml variable."""
    kind = spec.get("type")
    if kind == "int":
        return intr(spec["min"], spec.get("max"))
    if kind == "enum":
        return {"enum": list(spec["values"])}
    if kind == "url":
        schemes = "|".join(re.escape(s) for s in spec["schemes"])
        return {"type": "string", "pattern": f"^$|^({schemes})://"}
    if kind == "secret":  # empty: kept from the installed release or generated by the chart
        return {"type": "string", "anyOf": [{"maxLength": 0}, {"minLength": spec["min_length"]}]}
    if "pattern" in spec:
        return {"type": "string", "pattern": spec["pattern"]}
    raise ValueError(f"env.schema.yaml type {kind!r} has no JSON schema here")


def _rule(path: str, rules: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The most specific rule for path: an exact key first, else the first matching pattern."""
    if path in rules:
        return rules[path]
    return next((rule for pattern, rule in rules.items() if fnmatch.fnmatchcase(path, pattern)), None)


def derive(value: Any, path: str, env_vars: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The schema of one values node: its rule when it has one, else its default's shape."""
    rule = _rule(path, CONSTRAINTS)
    env_name = _rule(path, {k: {"name": v} for k, v in ENV_VARS.items()})
    if env_name is not None:
        return from_env_schema(env_vars[env_name["name"]])
    if rule is not None and "required" not in rule:
        return rule
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": {
            key: derive(child, f"{path}.{key}" if path else key, env_vars) for key, child in value.items()}}
        if rule is not None:
            out["required"] = rule["required"]
        return out
    if isinstance(value, dict):
        return MAP
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, str):
        return STR
    raise ValueError(f"values.yaml: {path} ({value!r}) needs an entry in CONSTRAINTS")


def build() -> dict[str, Any]:
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    env_vars = yaml.safe_load(ENV_SCHEMA.read_text(encoding="utf-8"))["variables"]
    schema = derive(values, "", env_vars)
    return {"$schema": "http://json-schema.org/draft-07/schema#", "title": "todo-app values", **schema}


def main() -> None:
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else CHART / "values.schema.json"
    out.write_text(json.dumps(build(), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
