"""Writes helm/todo-app/values.schema.json (run by hand after changing values.yaml; a test checks
it is up to date). Every object rejects unknown keys, so a typo in a values file fails `helm lint`."""

import json
import pathlib
import sys

def obj(props, required=None, **kw):
    out = {"type": "object", "additionalProperties": False, "properties": props}
    if required:
        out["required"] = required
    out.update(kw)
    return out

STR = {"type": "string"}
BOOL = {"type": "boolean"}
INT = {"type": "integer"}
def intr(lo, hi=None):
    d = {"type": "integer", "minimum": lo}
    if hi is not None:
        d["maximum"] = hi
    return d
QUANTITY = {"type": ["string", "number"], "pattern": r"^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$"}
MAP = {"type": "object", "additionalProperties": {"type": "string"}}
ANYLIST = {"type": "array", "items": {"type": "object"}}
TAG = {"type": "string", "not": {"enum": ["latest"]}, "description": "never latest"}
IMAGE = obj({"registry": STR, "repository": {"type": "string", "minLength": 1}, "tag": TAG,
             "pullPolicy": {"enum": ["", "Always", "IfNotPresent", "Never"]}}, ["repository"])
RES = obj({"requests": obj({"cpu": QUANTITY, "memory": QUANTITY, "ephemeral-storage": QUANTITY}, ["cpu", "memory"]),
           "limits": obj({"cpu": QUANTITY, "memory": QUANTITY, "ephemeral-storage": QUANTITY}, ["cpu", "memory"])},
          ["requests", "limits"])
INT_OR_PCT = {"type": ["integer", "string"], "pattern": r"^([0-9]+%?)?$"}
AUTOSCALING = obj({"enabled": BOOL, "minReplicas": intr(1), "maxReplicas": intr(1),
                   "targetCPUUtilizationPercentage": intr(0, 100),
                   "targetMemoryUtilizationPercentage": intr(0, 100)})
PDB = obj({"create": BOOL, "minAvailable": INT_OR_PCT, "maxUnavailable": INT_OR_PCT})
def app(service):
    return obj({"image": IMAGE, "replicaCount": intr(0), "runAsUser": intr(1), "service": service,
                "resources": RES, "autoscaling": AUTOSCALING, "pdb": PDB,
                "podAnnotations": MAP, "extraEnv": ANYLIST})

DURATION = {"type": "string", "pattern": r"^([0-9]+(ms|s|m|h))+$"}
PEERS = {"type": "array", "items": {"type": "object", "minProperties": 1}}
METRICS = obj({
    "serviceMonitor": obj({"enabled": BOOL, "interval": DURATION, "scrapeTimeout": DURATION, "labels": MAP}),
    # numbers, or strings of them: `helm --set x=0.2` passes a decimal as a string
    "prometheusRule": obj({"enabled": BOOL, "labels": MAP,
                           "errorRatio": {"type": ["number", "string"], "exclusiveMinimum": 0, "maximum": 1,
                                          "pattern": r"^(0\.[0-9]*[1-9][0-9]*|1(\.0+)?)$"},
                           "p99LatencySeconds": {"type": ["number", "string"], "exclusiveMinimum": 0,
                                                 "pattern": r"^([0-9]*[1-9][0-9]*(\.[0-9]+)?|0\.[0-9]*[1-9][0-9]*)$"}}),
    "dashboard": obj({"enabled": BOOL, "labels": {**MAP, "minProperties": 1}, "namespace": STR}),
    "scrapeFrom": PEERS,
})
BACKUP = obj({
    "enabled": BOOL,
    "schedule": {"type": "string", "minLength": 9},
    "timeZone": STR,
    "retention": intr(1, 1000),
    "startingDeadlineSeconds": intr(10), "backoffLimit": intr(0), "activeDeadlineSeconds": intr(60),
    "successfulJobsHistoryLimit": intr(0), "failedJobsHistoryLimit": intr(0),
    "persistence": obj({"existingClaim": STR, "size": QUANTITY, "storageClass": STR,
                        "accessModes": {"type": "array", "minItems": 1, "items": {
                            "enum": ["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany"]}}}),
    "resources": RES,
})

schema = obj({
    "nameOverride": STR, "fullnameOverride": STR, "commonLabels": MAP,
    "image": obj({"registry": STR, "tag": TAG,
                  "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
                  "pullSecrets": {"type": "array", "items": STR}}),
    "existingSecret": STR,
    "secret": obj({"jwtSecret": {"type": "string", "anyOf": [{"maxLength": 0}, {"minLength": 32}]},
                   "postgresPassword": {"type": "string", "anyOf": [{"maxLength": 0}, {"minLength": 16}]},
                   "databaseUrl": {"type": "string", "pattern": r"^$|^postgres(ql)?(\+psycopg)?://"},
                   "openaiApiKey": STR}),
    "config": obj({"logLevel": {"enum": ["debug", "info", "warning", "error"]},
                   "chatProvider": {"enum": ["local", "openai"]},
                   "openaiModel": {"type": "string", "minLength": 1},
                   "openaiBaseUrl": {"type": "string", "pattern": r"^$|^https?://"},
                   "jwtExpireMinutes": intr(1, 43200), "webConcurrency": intr(1, 32),
                   "dbPoolSize": intr(1, 100),
                   "postgresUser": {"type": "string", "minLength": 1},
                   "postgresDb": {"type": "string", "minLength": 1}}),
    "serviceAccount": obj({"create": BOOL, "name": STR, "annotations": MAP}),
    "terminationGracePeriodSeconds": intr(1), "preStopSleepSeconds": intr(0),
    "nodeSelector": MAP, "tolerations": ANYLIST,
    "backend": app(obj({"port": intr(1, 65535)})),
    "frontend": app(obj({"type": {"enum": ["ClusterIP", "NodePort", "LoadBalancer"]},
                         "port": intr(1, 65535),
                         "nodePort": {"type": ["integer", "null"], "minimum": 30000, "maximum": 32767},
                         "annotations": MAP})),
    "migration": obj({"enabled": BOOL, "backoffLimit": intr(0), "activeDeadlineSeconds": intr(1),
                      "resources": RES}),
    "ingress": obj({"enabled": BOOL, "className": STR, "annotations": MAP,
                    "nginx": obj({"proxyBodySize": {"type": "string", "pattern": r"^[0-9]+[kKmMgG]?$"},
                                  "limitRps": intr(0), "limitConnections": intr(0)}),
                    "hosts": {"type": "array", "items": obj({
                        "host": STR,
                        "paths": {"type": "array", "minItems": 1, "items": obj({
                            "path": {"type": "string", "pattern": "^/"},
                            "pathType": {"enum": ["Prefix", "Exact", "ImplementationSpecific"]}},
                            ["path", "pathType"])}}, ["host", "paths"])},
                    "tls": {"type": "array", "items": obj({
                        "secretName": {"type": "string", "minLength": 1},
                        "hosts": {"type": "array", "items": STR}}, ["secretName", "hosts"])}}),
    "postgresql": obj({"enabled": BOOL,
                       "image": obj({"registry": STR, "repository": {"type": "string", "minLength": 1},
                                     "tag": TAG, "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]}}),
                       "maxConnections": intr(10, 10000), "connectionReserve": intr(3),
                       "runAsUser": intr(1),
                       "service": obj({"port": intr(1, 65535)}),
                       "persistence": obj({"size": QUANTITY, "storageClass": STR,
                                           "accessModes": {"type": "array", "minItems": 1, "items": {
                                               "enum": ["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany"]}}}),
                       "resources": RES}),
    "externalDatabase": obj({"port": intr(1, 65535),
                             "cidr": {"type": "string", "pattern": r"^([0-9a-fA-F.:]+/[0-9]{1,3})?$"}}),
    "networkPolicy": obj({"enabled": BOOL, "allowExternalHttps": {"type": ["boolean", "null"]},
                          "ingressFrom": ANYLIST,
                          "dns": obj({"namespace": {"type": "string", "minLength": 1},
                                      "podLabels": {**MAP, "minProperties": 1}}, ["namespace", "podLabels"])}),
    "tests": obj({"enabled": BOOL}),
    "metrics": METRICS,
    "backup": BACKUP,
}, **{"$schema": "http://json-schema.org/draft-07/schema#", "title": "todo-app values"})

out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "helm/todo-app/values.schema.json")
out.write_text(json.dumps(schema, indent=2) + "\n")
