"""Scheduled backups in the chart: a CronJob running pg_dump into a PVC with a retention count,
off in dev, on in staging; and its script, run by a real shell with a stand-in pg_dump."""

import os
import stat
import subprocess

import pytest

from chartlib import by_kind, one, render, render_case


def _cronjob(docs):
    return one(docs, "CronJob", "-backup")


def _container(cron):
    return cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]


def _env(container):
    return {e["name"]: e for e in container["env"]}


def test_backups_are_off_in_dev_and_prod_and_on_in_staging():
    assert not by_kind(render("dev"), "CronJob") and not by_kind(render("prod"), "CronJob")
    docs = render("staging")
    cron = _cronjob(docs)
    assert cron["spec"]["schedule"] == "30 2 * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert _env(_container(cron))["RETENTION"]["value"] == "7"


def test_the_dumps_go_to_the_charts_pvc_which_survives_uninstall():
    docs = render("staging")
    pvc = one(docs, "PersistentVolumeClaim", "-backup")
    assert pvc["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    assert pvc["spec"]["resources"]["requests"]["storage"] == "2Gi"
    pod = _cronjob(docs)["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    claim = next(v for v in pod["volumes"] if v["name"] == "backups")["persistentVolumeClaim"]["claimName"]
    assert claim == pvc["metadata"]["name"]
    assert {"name": "backups", "mountPath": "/backups"} in _container(_cronjob(docs))["volumeMounts"]


def test_an_existing_claim_replaces_the_charts_pvc():
    docs = render("staging", ("backup.persistence.existingClaim=my-backups",))
    assert not [p for p in by_kind(docs, "PersistentVolumeClaim") if p["metadata"]["name"].endswith("-backup")]
    pod = _cronjob(docs)["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["volumes"][0]["persistentVolumeClaim"]["claimName"] == "my-backups"


def test_bundled_database_is_reached_with_libpq_variables_and_the_password_from_the_secret():
    c = _container(_cronjob(render("staging")))
    env = _env(c)
    assert env["PGHOST"]["value"] == "todo-todo-app-postgresql" and env["PGPORT"]["value"] == "5432"
    assert env["PGPASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "POSTGRES_PASSWORD"
    assert env["PGUSER"]["valueFrom"]["configMapKeyRef"]["key"] == "POSTGRES_USER"
    assert "DATABASE_URL" not in env and "JWT_SECRET" not in env
    assert c["image"] == "postgres:15-alpine"  # pg_dump of the server's major version


def test_external_database_is_dumped_from_the_secrets_url_only():
    env = _env(_container(_cronjob(render_case("backup-external"))))
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "todo-env", "key": "DATABASE_URL"}
    assert not {"PGHOST", "PGPASSWORD", "JWT_SECRET", "OPENAI_API_KEY"} & set(env)


def test_schedule_time_zone_and_retention_are_values():
    cron = _cronjob(render("dev", ("backup.enabled=true", "backup.schedule=0 */6 * * *",
                                   "backup.timeZone=Europe/Paris", "backup.retention=3")))
    assert cron["spec"]["schedule"] == "0 */6 * * *" and cron["spec"]["timeZone"] == "Europe/Paris"
    assert _env(_container(cron))["RETENTION"]["value"] == "3"


def test_schema_rejects_a_retention_of_zero():
    from test_chart_contract import _template_error

    assert "retention" in _template_error("backup.enabled=true", "backup.retention=0")


# --- the script the CronJob runs, in a real shell ---------------------------------------------------

FAKE_PG_DUMP = """#!/bin/sh
# stands in for pg_dump: records its arguments and the libpq variables, writes a custom-format header
out=
for a in "$@"; do case $a in --file=*) out=${a#--file=} ;; esac; done
printf '%s\\n' "$*" > "$CALLS"
printf 'PGHOST=%s PGDATABASE=%s\\n' "${PGHOST:-}" "${PGDATABASE:-}" >> "$CALLS"
[ -n "${FAIL:-}" ] && { echo "pg_dump: error: connection refused" >&2; exit 1; }
printf 'PGDMP fake dump' > "$out"
"""


def _run_script(tmp_path, env, rendered="staging", sets=()):
    """The CronJob's script with /backups pointing at a temporary directory."""
    script = _container(_cronjob(render(rendered, sets)))["args"][0]
    backups = tmp_path / "backups"
    backups.mkdir(exist_ok=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "pg_dump"
    fake.write_text(FAKE_PG_DUMP)
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    full_env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "CALLS": str(tmp_path / "calls"), **env}
    r = subprocess.run(["sh", "-c", script.replace("/backups", str(backups))], env=full_env,
                       capture_output=True, text=True, timeout=30)
    return r, backups


def test_the_script_dumps_then_keeps_only_the_newest_dumps(tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    old = [f"todo-2020010{d}-000000.dump" for d in range(1, 10)]  # nine older dumps
    for name in old:
        (backups / name).write_text("PGDMP old")
    (backups / "todo-20200110-000000.dump.part").write_text("interrupted")
    r, backups = _run_script(tmp_path, {"RETENTION": "3", "PGHOST": "db", "PGDATABASE": "todo"})
    assert r.returncode == 0, r.stderr
    kept = sorted(p.name for p in backups.iterdir())
    assert len(kept) == 3 and kept[:2] == old[-2:], kept  # the two newest old ones and the new one
    new = kept[2]
    assert (backups / new).read_text().startswith("PGDMP")
    assert "backup: " in r.stdout and "removed" in r.stdout
    calls = (tmp_path / "calls").read_text()
    assert "--format=custom" in calls and "PGHOST=db PGDATABASE=todo" in calls


def test_the_script_strips_sqlalchemys_driver_from_the_external_url(tmp_path):
    url = "postgresql+psycopg://u:p@db.example:5432/todo?sslmode=require"
    r, _ = _run_script(tmp_path, {"RETENTION": "7", "DATABASE_URL": url}, "prod",
                       ("backup.enabled=true", "externalDatabase.cidr=203.0.113.10/32"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "calls").read_text().splitlines()[0].endswith(
        "postgresql://u:p@db.example:5432/todo?sslmode=require")


def test_a_failed_dump_fails_the_job_and_deletes_nothing(tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    for d in range(1, 5):
        (backups / f"todo-2020010{d}-000000.dump").write_text("PGDMP old")
    r, backups = _run_script(tmp_path, {"RETENTION": "1", "FAIL": "1"})
    assert r.returncode != 0 and "connection refused" in r.stderr
    assert len(list(backups.glob("todo-*.dump"))) == 4
    assert not list(backups.glob("*.part"))


@pytest.mark.parametrize("env", ["staging"])
def test_the_backup_pod_is_not_reachable_and_reaches_only_dns_and_the_database(env):
    np = one(render(env), "NetworkPolicy", "-backup")
    assert np["spec"]["policyTypes"] == ["Ingress", "Egress"] and "ingress" not in np["spec"]
    ports = sorted(p["port"] for rule in np["spec"]["egress"] for p in rule["ports"])
    assert ports == [53, 53, 5432]


def test_each_release_revision_also_runs_one_backup_job_that_binds_the_pvc_at_once():
    """`helm --wait` waits for every PVC of the release to be bound, and a storage class that binds
    on first use (kind's) binds the backup PVC only when a pod uses it: a Job per revision (the
    same pod as the CronJob's) uses it at once, and makes a first dump."""
    docs = render("staging")
    jobs = [j for j in by_kind(docs, "Job") if j["metadata"]["name"].endswith("-backup-r1")]
    assert len(jobs) == 1, [j["metadata"]["name"] for j in by_kind(docs, "Job")]
    job_pod = jobs[0]["spec"]["template"]
    cron_pod = _cronjob(docs)["spec"]["jobTemplate"]["spec"]["template"]
    assert job_pod == cron_pod
    assert jobs[0]["spec"]["backoffLimit"] >= 6  # the database may still be starting
    assert not [j for j in by_kind(render("dev"), "Job") if "-backup-" in j["metadata"]["name"]]
