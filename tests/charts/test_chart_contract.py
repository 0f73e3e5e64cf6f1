"""The chart's contract: what each value does to the rendered objects."""

import ipaddress

import pytest

from chartlib import CHART, TEST_DB_CIDR, VERSION, by_kind, helm, one, pod_specs, render, render_case


def _template_error(*sets, env="dev"):
    args = ["template", "todo", str(CHART), "-f", str(CHART / f"values-{env}.yaml")]
    for s in sets:
        args += ["--set", s] if not s.startswith("--") else [s]
    r = helm(*args, check=False)
    assert r.returncode != 0, f"helm template accepted {sets}"
    return r.stderr


# --- values.schema.json -----------------------------------------------------------------------

def test_schema_rejects_a_typo_in_a_key():
    err = _template_error("backend.replicaCont=2")
    assert "replicaCont" in err and "additional properties" in err.lower()


def test_schema_rejects_an_unknown_top_level_key(tmp_path):
    bad = tmp_path / "typo.yaml"
    bad.write_text("ingres:\n  enabled: true\n")
    r = helm("template", "todo", str(CHART), "-f", str(bad), check=False)
    assert r.returncode != 0 and "ingres" in r.stderr


def test_schema_rejects_a_wrong_type():
    err = _template_error("--set-string=backend.replicaCount=two")
    assert "replicaCount" in err


def test_schema_rejects_the_latest_tag_and_an_unknown_service_type():
    assert "tag" in _template_error("image.tag=latest")
    assert "type" in _template_error("frontend.service.type=ExternalName")


def test_schema_rejects_a_short_jwt_secret():
    assert "jwtSecret" in _template_error("secret.jwtSecret=short")


# --- checksums roll the pods -----------------------------------------------------------------

def _checksums(docs):
    return {d["metadata"]["name"]: d["spec"]["template"]["metadata"]["annotations"]
            for d in by_kind(docs, "Deployment")}


def test_changing_a_configmap_value_changes_the_config_checksum_only():
    base = _checksums(render("dev", ("secret.jwtSecret=" + "a" * 32, "secret.postgresPassword=" + "b" * 16)))
    changed = _checksums(render("dev", ("secret.jwtSecret=" + "a" * 32, "secret.postgresPassword=" + "b" * 16,
                                        "config.logLevel=warning")))
    for name in base:
        assert base[name]["checksum/config"] != changed[name]["checksum/config"], name
        assert base[name].get("checksum/secret") == changed[name].get("checksum/secret"), name


def test_changing_a_secret_value_changes_the_backend_secret_checksum():
    a = _checksums(render("dev", ("secret.jwtSecret=" + "a" * 32, "secret.postgresPassword=" + "b" * 16)))
    b = _checksums(render("dev", ("secret.jwtSecret=" + "c" * 32, "secret.postgresPassword=" + "b" * 16)))
    backend = "todo-todo-app-backend"
    assert a[backend]["checksum/secret"] != b[backend]["checksum/secret"]
    # The frontend reads no Secret, so a Secret change does not restart it.
    assert "checksum/secret" not in a["todo-todo-app-frontend"]


def test_the_database_is_not_restarted_by_app_config_changes():
    sts = one(render("dev"), "StatefulSet")
    assert not any(k.startswith("checksum/") for k in sts["spec"]["template"]["metadata"].get("annotations", {}))


# --- HPA, replicas, PDB, spread ---------------------------------------------------------------

def test_hpa_on_removes_replicas_and_targets_cpu_and_memory():
    docs = render_case("hpa-on")
    for dep in by_kind(docs, "Deployment"):
        assert "replicas" not in dep["spec"], dep["metadata"]["name"]
    hpas = by_kind(docs, "HorizontalPodAutoscaler")
    assert {h["spec"]["scaleTargetRef"]["name"] for h in hpas} == {d["metadata"]["name"] for d in by_kind(docs, "Deployment")}
    for h in hpas:
        assert h["apiVersion"] == "autoscaling/v2"
        assert {m["resource"]["name"] for m in h["spec"]["metrics"]} == {"cpu", "memory"}


def test_hpa_off_keeps_replicas_and_renders_no_hpa():
    docs = render_case("hpa-off-prod")
    assert not by_kind(docs, "HorizontalPodAutoscaler")
    assert all(d["spec"]["replicas"] == 2 for d in by_kind(docs, "Deployment"))


def test_spread_only_when_more_than_one_replica():
    for d in by_kind(render("dev"), "Deployment"):
        assert "affinity" not in d["spec"]["template"]["spec"]
    for d in by_kind(render("staging"), "Deployment"):
        spec = d["spec"]["template"]["spec"]
        assert spec["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
        assert spec["topologySpreadConstraints"][0]["topologyKey"] == "kubernetes.io/hostname"


def test_prod_values_have_replicas_hpa_pdb_ingress_and_an_external_database():
    docs = render("prod")
    assert len(by_kind(docs, "HorizontalPodAutoscaler")) == 2
    assert all(h["spec"]["minReplicas"] >= 2 for h in by_kind(docs, "HorizontalPodAutoscaler"))
    pdbs = by_kind(docs, "PodDisruptionBudget")
    assert len(pdbs) == 2 and all(p["spec"] == {**p["spec"], "minAvailable": 1} for p in pdbs)
    assert all("maxUnavailable" not in p["spec"] for p in pdbs)
    ing = one(docs, "Ingress")
    assert ing["spec"]["tls"] and ing["spec"]["ingressClassName"] == "nginx"
    assert not by_kind(docs, "StatefulSet") and not by_kind(docs, "Secret")


# --- rolling updates ----------------------------------------------------------------------------

@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_rolling_updates_have_zero_downtime_settings(env):
    for d in by_kind(render(env), "Deployment"):
        assert d["spec"]["strategy"] == {"type": "RollingUpdate",
                                         "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
        spec = d["spec"]["template"]["spec"]
        c = spec["containers"][0]
        sleep = int(c["lifecycle"]["preStop"]["exec"]["command"][1])
        assert sleep > 0
        # The backend drains for up to 20 s after SIGTERM (app/serve.py).
        assert spec["terminationGracePeriodSeconds"] > sleep + 20


def test_default_resources_match_the_requirements():
    docs = render("dev")
    res = {d["metadata"]["name"].rsplit("-", 1)[1]: d["spec"]["template"]["spec"]["containers"][0]["resources"]
           for d in by_kind(docs, "Deployment")}
    assert res["backend"]["requests"]["cpu"] == "200m" and res["backend"]["requests"]["memory"] == "256Mi"
    assert res["backend"]["limits"]["cpu"] == "500m" and res["backend"]["limits"]["memory"] == "512Mi"
    assert res["frontend"]["requests"]["cpu"] == "100m" and res["frontend"]["requests"]["memory"] == "128Mi"
    assert res["frontend"]["limits"]["cpu"] == "300m" and res["frontend"]["limits"]["memory"] == "256Mi"


# --- Secret, config, images ---------------------------------------------------------------------

def test_existing_secret_renders_no_secret_and_pods_use_it():
    docs = render_case("existing-secret")
    assert not by_kind(docs, "Secret")
    refs = {e["valueFrom"]["secretKeyRef"]["name"]
            for _, spec, _ in pod_specs(docs) for c in spec["containers"] for e in c.get("env", [])
            if "secretKeyRef" in e.get("valueFrom", {})}
    assert refs == {"todo-env"}


def test_chart_secret_when_no_existing_secret_and_the_values_given():
    docs = render("dev", ("secret.jwtSecret=" + "j" * 32, "secret.postgresPassword=" + "p" * 16))
    secret = one(docs, "Secret")
    assert set(secret["data"]) == {"JWT_SECRET", "POSTGRES_PASSWORD"}


def test_external_database_needs_a_database_url():
    err = _template_error("postgresql.enabled=false")
    assert "databaseUrl" in err


def test_frontend_gets_backend_url_of_the_backend_service():
    cm = one(render("dev"), "ConfigMap")
    assert cm["data"]["BACKEND_URL"] == "http://todo-todo-app-backend:8000"
    assert one(render("dev"), "Service", "-backend")["spec"]["type"] == "ClusterIP"


def test_images_default_to_app_version_and_take_registry_and_tag():
    images = {c["image"] for _, s, _ in pod_specs(render("dev")) for c in s["containers"]}
    assert f"todo-backend:{VERSION}" in images and f"todo-frontend:{VERSION}" in images
    images = {c["image"] for _, s, _ in pod_specs(render_case("registry")) for c in s["containers"]}
    assert "ghcr.io/example/todo-backend:0.1.0-abc1234" in images


@pytest.mark.parametrize("env,service_type", [("dev", "NodePort"), ("staging", "ClusterIP"), ("prod", "ClusterIP")])
def test_frontend_service_type_per_environment(env, service_type):
    svc = one(render(env), "Service", "-frontend")
    assert svc["spec"]["type"] == service_type
    if service_type == "NodePort":
        assert svc["spec"]["ports"][0]["nodePort"] == 30080


def test_load_balancer_service_type():
    assert one(render_case("loadbalancer"), "Service", "-frontend")["spec"]["type"] == "LoadBalancer"


def test_ingress_off_by_default_and_with_class_hosts_and_tls_when_on():
    assert not by_kind(render("dev"), "Ingress")
    ing = one(render_case("ingress-on-tls"), "Ingress")
    assert ing["spec"]["ingressClassName"] == "nginx"
    assert ing["spec"]["tls"] == [{"secretName": "todo-tls", "hosts": ["todo.local"]}]
    backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "todo-todo-app-frontend", "port": {"name": "http"}}


# --- PostgreSQL, migrations, helm test ----------------------------------------------------------

def test_bundled_postgresql_is_a_statefulset_with_headless_service_pvc_and_pg_isready():
    docs = render("dev", ("postgresql.persistence.size=3Gi", "postgresql.persistence.storageClass=standard"))
    sts = one(docs, "StatefulSet")
    c = sts["spec"]["template"]["spec"]["containers"][0]
    assert c["image"] == "postgres:15-alpine"
    assert "pg_isready" in " ".join(c["readinessProbe"]["exec"]["command"])
    pvc = sts["spec"]["volumeClaimTemplates"][0]["spec"]
    assert pvc["resources"]["requests"]["storage"] == "3Gi" and pvc["storageClassName"] == "standard"
    svc = one(docs, "Service", "-postgresql")
    assert svc["spec"]["clusterIP"] == "None" and sts["spec"]["serviceName"] == svc["metadata"]["name"]


def test_postgresql_off_uses_database_url_from_the_secret():
    docs = render_case("postgresql-off")
    assert not by_kind(docs, "StatefulSet")
    backend = one(docs, "Deployment", "-backend")["spec"]["template"]["spec"]["containers"][0]
    db = next(e for e in backend["env"] if e["name"] == "DATABASE_URL")
    assert db["valueFrom"]["secretKeyRef"]["key"] == "DATABASE_URL"


def test_migration_job_is_a_hook_running_migrate_in_the_backend_image():
    job = one(render("dev"), "Job")
    ann = job["metadata"]["annotations"]
    assert ann["helm.sh/hook"] == "post-install,pre-upgrade"
    assert ann["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"
    c = job["spec"]["template"]["spec"]["containers"][0]
    assert c["args"] == ["migrate"] and c["image"].startswith("todo-backend:")
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_helm_test_pod_calls_backend_ready_and_frontend_healthz():
    pod = one(render("dev"), "Pod")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    # kept until the next run: `helm test --logs` (make helm-install) reads its logs afterwards
    assert pod["metadata"]["annotations"]["helm.sh/hook-delete-policy"] == "before-hook-creation"
    cmd = " ".join(pod["spec"]["containers"][0]["command"])
    assert "http://todo-todo-app-backend:8000/ready" in cmd
    assert "http://todo-todo-app-frontend:3000/api/healthz" in cmd


def test_service_account_never_mounts_its_token():
    sa = one(render("dev"), "ServiceAccount")
    assert sa["automountServiceAccountToken"] is False


def _notes(tmp_path, env):
    """NOTES.txt as helm would print it: `helm install --dry-run` needs a cluster, so a copy of
    the chart wraps the rendered NOTES.txt in a ConfigMap that `helm template` can show."""
    import shutil
    import yaml
    chart = tmp_path / "todo-app"
    if not chart.exists():
        shutil.copytree(CHART, chart)
        (chart / "templates" / "zz-notes.yaml").write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: |\n"
            '{{ include (print $.Template.BasePath "/NOTES.txt") . | indent 4 }}\n')
    r = helm("template", "todo", str(chart), "-n", "todo", "-f", str(chart / f"values-{env}.yaml"),
             "--set", f"externalDatabase.cidr={TEST_DB_CIDR}", "--show-only", "templates/zz-notes.yaml")
    return yaml.safe_load(r.stdout)["data"]["notes"]


# --- database connections: the backend's share of max_connections -------------------------------

def _backend_env(docs):
    dep = one(docs, "Deployment", "-backend")
    cm = one(docs, "ConfigMap")
    assert dep["spec"]["template"]["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["name"] == cm["metadata"]["name"]
    return cm["data"]


def test_workers_and_pool_size_are_chart_values_in_the_backend_environment():
    env = _backend_env(render("dev"))
    assert env["WEB_CONCURRENCY"] == "1" and env["DB_POOL_SIZE"] == "5"
    env = _backend_env(render("dev", ("config.webConcurrency=2", "config.dbPoolSize=7")))
    assert env["WEB_CONCURRENCY"] == "2" and env["DB_POOL_SIZE"] == "7"


def test_the_bundled_postgresql_gets_max_connections_from_the_values():
    sts = one(render("dev", ("postgresql.maxConnections=250",)), "StatefulSet")
    assert sts["spec"]["template"]["spec"]["containers"][0]["args"] == ["-c", "max_connections=250"]


@pytest.mark.parametrize("sets", [
    # (replicas + 1 surge) x workers x (pool + 1) > 100 - 10
    ("backend.replicaCount=9", "config.dbPoolSize=10"),                     # 10 x 1 x 11 = 110
    ("backend.autoscaling.enabled=true", "backend.autoscaling.maxReplicas=15"),  # 16 x 1 x 6 = 96
    ("backend.replicaCount=2", "config.webConcurrency=6"),                  # 3 x 6 x 6 = 108
    ("postgresql.connectionReserve=40", "backend.replicaCount=10"),         # 11 x 1 x 6 = 66 > 100 - 40
])
def test_the_chart_refuses_more_backend_connections_than_the_bundled_postgresql_allows(sets):
    err = _template_error(*sets)
    assert "database connections" in err and "postgresql.maxConnections" in err


def test_the_connection_check_counts_the_hpa_maximum_not_the_replicas():
    # 8 replicas would fit (9 x 6 = 54); with the HPA on, its maximum of 15 counts (16 x 6 = 96 > 90)
    render("dev", ("backend.replicaCount=8",))
    _template_error("backend.replicaCount=8", "backend.autoscaling.enabled=true", "backend.autoscaling.maxReplicas=15")
    render("dev", ("backend.autoscaling.enabled=true", "backend.autoscaling.maxReplicas=14"))  # 15 x 6 = 90


def test_an_external_database_is_not_checked_but_the_notes_warn_with_the_figure(tmp_path):
    render("prod", ("backend.autoscaling.maxReplicas=50",))  # renders: the chart cannot see its limit
    notes = _notes(tmp_path, "prod")
    assert "WARNING: the backend can open up to 66 connections to the external database" in notes
    assert "max_connections" in _notes(tmp_path, "dev") and "WARNING" not in _notes(tmp_path, "dev")


def test_notes_say_how_to_reach_the_app_and_check_it(tmp_path):
    notes = _notes(tmp_path, "dev")
    assert "NodePort" in notes and "30080" in notes and "kubectl port-forward" in notes
    assert "helm test todo" in notes and "make doctor" in notes
    assert "https://todo.example.com/" in _notes(tmp_path, "prod")


# --- NetworkPolicies: exactly the intended flows ------------------------------------------------

INTERNET = "203.0.113.10"  # TEST-NET-3: stands for OpenAI or Neon
COMPONENTS = ("frontend", "backend", "postgresql", "migrate", "test", "backup")
# Prometheus, outside the release (metrics.scrapeFrom's default peer)
PROMETHEUS = ("ext-pod", ("monitoring", {"app.kubernetes.io/name": "prometheus"}))


def _labels(component):
    return {"app.kubernetes.io/name": "todo-app", "app.kubernetes.io/instance": "todo",
            "app.kubernetes.io/component": component}


def _selects(selector, labels):
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def _peer_matches(peer, endpoint):
    kind, value = endpoint  # ("pod", labels) | ("ip", address) | ("dns", None) | ("ext-pod", (namespace, labels))
    if "ipBlock" in peer:
        return kind == "ip" and ipaddress.ip_address(value) in ipaddress.ip_network(peer["ipBlock"]["cidr"])
    if "namespaceSelector" in peer:
        if kind == "ext-pod":
            namespace, labels = value
            return _selects(peer["namespaceSelector"], {"kubernetes.io/metadata.name": namespace}) \
                and _selects(peer.get("podSelector", {}), labels)
        return kind == "dns"  # cluster DNS, in kube-system
    if "podSelector" in peer:
        return kind == "pod" and _selects(peer["podSelector"], value)
    return False


def _ports_match(ports, port, proto):
    return not ports or any(p.get("port") == port and p.get("protocol", "TCP") == proto for p in ports)


def _allowed(policies, direction, pod_labels, other, port, proto):
    kind = "Ingress" if direction == "ingress" else "Egress"
    selecting = [p for p in policies if _selects(p["spec"]["podSelector"], pod_labels)
                 and kind in p["spec"].get("policyTypes", ["Ingress"])]
    if not selecting:
        return True
    key = "from" if direction == "ingress" else "to"
    for p in selecting:
        for rule in p["spec"].get(direction, []):
            peers = rule.get(key)
            if (not peers or any(_peer_matches(peer, other) for peer in peers)) \
                    and _ports_match(rule.get("ports"), port, proto):
                return True
    return False


def _flows(docs):
    policies = by_kind(docs, "NetworkPolicy")
    present = {lbl.get("app.kubernetes.io/component") for _, _, lbl in pod_specs(docs)}
    dests = [(c, ("pod", _labels(c)), port) for c, port in
             (("frontend", 3000), ("backend", 8000), ("postgresql", 5432)) if c in present]
    dests += [("dns", ("dns", None), 53), ("internet", ("ip", INTERNET), 443), ("internet", ("ip", INTERNET), 5432)]
    sources = ["outside", "prometheus"] + [c for c in COMPONENTS if c in present]
    allowed = set()
    for src in sources:
        for name, endpoint, port in dests:
            external = src in ("outside", "prometheus")
            if src == name or (external and endpoint[0] != "pod"):
                continue
            proto = "UDP" if port == 53 else "TCP"
            egress_ok = external or _allowed(policies, "egress", _labels(src), endpoint, port, proto)
            peer = {"outside": ("ip", INTERNET), "prometheus": PROMETHEUS}.get(src, ("pod", _labels(src)))
            ingress_ok = endpoint[0] != "pod" or _allowed(policies, "ingress", endpoint[1], peer, port, proto)
            if egress_ok and ingress_ok:
                allowed.add(f"{src}->{name}:{port}")
    return allowed


BASE_FLOWS = {"outside->frontend:3000", "prometheus->frontend:3000", "frontend->backend:8000", "test->backend:8000",
              "test->frontend:3000", "frontend->dns:53", "backend->dns:53", "migrate->dns:53",
              "test->dns:53"}


def test_network_policies_allow_exactly_the_app_flows_with_the_bundled_database():
    assert _flows(render("dev")) == BASE_FLOWS | {"backend->postgresql:5432", "migrate->postgresql:5432"}


def test_network_policies_with_openai_add_https_egress_for_the_backend_only():
    assert _flows(render_case("openai")) == BASE_FLOWS | {
        "backend->postgresql:5432", "migrate->postgresql:5432", "backend->internet:443"}


def test_network_policies_with_an_external_database():
    assert _flows(render("prod", ("tests.enabled=true",))) == BASE_FLOWS | {
        "backend->internet:5432", "migrate->internet:5432"}


def test_network_policies_with_backups_let_the_backup_pods_reach_the_database_only():
    assert _flows(render("staging")) == BASE_FLOWS | {
        "backend->postgresql:5432", "migrate->postgresql:5432", "backup->postgresql:5432", "backup->dns:53"}
    assert _flows(render("prod", ("tests.enabled=true", "backup.enabled=true"))) == BASE_FLOWS | {
        "backend->internet:5432", "migrate->internet:5432", "backup->internet:5432", "backup->dns:53"}


def test_network_policies_with_scraping_let_prometheus_reach_the_backend_port():
    assert _flows(render_case("metrics-on")) == BASE_FLOWS | {
        "backend->postgresql:5432", "migrate->postgresql:5432", "prometheus->backend:8000"}


def test_every_pod_of_the_release_is_under_the_default_deny_policy():
    docs = render("dev")
    deny = one(docs, "NetworkPolicy", "-default-deny")
    assert deny["spec"]["policyTypes"] == ["Ingress", "Egress"] and "ingress" not in deny["spec"]
    for obj, _, labels in pod_specs(docs):
        assert _selects(deny["spec"]["podSelector"], labels), obj["metadata"]["name"]


# --- hostile clients (issue: bound every input): what the chart itself enforces -------------------


def test_staging_and_prod_ingresses_serve_tls_only() -> None:
    for env in ("staging", "prod"):
        ing = one(render(env), "Ingress")
        assert ing["spec"].get("tls"), f"{env}: an Ingress without TLS"
        assert ing["metadata"]["annotations"]["nginx.ingress.kubernetes.io/ssl-redirect"] == "true"


def test_nginx_ingress_bounds_bodies_and_rates_per_client() -> None:
    ann = one(render("prod"), "Ingress")["metadata"]["annotations"]
    assert ann["nginx.ingress.kubernetes.io/proxy-body-size"] == "128k"
    assert int(ann["nginx.ingress.kubernetes.io/limit-rps"]) > 0
    assert int(ann["nginx.ingress.kubernetes.io/limit-connections"]) > 0
    off = one(render("prod", ("ingress.nginx.limitRps=0",)), "Ingress")["metadata"]["annotations"]
    assert "nginx.ingress.kubernetes.io/limit-rps" not in off


def test_pods_send_dns_queries_only_to_the_cluster_dns() -> None:
    for policy in by_kind(render("prod"), "NetworkPolicy"):
        for rule in policy["spec"].get("egress", []):
            if any(p.get("port") == 53 for p in rule.get("ports", [])):
                peers = rule.get("to")
                assert peers, f"{policy['metadata']['name']}: DNS to any address"
                assert peers[0]["podSelector"]["matchLabels"] == {"k8s-app": "kube-dns"}


def test_an_external_database_must_be_located_no_egress_to_everywhere_by_default() -> None:
    r = helm("template", "todo", str(CHART), "-f", str(CHART / "values-prod.yaml"), check=False)
    assert r.returncode != 0 and "externalDatabase.cidr" in r.stderr
    db_rules = [
        rule
        for policy in by_kind(render("prod"), "NetworkPolicy")
        for rule in policy["spec"].get("egress", [])
        if any(p.get("port") == 5432 for p in rule.get("ports", []))
    ]
    assert db_rules and all(rule["to"][0]["ipBlock"]["cidr"] == TEST_DB_CIDR for rule in db_rules)


def test_the_migration_job_gets_the_database_url_and_no_other_secret() -> None:
    for env in ("dev", "prod"):
        job = one(render(env), "Job")
        names = {e["name"] for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert "DATABASE_URL" in names and not names & {"JWT_SECRET", "OPENAI_API_KEY"}, (env, names)
