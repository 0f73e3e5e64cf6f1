"""Metrics in the chart: ServiceMonitor, PrometheusRule and the Grafana dashboard, rendered only
when enabled; the rules' and the dashboard's PromQL checked by promtool (the real parser), and
the alerts' behaviour by promtool's rule unit tests on synthetic series."""

import json
import subprocess

import pytest
import yaml

from chartlib import CHART, PROMTOOL, by_kind, one, render, render_case

BACKEND = "todo-todo-app-backend"
SEL = f'namespace="todo", job="{BACKEND}"'


def promtool(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, cwd=cwd)


def _crds(docs):
    return [d for d in docs if d["apiVersion"].startswith("monitoring.coreos.com/")]


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_monitoring_objects_are_rendered_only_when_enabled(env):
    docs = render(env)
    assert not _crds(docs)
    assert not [c for c in by_kind(docs, "ConfigMap") if "grafana_dashboard" in c["metadata"]["labels"]]


def test_each_switch_renders_its_object_alone():
    only_sm = render("dev", ("metrics.serviceMonitor.enabled=true",))
    assert [d["kind"] for d in _crds(only_sm)] == ["ServiceMonitor"]
    only_rule = render("dev", ("metrics.prometheusRule.enabled=true",))
    assert [d["kind"] for d in _crds(only_rule)] == ["PrometheusRule"]
    only_dash = render("dev", ("metrics.dashboard.enabled=true",))
    assert not _crds(only_dash) and one(only_dash, "ConfigMap", "-dashboard")


def test_service_monitor_scrapes_the_backend_services_http_port_at_metrics():
    docs = render("dev", ("metrics.serviceMonitor.enabled=true", "metrics.serviceMonitor.labels.release=kps",
                          "metrics.serviceMonitor.interval=15s"))
    sm = one(docs, "ServiceMonitor")
    svc = one(docs, "Service", "-backend")
    assert sm["metadata"]["labels"]["release"] == "kps"
    selector = sm["spec"]["selector"]["matchLabels"]
    assert selector.items() <= svc["metadata"]["labels"].items()
    # no other Service of the release matches
    others = [s for s in by_kind(docs, "Service") if s is not svc and selector.items() <= s["metadata"]["labels"].items()]
    assert not others
    assert sm["spec"]["namespaceSelector"] == {"matchNames": ["todo"]}
    (endpoint,) = sm["spec"]["endpoints"]
    assert endpoint["path"] == "/metrics" and endpoint["interval"] == "15s"
    assert endpoint["port"] in {p["name"] for p in svc["spec"]["ports"]}


def test_prometheus_may_reach_the_backend_port_only_when_scraping_is_on():
    def backend_ingress(docs):
        return one(docs, "NetworkPolicy", "-backend")["spec"]["ingress"]

    assert len(backend_ingress(render("dev"))) == 1
    rules = backend_ingress(render_case("metrics-on"))
    scrape = rules[1]
    assert scrape["from"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
                               "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}}]
    assert scrape["ports"] == [{"protocol": "TCP", "port": 8000}]


def test_schema_rejects_bad_metric_values():
    from test_chart_contract import _template_error

    assert "errorRatio" in _template_error("metrics.prometheusRule.errorRatio=2")
    assert "interval" in _template_error("metrics.serviceMonitor.interval=often")
    assert "serviceMonitr" in _template_error("metrics.serviceMonitr.enabled=true")


# --- the rules, through promtool -----------------------------------------------------------------

def _rule_file(tmp_path, sets=()):
    docs = render("dev", ("metrics.serviceMonitor.enabled=true", "metrics.prometheusRule.enabled=true", *sets))
    rule = one(docs, "PrometheusRule")
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rule["spec"], sort_keys=False))
    return path, rule


def test_the_rules_are_the_three_alerts_and_promtool_accepts_them(tmp_path):
    path, rule = _rule_file(tmp_path)
    alerts = [r["alert"] for g in rule["spec"]["groups"] for r in g["rules"]]
    assert alerts == ["TodoBackendHigh5xxRate", "TodoBackendSlowRequests", "TodoBackendNoReadyPod"]
    r = promtool("check", "rules", str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SUCCESS: 3 rules found" in r.stdout


def test_promtool_catches_a_broken_expression(tmp_path):
    """The check above can fail: a rule with a syntax error is refused."""
    path, rule = _rule_file(tmp_path)
    rule["spec"]["groups"][0]["rules"][0]["expr"] = "sum(rate(http_requests_total[5m])"
    path.write_text(yaml.safe_dump(rule["spec"]))
    r = promtool("check", "rules", str(path))
    assert r.returncode != 0 and "parse error" in (r.stdout + r.stderr)


def _series(name, labels, values):
    inner = ", ".join([SEL] + [f'{k}="{v}"' for k, v in labels.items()])
    return {"series": f"{name}{{{inner}}}", "values": values}


def _buckets(route, status, per_minute_by_le):
    """A latency histogram growing by the given counts per minute in each cumulative bucket."""
    return [_series("http_request_duration_seconds_bucket",
                    {"method": "GET", "route": route, "status": status, "le": le}, f"0+{n}x40")
            for le, n in per_minute_by_le.items()]


UP = [_series("up", {}, "1x40"),
      {"series": f'kube_deployment_status_replicas_available{{namespace="todo", deployment="{BACKEND}"}}',
       "values": "1x40"}]
TASKS = "/api/{user_id}/tasks"


def _unit_tests():
    return [
        {   # 10 % of the answers are 500: pending after 3 minutes, firing after 5, with its value
            "interval": "1m",
            "input_series": UP + [
                _series("http_requests_total", {"method": "GET", "route": TASKS, "status": "200"}, "0+90x40"),
                _series("http_requests_total", {"method": "GET", "route": TASKS, "status": "500"}, "0+10x40"),
            ],
            "alert_rule_test": [
                {"eval_time": "4m", "alertname": "TodoBackendHigh5xxRate", "exp_alerts": []},
                {"eval_time": "15m", "alertname": "TodoBackendHigh5xxRate", "exp_alerts": [{
                    "exp_labels": {"severity": "critical"},
                    "exp_annotations": {
                        "summary": "More than 5% of the backend's answers are server errors",
                        "description": f"10% of the requests to {BACKEND} in namespace todo answered 5xx over "
                                       "the last 5 minutes. `make doctor NAMESPACE=todo` and the backend's logs "
                                       "say why."}}]},
                {"eval_time": "15m", "alertname": "TodoBackendSlowRequests", "exp_alerts": []},
                {"eval_time": "15m", "alertname": "TodoBackendNoReadyPod", "exp_alerts": []},
            ],
        },
        {   # 1 % errors: below the 5 % threshold
            "interval": "1m",
            "input_series": UP + [
                _series("http_requests_total", {"method": "GET", "route": TASKS, "status": "200"}, "0+99x40"),
                _series("http_requests_total", {"method": "GET", "route": TASKS, "status": "503"}, "0+1x40"),
            ],
            "alert_rule_test": [{"eval_time": "20m", "alertname": "TodoBackendHigh5xxRate", "exp_alerts": []}],
        },
        {   # the task list answers in 2-5 s at p99: slow; a slow chat alone is not
            "interval": "1m",
            "input_series": UP
            + _buckets(TASKS, "200", {"0.5": 50, "1": 60, "2.5": 60, "5": 100, "+Inf": 100})
            + _buckets("/api/{user_id}/chat", "200", {"0.5": 0, "1": 0, "10": 0, "30": 100, "+Inf": 100}),
            "alert_rule_test": [
                {"eval_time": "8m", "alertname": "TodoBackendSlowRequests", "exp_alerts": []},
                {"eval_time": "25m", "alertname": "TodoBackendSlowRequests",
                 "exp_alerts": [{"exp_labels": {"severity": "warning"}}]},
            ],
        },
        {   # only the chat is slow
            "interval": "1m",
            "input_series": UP
            + _buckets(TASKS, "200", {"0.1": 100, "0.5": 100, "+Inf": 100})
            + _buckets("/api/{user_id}/chat", "200", {"0.5": 0, "10": 0, "30": 100, "+Inf": 100})
            + _buckets("/mcp", "200", {"0.5": 0, "10": 0, "30": 100, "+Inf": 100}),
            "alert_rule_test": [{"eval_time": "25m", "alertname": "TodoBackendSlowRequests", "exp_alerts": []}],
        },
        {   # no available replica (kube-state-metrics), while scrapes still answer
            "interval": "1m",
            "input_series": [
                _series("up", {}, "1x40"),
                {"series": f'kube_deployment_status_replicas_available{{namespace="todo", deployment="{BACKEND}"}}',
                 "values": "1 1 1 1 1 0x35"},
            ],
            "alert_rule_test": [
                {"eval_time": "6m", "alertname": "TodoBackendNoReadyPod", "exp_alerts": []},
                {"eval_time": "10m", "alertname": "TodoBackendNoReadyPod",
                 "exp_alerts": [{"exp_labels": {"severity": "critical"}}]},
            ],
        },
        {   # without kube-state-metrics: no backend answers a scrape
            "interval": "1m",
            "input_series": [_series("up", {}, "0x40")],
            "alert_rule_test": [
                {"eval_time": "10m", "alertname": "TodoBackendNoReadyPod",
                 "exp_alerts": [{"exp_labels": {"severity": "critical"}}]},
            ],
        },
    ]


def test_promtool_rule_unit_tests_fire_exactly_the_expected_alerts(tmp_path):
    path, rule = _rule_file(tmp_path)
    by_name = {r["alert"]: r for r in rule["spec"]["groups"][0]["rules"]}
    tests = _unit_tests()
    for case in tests:
        for check in case["alert_rule_test"]:
            for alert in check["exp_alerts"]:
                if "exp_annotations" not in alert:
                    alert["exp_annotations"] = _static_annotations(by_name[check["alertname"]], case)
    (tmp_path / "rules_test.yaml").write_text(yaml.safe_dump(
        {"rule_files": [path.name], "evaluation_interval": "1m", "tests": tests}, sort_keys=False))
    r = promtool("test", "rules", "rules_test.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SUCCESS" in r.stdout


def _static_annotations(rule, case):
    """The alert's annotations as promtool will expand them, for the rules whose text holds no
    $value (NoReadyPod), or with the one value the slow-requests case produces."""
    out = {}
    for key, text in rule["annotations"].items():
        if "{{ $value | humanizeDuration }}" in text:
            # p99 in the (2.5, 5] bucket holding counts 60..100: 2.5 + (99 - 60) / 40 x 2.5 = 4.9375 s
            text = text.replace("{{ $value | humanizeDuration }}", "4.938s")
        out[key] = text
    return out


def test_promtool_unit_tests_can_fail(tmp_path):
    """Expecting no 5xx alert where there is one makes promtool fail: the tests above are real."""
    path, _ = _rule_file(tmp_path)
    case = _unit_tests()[0]
    case["alert_rule_test"] = [{"eval_time": "15m", "alertname": "TodoBackendHigh5xxRate", "exp_alerts": []}]
    (tmp_path / "rules_test.yaml").write_text(yaml.safe_dump(
        {"rule_files": [path.name], "evaluation_interval": "1m", "tests": [case]}))
    r = promtool("test", "rules", "rules_test.yaml", cwd=tmp_path)
    assert r.returncode != 0 and "TodoBackendHigh5xxRate" in r.stdout + r.stderr


def test_the_thresholds_are_values(tmp_path):
    _, rule = _rule_file(tmp_path, ("metrics.prometheusRule.errorRatio=0.2",
                                    "metrics.prometheusRule.p99LatencySeconds=2.5"))
    exprs = {r["alert"]: r["expr"] for r in rule["spec"]["groups"][0]["rules"]}
    assert exprs["TodoBackendHigh5xxRate"].rstrip().endswith("> 0.2")
    assert exprs["TodoBackendSlowRequests"].rstrip().endswith("> 2.5")


def test_without_the_service_monitor_no_ready_pod_relies_on_kube_state_metrics_alone():
    rule = one(render("dev", ("metrics.prometheusRule.enabled=true",)), "PrometheusRule")
    expr = {r["alert"]: r["expr"] for r in rule["spec"]["groups"][0]["rules"]}["TodoBackendNoReadyPod"]
    assert "absent(up" not in expr and "kube_deployment_status_replicas_available" in expr


# --- the Grafana dashboard -----------------------------------------------------------------------

def _dashboard():
    cm = one(render_case("metrics-on"), "ConfigMap", "-dashboard")
    return cm, json.loads(cm["data"]["todo-backend.json"])


def test_dashboard_configmap_carries_the_grafana_sidecar_label_and_the_chart_file():
    cm, dash = _dashboard()
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert dash == json.loads((CHART / "dashboards" / "todo-backend.json").read_text())
    assert dash["uid"] == "todo-backend" and len(dash["panels"]) >= 10
    other_ns = one(render("dev", ("metrics.dashboard.enabled=true", "metrics.dashboard.namespace=monitoring")),
                   "ConfigMap", "-dashboard")
    assert other_ns["metadata"]["namespace"] == "monitoring"


def test_every_dashboard_query_parses_with_promtool(tmp_path):
    """Each panel's PromQL, with Grafana's variables given example values, as a recording rule
    that promtool parses: a typo in a query fails here rather than as an empty panel."""
    _, dash = _dashboard()
    rules = []
    for panel in dash["panels"]:
        for target in panel["targets"]:
            expr = (target["expr"].replace("$__rate_interval", "5m")
                    .replace("$namespace", "todo").replace("$job", BACKEND))
            assert "$" not in expr, (panel["title"], expr)
            rules.append({"record": f"dashboard:panel_{panel['id']}_{target['refId'].lower()}", "expr": expr})
    path = tmp_path / "dashboard-rules.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    r = promtool("check", "rules", str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"SUCCESS: {len(rules)} rules found" in r.stdout
