//go:build realnode

package cluster

// Operations on the real node (the node phase of `make cluster-test`, go test -tags realnode), in
// a release of their own (namespace todo-ops, the frontend a ClusterIP Service so the dev
// release's NodePort stays free) that the last of them removes: a backend pod's /metrics
// counters move after requests; `make k8s-db-backup`, a task deleted, `make k8s-db-restore FILE=`,
// the task is back; the chart's backup Job and CronJob write dumps and keep the retention.
// This file sorts before node_test.go, so it runs before that file's tests and its teardown.
// (No Prometheus scrapes here: the cluster has no Prometheus Operator; charts-test checks the
// ServiceMonitor and promtool the rules.)

import (
	"fmt"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const opsNS = "todo-ops"

// opsRelease installs the dev release in opsNS (frontend ClusterIP) unless it is deployed there.
func opsRelease(t *testing.T, extra ...string) {
	t.Helper()
	if out, err := exec.Command(helmBin, "status", release, "-n", opsNS, "-o", "json").Output(); err == nil &&
		strings.Contains(string(out), `"status":"deployed"`) && len(extra) == 0 {
		return
	}
	set := "HELM_ARGS=--set frontend.service.type=ClusterIP"
	for _, e := range extra {
		set += " " + e
	}
	helmInstall(t, opsNS, "dev", false, "LOCAL_PORT="+freePort(t), set)
}

// portForward forwards a free local port to svc's port in ns; stopped when the test ends.
func portForward(t *testing.T, ns, svc string, port int) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	local := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(kubectlBin, "port-forward", "-n", ns, "svc/"+svc, fmt.Sprintf("%d:%d", local, port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	base := fmt.Sprintf("http://127.0.0.1:%d", local)
	eventually(t, "port-forward to "+svc, 30*time.Second, func() (bool, string) {
		r, err := client.Get(base + "/health")
		if err != nil {
			return false, err.Error()
		}
		r.Body.Close()
		return r.StatusCode == 200, r.Status
	})
	return base
}

// requestsTotal reads http_requests_total{method="GET",route=ROUTE,status="200"} from /metrics.
func requestsTotal(t *testing.T, base, route string) float64 {
	t.Helper()
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %d %v", resp.StatusCode, err)
	}
	re := regexp.MustCompile(`(?m)^http_requests_total\{method="GET",route="` + regexp.QuoteMeta(route) + `",status="200"\} (\S+)$`)
	m := re.FindSubmatch(body)
	if m == nil {
		return 0
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRealNode_Ops_BackendMetricsMoveAfterRequests(t *testing.T) {
	opsRelease(t)
	base := portForward(t, opsNS, fullname+"-backend", 8000)
	before := requestsTotal(t, base, "/health")
	for i := 0; i < 3; i++ {
		if code := call(t, "GET", base+"/health", nil, "", nil); code != 200 {
			t.Fatalf("/health: %d", code)
		}
	}
	// the kubelet's probes hit /health too: at least the 3 requests of this test
	if got := requestsTotal(t, base, "/health") - before; got < 3 {
		t.Fatalf("http_requests_total for /health moved by %v after 3 requests", got)
	}
}

func TestRealNode_Ops_BackupDeleteRestore_TheTaskIsBack(t *testing.T) {
	opsRelease(t)
	base := portForward(t, opsNS, fullname+"-backend", 8000)
	var session struct {
		Token string `json:"access_token"`
		User  struct {
			ID any `json:"id"`
		} `json:"user"`
	}
	email := fmt.Sprintf("backup-%d@example.com", time.Now().UnixNano())
	if code := call(t, "POST", base+"/api/auth/register",
		map[string]string{"email": email, "password": "a long passphrase 1"}, "", &session); code != 201 {
		t.Fatalf("register: %d", code)
	}
	tasks := fmt.Sprintf("%s/api/%v/tasks", base, session.User.ID)
	var created task
	if code := call(t, "POST", tasks, map[string]string{"title": "Survive a restore"}, session.Token, &created); code != 201 {
		t.Fatalf("create task: %d", code)
	}

	out := mustMake(t, "k8s-db-backup", "NAMESPACE="+opsNS, "BACKUP_DIR="+filepath.Join(nodeDir, "..", "backups"))
	m := regexp.MustCompile(`db-backup: (\S+\.dump) \((\d+) bytes\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no dump named in:\n%s", out)
	}
	if code := call(t, "DELETE", fmt.Sprintf("%s/%d", tasks, created.ID), nil, session.Token, nil); code != 204 {
		t.Fatalf("delete task: %d", code)
	}
	if code := call(t, "GET", fmt.Sprintf("%s/%d", tasks, created.ID), nil, session.Token, nil); code != 404 {
		t.Fatalf("the task was not deleted: %d", code)
	}
	mustMake(t, "k8s-db-restore", "NAMESPACE="+opsNS, "FILE="+m[1])
	var back []task
	if code := call(t, "GET", tasks, nil, session.Token, &back); code != 200 {
		t.Fatalf("list tasks after the restore: %d", code)
	}
	if len(back) != 1 || back[0].ID != created.ID || back[0].Title != created.Title {
		t.Fatalf("after the restore the tasks are %+v, want [%+v]", back, created)
	}
	t.Logf("dump %s (%s bytes): the deleted task is back", m[1], m[2])
}

func TestRealNode_Ops_BackupJobAndCronJob_WriteDumpsAndKeepTheRetention(t *testing.T) {
	t.Cleanup(func() {
		mustMake(t, "helm-uninstall", "NAMESPACE="+opsNS, "RELEASE="+release)
		kubectl(t, "delete", "namespace", opsNS, "--wait", "--timeout=3m")
	})
	opsRelease(t, "--set backup.enabled=true --set backup.retention=2")
	// the per-revision Job: the PVC bound (helm --wait saw it) and a first dump
	rev, _ := helmRevision(t, opsNS)
	job := fmt.Sprintf("%s-backup-r%d", fullname, rev)
	kubectl(t, "wait", "-n", opsNS, "--for=condition=complete", "--timeout=240s", "job/"+job)
	if logs := kubectl(t, "logs", "-n", opsNS, "job/"+job); !strings.Contains(logs, "backup: /backups/todo-") {
		t.Fatalf("job %s did not report a dump:\n%s", job, logs)
	}
	// two runs of the CronJob: with a retention of 2 the third dump removes the first
	for i := 1; i <= 2; i++ {
		time.Sleep(1100 * time.Millisecond) // dumps are named by the second
		name := fmt.Sprintf("%s-backup-now-%d", fullname, i)
		kubectl(t, "create", "job", "-n", opsNS, name, "--from=cronjob/"+fullname+"-backup")
		kubectl(t, "wait", "-n", opsNS, "--for=condition=complete", "--timeout=240s", "job/"+name)
		logs := kubectl(t, "logs", "-n", opsNS, "job/"+name)
		if !strings.Contains(logs, "backup: /backups/todo-") {
			t.Fatalf("job %s did not report a dump:\n%s", name, logs)
		}
		if removed := strings.Contains(logs, "removed /backups/todo-"); removed != (i == 2) {
			t.Errorf("run %d: removed an old dump %v, want %v (retention 2):\n%s", i, removed, i == 2, logs)
		}
	}
}
