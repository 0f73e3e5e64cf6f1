//go:build realnode

package cluster

// Operations against a real node (containers run): a backend pod's /metrics counters move after
// requests; `make k8s-db-backup`, a task deleted, `make k8s-db-restore FILE=`, the task is back;
// and the chart's backup CronJob writes a dump and keeps the retention.
// Built only with `-tags realnode` (CLUSTER_TEST_TAGS=realnode) until `make cluster-test` has a
// real kubelet node: on kwok's simulated pods `kubectl exec` cannot run anything, so these
// tests fail there rather than skip. (A scrape by a real Prometheus is not part of it: the
// cluster has no Prometheus Operator; charts-test checks the ServiceMonitor and the rules.)

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

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
		r, err := http.Get(base + "/health")
		if err != nil {
			return false, err.Error()
		}
		r.Body.Close()
		return r.StatusCode == 200, r.Status
	})
	return base
}

// api sends a JSON request and decodes the JSON answer into out (when not nil); returns the status.
func api(t *testing.T, method, url, token string, body, out any) int {
	t.Helper()
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, url, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 && resp.StatusCode != 204 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %v", method, url, err)
		}
	}
	return resp.StatusCode
}

type taskOut struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
}

func TestRealNode_BackupDeleteRestore_TheTaskIsBack(t *testing.T) {
	ns := "todo-backup"
	helmInstall(t, ns, "dev", false)
	base := portForward(t, ns, fullname+"-backend", 8000)

	var session struct {
		Token string `json:"access_token"`
		User  struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	email := fmt.Sprintf("backup-%d@example.com", time.Now().UnixNano())
	if code := api(t, "POST", base+"/api/auth/register", "",
		map[string]string{"email": email, "password": "a long passphrase 1"}, &session); code != 201 {
		t.Fatalf("register: %d", code)
	}
	tasks := base + "/api/" + session.User.ID + "/tasks"
	var task taskOut
	if code := api(t, "POST", tasks, session.Token, map[string]string{"title": "Survive a restore"}, &task); code != 201 {
		t.Fatalf("create task: %d", code)
	}

	out := mustMake(t, "k8s-db-backup", "NAMESPACE="+ns, "BACKUP_DIR="+filepath.Join(simDir, "backups"))
	m := regexp.MustCompile(`db-backup: (\S+\.dump) \((\d+) bytes\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no dump named in:\n%s", out)
	}
	dump := m[1]

	if code := api(t, "DELETE", fmt.Sprintf("%s/%d", tasks, task.ID), session.Token, nil, nil); code != 204 {
		t.Fatalf("delete task: %d", code)
	}
	if code := api(t, "GET", fmt.Sprintf("%s/%d", tasks, task.ID), session.Token, nil, nil); code != 404 {
		t.Fatalf("the task was not deleted: %d", code)
	}

	mustMake(t, "k8s-db-restore", "NAMESPACE="+ns, "FILE="+dump)
	var back []taskOut
	if code := api(t, "GET", tasks, session.Token, nil, &back); code != 200 {
		t.Fatalf("list tasks after the restore: %d", code)
	}
	if len(back) != 1 || back[0].ID != task.ID || back[0].Title != task.Title {
		t.Fatalf("after the restore the tasks are %+v, want %+v", back, task)
	}
}

func TestRealNode_BackupCronJob_WritesADumpToItsPVC(t *testing.T) {
	ns := "todo-backup"
	helmInstall(t, ns, "dev", false, "HELM_ARGS=--set backup.enabled=true --set backup.retention=2")
	cron := fullname + "-backup"
	for i := 1; i <= 3; i++ {
		job := fmt.Sprintf("%s-now-%d", cron, i)
		kubectl(t, "create", "job", "-n", ns, job, "--from=cronjob/"+cron)
		kubectl(t, "wait", "-n", ns, "--for=condition=complete", "--timeout=180s", "job/"+job)
		logs := kubectl(t, "logs", "-n", ns, "job/"+job)
		if !strings.Contains(logs, "backup: /backups/todo-") {
			t.Fatalf("job %s did not report a dump:\n%s", job, logs)
		}
		if i == 3 && !strings.Contains(logs, "removed") {
			t.Errorf("the third run kept more than the retention of 2:\n%s", logs)
		}
		time.Sleep(1100 * time.Millisecond) // dumps are named by the second
	}
}

// requestsTotal reads http_requests_total{method="GET",route=ROUTE,status="200"} from /metrics.
func requestsTotal(t *testing.T, base, route string) float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
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

func TestRealNode_BackendMetricsMoveAfterRequests(t *testing.T) {
	ns := "todo-backup"
	ensureRelease(t, ns, "dev", false)
	base := portForward(t, ns, fullname+"-backend", 8000)
	before := requestsTotal(t, base, "/ready")
	for i := 0; i < 3; i++ {
		if code := api(t, "GET", base+"/ready", "", nil, nil); code != 200 {
			t.Fatalf("/ready: %d", code)
		}
	}
	if got := requestsTotal(t, base, "/ready") - before; got < 3 {
		t.Fatalf("http_requests_total for /ready moved by %v after 3 requests", got)
	}
}
