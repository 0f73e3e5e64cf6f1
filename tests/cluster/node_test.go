//go:build realnode

package cluster

// The real-node phase (tests/cluster/node-test.sh, `go test -tags realnode`): the control plane
// plus one real node (kubelet, containerd, runc, CNI bridge, kube-proxy, CoreDNS) whose containers
// really run, from the images `make build` made on the Docker test engine (look-alike base images,
// the product's Dockerfiles unchanged). The tests run in file order and share the cluster: the
// dev release installed by the first Helm test is upgraded, rolled back, broken by chaos and
// uninstalled by the next ones; the last test stops the node and compares the host with before.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The real node's settings (cluster_test.go has kwok's).
const (
	waitHTTP   = "1" // the targets' default: migration Job, helm test and the HTTP readiness wait run
	podTimeout = 4 * time.Minute
	devNS      = "todo-dev"
)

var (
	nodeDir       = os.Getenv("NODE_DIR")
	node          = readNodeEnv()
	podNodePrefix = node["NODE_NAME"]
)

// readNodeEnv reads NODE_DIR/node.env (KEY=VALUE lines written by node.sh).
func readNodeEnv() map[string]string {
	m := map[string]string{}
	f, err := os.Open(filepath.Join(nodeDir, "node.env"))
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			m[k] = v
		}
	}
	return m
}

// appURL is the frontend Service's NodePort on the node (values-dev.yaml: 30080); the frontend
// proxies /api/* to the backend Service.
func appURL() string { return "http://" + node["NODE_IP"] + ":30080" }

var tagOnce struct {
	sync.Once
	tag string
}

// imageTag is the TAG the images were built and loaded with (`make version`).
func imageTag(t *testing.T) string {
	t.Helper()
	tagOnce.Do(func() {
		out, _ := exec.Command("make", "-s", "--no-print-directory", "-C", repoRoot, "version").Output()
		if m := regexp.MustCompile(`(?m)^TAG=(\S+)$`).FindSubmatch(out); m != nil {
			tagOnce.tag = string(m[1])
		}
	})
	if tagOnce.tag == "" {
		t.Fatal("make version printed no TAG")
	}
	return tagOnce.tag
}

// freePort is a free local TCP port (for LOCAL_PORT, the port-forward of the readiness wait).
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

var client = &http.Client{Timeout: 10 * time.Second}

// call sends a JSON request and decodes a JSON answer into out (when not nil); the status code.
func call(t *testing.T, method, url string, body any, token string, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %.300s", method, url, res.StatusCode, data)
		}
	}
	if res.StatusCode >= 300 {
		t.Logf("%s %s -> %d %.300s", method, url, res.StatusCode, data)
	}
	return res.StatusCode
}

type appUser struct{ id, token string }

// register creates a user through the frontend Service.
func register(t *testing.T, name string) appUser {
	t.Helper()
	var r struct {
		AccessToken string `json:"access_token"`
		User        struct {
			ID any `json:"id"`
		} `json:"user"`
	}
	email := fmt.Sprintf("%s-%d@example.com", name, time.Now().UnixNano())
	code := call(t, "POST", appURL()+"/api/auth/register",
		map[string]string{"email": email, "password": "a long passphrase 1", "name": name}, "", &r)
	if code != 200 && code != 201 || r.AccessToken == "" {
		t.Fatalf("register through %s: %d", appURL(), code)
	}
	return appUser{fmt.Sprint(r.User.ID), r.AccessToken}
}

type task struct {
	ID        int    `json:"id"`
	Title     string `json:"title"`
	Completed bool   `json:"completed"`
}

func listTasks(t *testing.T, u appUser, status string) []task {
	t.Helper()
	var ts []task
	if code := call(t, "GET", appURL()+"/api/"+u.id+"/tasks?status="+status, nil, u.token, &ts); code != 200 {
		t.Fatalf("list tasks: %d", code)
	}
	return ts
}

// writeFigures keeps a test's figures next to the node's logs (the suite prints where).
func writeFigures(t *testing.T, name, text string) {
	t.Helper()
	t.Log(text)
	if err := os.WriteFile(filepath.Join(nodeDir, "..", filepath.Base(nodeDir)+"-"+name+".txt"), []byte(text), 0o644); err != nil {
		t.Error(err)
	}
}

// keepEvidence: when the test fails, what the namespace looked like (pods with their last
// terminations, events, every container's log and the previous one of a restarted container)
// goes to DIR-evidence-TEST.txt beside the node's directory.
func keepEvidence(t *testing.T, ns string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		var b bytes.Buffer
		section := func(title string, args ...string) {
			out, _ := exec.Command(kubectlBin, args...).CombinedOutput()
			fmt.Fprintf(&b, "=== %s\n%s\n", title, out)
		}
		section("pods", "get", "pods", "-n", ns, "-o", "wide")
		section("last terminations", "get", "pods", "-n", ns, "-o",
			`jsonpath={range .items[*]}{.metadata.name}{range .status.containerStatuses[*]} {.name} restarts={.restartCount} last={.lastState.terminated}{end}{"\n"}{end}`)
		section("events", "get", "events", "-n", ns, "--sort-by=.lastTimestamp")
		for _, p := range pods(t, ns) {
			for _, cs := range p.Status.ContainerStatuses {
				section("log "+p.Metadata.Name+" "+cs.Name, "logs", "-n", ns, p.Metadata.Name, "-c", cs.Name, "--tail", "60")
				if cs.RestartCount > 0 {
					section("previous log "+p.Metadata.Name+" "+cs.Name, "logs", "-n", ns, p.Metadata.Name, "-c", cs.Name, "--previous", "--tail", "60")
				}
			}
		}
		f := filepath.Join(nodeDir, "..", filepath.Base(nodeDir)+"-evidence-"+t.Name()+".txt")
		if err := os.WriteFile(f, b.Bytes(), 0o644); err == nil {
			t.Logf("the state of namespace %s is in %s", ns, f)
		}
	})
}

func TestRealNode_OneNode_KubeletAndContainerdReady(t *testing.T) {
	if podNodePrefix == "" {
		t.Fatalf("no NODE_NAME in %s/node.env: run through make cluster-test", nodeDir)
	}
	var nodes list[struct {
		Metadata meta `json:"metadata"`
		Status   struct {
			Conditions []condition `json:"conditions"`
			Addresses  []struct {
				Type    string `json:"type"`
				Address string `json:"address"`
			} `json:"addresses"`
			NodeInfo struct {
				KubeletVersion          string `json:"kubeletVersion"`
				ContainerRuntimeVersion string `json:"containerRuntimeVersion"`
			} `json:"nodeInfo"`
		} `json:"status"`
	}]
	getJSON(t, &nodes, "nodes")
	if len(nodes.Items) != 1 {
		t.Fatalf("%d nodes, want the one real node", len(nodes.Items))
	}
	n := nodes.Items[0]
	if n.Metadata.Name != node["NODE_NAME"] || n.Metadata.Annotations["kwok.x-k8s.io/node"] != "" {
		t.Errorf("node %s (annotations %v), want %s registered by its kubelet", n.Metadata.Name, n.Metadata.Annotations, node["NODE_NAME"])
	}
	if !hasCond(n.Status.Conditions, "Ready", "True") {
		t.Errorf("node %s is not Ready: %v", n.Metadata.Name, n.Status.Conditions)
	}
	if !strings.HasPrefix(n.Status.NodeInfo.KubeletVersion, "v1.34.") ||
		!strings.HasPrefix(n.Status.NodeInfo.ContainerRuntimeVersion, "containerd://") {
		t.Errorf("kubelet %q on %q, want v1.34.x on containerd", n.Status.NodeInfo.KubeletVersion, n.Status.NodeInfo.ContainerRuntimeVersion)
	}
	internal := ""
	for _, a := range n.Status.Addresses {
		if a.Type == "InternalIP" {
			internal = a.Address
		}
	}
	if internal != node["NODE_IP"] {
		t.Errorf("InternalIP %q, want %s", internal, node["NODE_IP"])
	}
}

// A pod reaches other pods and Services on the bridge, and resolves cluster names, but nothing
// beyond: no name outside the cluster resolves (CoreDNS has no upstream) and the firewall drops
// every packet it sends through the bridge elsewhere (the VM's gateway, a TEST-NET address).
// A Service without ready endpoints refuses the connection at once (kube-proxy's REJECT), as on
// any cluster: the isolation must not turn that into a silent drop the client waits out.
func TestRealNode_PodReachesOnlyTheBridge_NoOutsideDNS(t *testing.T) {
	ns := "node-checks"
	img := "todo-backend:" + imageTag(t)
	manifest := fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata: {name: %[1]s}
---
apiVersion: v1
kind: Pod
metadata: {name: peer, namespace: %[1]s, labels: {app: peer}}
spec:
  containers:
    - name: http
      image: %[2]s
      imagePullPolicy: IfNotPresent
      command: [python, -m, http.server, "8080"]
      readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: peer, namespace: %[1]s}
spec:
  selector: {app: peer}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: nobody, namespace: %[1]s}
spec:
  selector: {app: nobody}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: reach, namespace: %[1]s}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: reach
      image: %[2]s
      imagePullPolicy: IfNotPresent
      command: [sleep, "600"]
`, ns, img)
	f := filepath.Join(simDir, "node-checks.yaml")
	if err := os.WriteFile(f, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	kubectl(t, "apply", "-f", f)
	defer run(t, kubectlBin, "delete", "namespace", ns, "--wait=false")
	kubectl(t, "wait", "--for=condition=Ready", "pod/peer", "pod/reach", "-n", ns, "--timeout=180s")

	outside := []string{"203.0.113.1"} // TEST-NET-3: routed to the VM's gateway, never answered
	if out, err := exec.Command("ip", "-4", "route", "show", "default").Output(); err == nil {
		if m := regexp.MustCompile(`via (\S+)`).FindSubmatch(out); m != nil {
			outside = append(outside, string(m[1]))
		}
	}
	dropped := func() int {
		out, err := exec.Command("iptables", "-w", "-t", "mangle", "-L", node["ISOLATION_CHAIN"], "-v", "-x", "-n").Output()
		if err != nil {
			t.Fatalf("iptables -t mangle -L %s: %v (the isolation chain is missing)", node["ISOLATION_CHAIN"], err)
		}
		for _, l := range strings.Split(string(out), "\n") {
			if f := strings.Fields(l); len(f) > 2 && f[2] == "DROP" {
				var n int
				fmt.Sscan(f[0], &n)
				return n
			}
		}
		t.Fatalf("no DROP rule in %s:\n%s", node["ISOLATION_CHAIN"], out)
		return 0
	}
	before := dropped()

	script := `
import json, socket, sys, time, urllib.request
out = {}
# kube-proxy adds the Service's endpoint a moment after the pod turns Ready: until then it refuses
deadline = time.monotonic() + 20
while True:
    try:
        out["service"] = urllib.request.urlopen("http://peer.node-checks.svc.cluster.local/", timeout=10).status
        break
    except Exception as e:
        out["service"] = repr(e)
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
s = socket.socket()
s.settimeout(5)
try:
    s.connect(("nobody.node-checks.svc.cluster.local", 80))
    out["no endpoints"] = "connected"
except Exception as e:
    out["no endpoints"] = type(e).__name__
for name in ("example.com", "registry-1.docker.io"):
    try:
        socket.getaddrinfo(name, 443)
        out["dns " + name] = "resolved"
    except Exception as e:
        out["dns " + name] = repr(e)
for host in sys.argv[1:]:
    s = socket.socket()
    s.settimeout(3)
    try:
        s.connect((host, 443))
        out["tcp " + host] = "connected"
    except Exception as e:
        out["tcp " + host] = repr(e)
print(json.dumps(out))
`
	out := kubectl(t, append([]string{"exec", "-n", ns, "reach", "--", "python", "-c", script}, outside...)...)
	var res map[string]any
	if err := json.Unmarshal([]byte(out[strings.LastIndex(out, "{"):]), &res); err != nil {
		t.Fatalf("the pod's report is not JSON: %s", out)
	}
	if fmt.Sprint(res["service"]) != "200" {
		t.Errorf("pod -> Service peer (DNS + kube-proxy + bridge): %v, want 200", res["service"])
	}
	if fmt.Sprint(res["no endpoints"]) != "ConnectionRefusedError" {
		t.Errorf("pod -> Service nobody (no endpoints): %v, want ConnectionRefusedError (kube-proxy's REJECT), not a timeout", res["no endpoints"])
	}
	for k, v := range res {
		switch {
		case strings.HasPrefix(k, "dns ") && v == "resolved":
			t.Errorf("%s resolved inside the pod: the cluster DNS must have no upstream", k)
		case strings.HasPrefix(k, "tcp ") && v == "connected":
			t.Errorf("%s: a pod reached beyond the bridge", k)
		}
	}
	after := dropped()
	if after <= before {
		t.Errorf("the isolation chain dropped %d packets before and %d after the pod tried %v: the DROP did not see them", before, after, outside)
	}
	t.Logf("pod report %v; isolation chain DROP counter %d -> %d", res, before, after)
}

// `make helm-install ENV=dev`, unchanged (WAIT_HTTP=1): the migration hook Job in a real container,
// Deployments Available through real probes, `helm test` with its logs, the readiness wait
// through a port-forward, and `make doctor` finds nothing wrong.
func TestRealNode_HelmInstallDev_RealContainers_HelmTestLogs(t *testing.T) {
	keepEvidence(t, devNS)
	out := helmInstall(t, devNS, "dev", false, "LOCAL_PORT="+freePort(t))
	for _, want := range []string{"POD LOGS: " + fullname + "-test", "/ready -> 200", "/api/healthz -> 200", "ready at http://127.0.0.1:"} {
		if !strings.Contains(out, want) {
			t.Errorf("make helm-install does not show %q", want)
		}
	}
	requireRestrictedNamespace(t, devNS)
	requireDeploymentsAvailable(t, devNS, 2)
	requirePodsRunning(t, devNS)
	requireNoAdmissionRejections(t, devNS)
	for _, p := range pods(t, devNS) {
		for _, cs := range p.Status.ContainerStatuses {
			if !strings.HasPrefix(cs.ContainerID, "containerd://") {
				t.Errorf("pod %s container %s has no containerd container (%q)", p.Metadata.Name, cs.Name, cs.ContainerID)
			}
			if p.Status.Phase == "Running" && (cs.State.Running == nil || !cs.Ready) {
				t.Errorf("pod %s container %s is not running and ready", p.Metadata.Name, cs.Name)
			}
		}
	}
	// The migration Job's pod was started by the kubelet and the Job completed; hook-succeeded
	// deleted the Job.
	started, completed := false, false
	for _, e := range events(t, devNS) {
		if e.InvolvedObject.Kind == "Pod" && strings.HasPrefix(e.InvolvedObject.Name, fullname+"-migrate-") &&
			e.Reason == "Started" && e.Source.Component == "kubelet" {
			started = true
		}
		if e.InvolvedObject.Kind == "Job" && e.InvolvedObject.Name == fullname+"-migrate" && e.Reason == "Completed" {
			completed = true
		}
	}
	if !started || !completed {
		t.Errorf("migration hook: kubelet started its container %v, Job completed %v", started, completed)
	}
	if out := kubectl(t, "get", "job", fullname+"-migrate", "-n", devNS, "--ignore-not-found", "-o", "name"); strings.TrimSpace(out) != "" {
		t.Errorf("job/%s still exists: hook-succeeded did not apply", fullname+"-migrate")
	}
	// The helm test Pod stays (until the next helm test) with its logs.
	if logs := kubectl(t, "logs", fullname+"-test", "-n", devNS); !strings.Contains(logs, "/ready -> 200") {
		t.Errorf("the helm test Pod's log: %s", logs)
	}
	if out := mustMake(t, "doctor", "NAMESPACE="+devNS); !strings.Contains(out, "No problem found") {
		t.Errorf("make doctor found something on a healthy release:\n%s", out)
	}
}

// The app through the frontend Service (NodePort): the page, register, create/list/complete
// tasks, and a chat message that adds a task.
func TestRealNode_App_TasksAndChat_ThroughTheFrontendService(t *testing.T) {
	ensureRelease(t, devNS, "dev", false)
	res, err := client.Get(appURL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Contains(bytes.ToLower(page), []byte("<html")) {
		t.Fatalf("GET %s/: %d %.200s", appURL(), res.StatusCode, page)
	}
	u := register(t, "realnode")
	if code := call(t, "GET", appURL()+"/api/"+u.id+"/tasks", nil, "", nil); code != 401 {
		t.Errorf("tasks without a token: %d, want 401", code)
	}
	var a, b task
	call(t, "POST", appURL()+"/api/"+u.id+"/tasks", map[string]string{"title": "water the plants"}, u.token, &a)
	call(t, "POST", appURL()+"/api/"+u.id+"/tasks", map[string]string{"title": "call the plumber"}, u.token, &b)
	if a.ID == 0 || b.ID == 0 {
		t.Fatalf("created tasks %+v %+v", a, b)
	}
	if ts := listTasks(t, u, "all"); len(ts) != 2 {
		t.Fatalf("%d tasks listed, want 2: %+v", len(ts), ts)
	}
	var done task
	if code := call(t, "PATCH", fmt.Sprintf("%s/api/%s/tasks/%d/complete", appURL(), u.id, a.ID), nil, u.token, &done); code != 200 || !done.Completed {
		t.Fatalf("complete task %d: %d %+v", a.ID, code, done)
	}
	if ts := listTasks(t, u, "completed"); len(ts) != 1 || ts[0].ID != a.ID {
		t.Errorf("completed tasks %+v, want only %d", ts, a.ID)
	}
	if ts := listTasks(t, u, "pending"); len(ts) != 1 || ts[0].ID != b.ID {
		t.Errorf("pending tasks %+v, want only %d", ts, b.ID)
	}
	var chat struct {
		ConversationID any    `json:"conversation_id"`
		Response       string `json:"response"`
		ToolCalls      []struct {
			Tool string `json:"tool"`
		} `json:"tool_calls"`
	}
	if code := call(t, "POST", appURL()+"/api/"+u.id+"/chat", map[string]string{"message": "Add a task to buy milk"}, u.token, &chat); code != 200 {
		t.Fatalf("chat: %d", code)
	}
	added := false
	for _, c := range chat.ToolCalls {
		added = added || c.Tool == "add_task"
	}
	if !added || chat.ConversationID == nil {
		t.Errorf("chat answered %+v: want an add_task tool call and a conversation", chat)
	}
	found := false
	for _, x := range listTasks(t, u, "all") {
		found = found || strings.Contains(strings.ToLower(x.Title), "milk")
	}
	if !found {
		t.Errorf("the chat's task is not in the list")
	}
}

// load sends requests through the frontend Service until stopped: the page's health check and the
// user's task list (frontend -> backend Service -> PostgreSQL), and counts every answer.
type load struct {
	ok, failed atomic.Int64
	mu         sync.Mutex
	failures   []string
	stop       chan struct{}
	wg         sync.WaitGroup
}

func startLoad(t *testing.T, u appUser) *load {
	l := &load{stop: make(chan struct{})}
	for _, path := range []string{"/api/healthz", "/api/" + u.id + "/tasks"} {
		l.wg.Add(1)
		go func(path string) {
			defer l.wg.Done()
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				req, _ := http.NewRequest("GET", appURL()+path, nil)
				req.Header.Set("Authorization", "Bearer "+u.token)
				res, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				if err != nil || res.StatusCode != 200 {
					l.failed.Add(1)
					l.mu.Lock()
					if len(l.failures) < 10 {
						l.failures = append(l.failures, fmt.Sprintf("%s %s: %v %v", time.Now().Format("15:04:05.000"), path, err, statusOf(res)))
					}
					l.mu.Unlock()
				} else {
					l.ok.Add(1)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}(path)
	}
	return l
}

func statusOf(r *http.Response) string {
	if r == nil {
		return ""
	}
	return r.Status
}

func (l *load) finish() { close(l.stop); l.wg.Wait() }

var preUpgradeReplicaSets map[string][]string

// `make helm-upgrade` with a changed value under steady load: a new ReplicaSet per Deployment,
// the pods replaced one by one (maxUnavailable 0, preStop), and not one request fails.
func TestRealNode_HelmUpgradeUnderLoad_NewReplicaSets_NoFailedRequest(t *testing.T) {
	keepEvidence(t, devNS)
	ensureRelease(t, devNS, "dev", false)
	preUpgradeReplicaSets = appReplicaSets(t, devNS)
	rev0, _ := helmRevision(t, devNS)
	u := register(t, "upgrade")
	call(t, "POST", appURL()+"/api/"+u.id+"/tasks", map[string]string{"title": "during the upgrade"}, u.token, nil)
	l := startLoad(t, u)
	start := time.Now()
	err := helmUpgradeLogLevel(t, devNS, "LOCAL_PORT="+freePort(t))
	time.Sleep(3 * time.Second) // the old pods' preStop and termination, still under load
	l.finish()
	took := time.Since(start)
	if err != nil {
		t.Fatalf("make helm-upgrade failed: %v", err)
	}
	requireUpgraded(t, devNS, rev0, preUpgradeReplicaSets)
	writeFigures(t, "upgrade-load", fmt.Sprintf("make helm-upgrade under load (frontend /api/healthz and the task list through the NodePort, keep-alive): "+
		"%d requests in %s, %d failed %v\n", l.ok.Load()+l.failed.Load(), took.Round(time.Second), l.failed.Load(), l.failures))
	if l.ok.Load() < 20 || l.failed.Load() != 0 {
		t.Errorf("%d requests answered, %d failed during the upgrade: %v", l.ok.Load(), l.failed.Load(), l.failures)
	}
}

// `make helm-rollback`: back to the previous revision's values and ReplicaSets.
func TestRealNode_HelmRollback_ReturnsToThePreviousRevision(t *testing.T) {
	keepEvidence(t, devNS)
	ensureRelease(t, devNS, "dev", false)
	rev0, _ := helmRevision(t, devNS)
	if rev0 < 2 {
		t.Fatalf("revision %d: needs the upgraded release of the previous test", rev0)
	}
	helmRollbackToPrevious(t, devNS, rev0)
	for c, before := range preUpgradeReplicaSets {
		if after := activeReplicaSets(t, devNS, fullname+"-"+c); strings.Join(after, " ") != strings.Join(before, " ") {
			t.Errorf("%s: ReplicaSets %v after the rollback, want the pre-upgrade %v", c, after, before)
		}
	}
	eventually(t, "the app answers through the NodePort", time.Minute, func() (bool, string) {
		res, err := client.Get(appURL() + "/api/healthz")
		if err != nil {
			return false, err.Error()
		}
		res.Body.Close()
		return res.StatusCode == 200, res.Status
	})
}

// `make chaos-test CHAOS_TARGET=helm` against real pods: backend and frontend pod kills, a
// database outage, a rolling update through Helm, and the writer that must lose nothing, with
// the users' default of 2 s per request. (Earlier runs timed out a few requests around the
// database outage: the node's isolation dropped what kube-proxy REJECTs for a Service without
// ready endpoints, and the rolling update began before the backend was back in its Service;
// docs/cluster-node.md, run I.)
func TestRealNode_ChaosTestHelm_RecoversWithin30s_LosesNoWrite(t *testing.T) {
	keepEvidence(t, devNS)
	ensureRelease(t, devNS, "dev", false)
	outDir := filepath.Join(simDir, "..", filepath.Base(simDir)+"-chaos")
	_, err := makeTarget(t, "chaos-test", "CHAOS_TARGET=helm", "NAMESPACE="+devNS, "RELEASE="+release,
		"CHAOS_API_URL="+appURL(), "CHAOS_OUT="+outDir, "CHAOS_ROUNDS=3", "CHAOS_INTERVAL=5s")
	data, rerr := os.ReadFile(filepath.Join(outDir, "latest", "report.json"))
	if rerr != nil {
		t.Fatalf("no chaos report (make chaos-test: %v): %v", err, rerr)
	}
	var rep struct {
		Passed       bool `json:"passed"`
		Acknowledged *int `json:"acknowledged"`
		Lost         *int `json:"lost"`
		Scenarios    map[string]struct {
			Verdict  string `json:"verdict"`
			Criteria []struct {
				Name   string `json:"name"`
				OK     bool   `json:"ok"`
				Detail string `json:"detail"`
			} `json:"criteria"`
			Figures struct {
				WorstRecovery *float64 `json:"worst_recovery_s"`
				Rounds        []struct {
					Recovery *float64 `json:"recovery_s"`
				} `json:"rounds"`
				Responses503 *int     `json:"responses_503"`
				Timeouts     *int     `json:"timeouts"`
				ServedAgain  *float64 `json:"served_again_after_s"`
				Availability *struct {
					Requests int `json:"requests"`
					Failed   int `json:"failed"`
				} `json:"availability"`
			} `json:"figures"`
		} `json:"scenarios"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "make chaos-test CHAOS_TARGET=helm on the real node (3 rounds per pod kill), report %s:\n", filepath.Join(outDir, "latest"))
	for _, name := range []string{"backend-pod-kill", "frontend-pod-kill", "db-outage", "rolling-update", "no-lost-writes"} {
		s, ok := rep.Scenarios[name]
		if !ok {
			t.Errorf("scenario %s did not run", name)
			continue
		}
		fmt.Fprintf(&b, "  %-17s %s", name, s.Verdict)
		var rec []string
		for _, r := range s.Figures.Rounds {
			if r.Recovery == nil {
				rec = append(rec, "never")
				t.Errorf("%s: a round never recovered", name)
				continue
			}
			rec = append(rec, fmt.Sprintf("%.1fs", *r.Recovery))
			if *r.Recovery > 30 {
				t.Errorf("%s: a recovery took %.1f s, over the 30 s of the seeds", name, *r.Recovery)
			}
		}
		if len(rec) > 0 {
			fmt.Fprintf(&b, "  recoveries %s", strings.Join(rec, " "))
		}
		if s.Figures.Responses503 != nil {
			fmt.Fprintf(&b, "  503s %d, timeouts %d, served again %.2fs after the database returned",
				*s.Figures.Responses503, *s.Figures.Timeouts, deref(s.Figures.ServedAgain))
		}
		if a := s.Figures.Availability; a != nil {
			fmt.Fprintf(&b, "  requests %d, failed %d", a.Requests, a.Failed)
		}
		b.WriteString("\n")
		for _, c := range s.Criteria {
			if !c.OK {
				t.Errorf("%s: %s: %s", name, c.Name, c.Detail)
			}
		}
	}
	if rep.Acknowledged == nil || rep.Lost == nil || *rep.Acknowledged == 0 || *rep.Lost != 0 {
		t.Errorf("writes acknowledged %v, lost %v: want some and 0 lost", rep.Acknowledged, rep.Lost)
	} else {
		fmt.Fprintf(&b, "  writes: %d acknowledged, %d lost\n", *rep.Acknowledged, *rep.Lost)
	}
	writeFigures(t, "chaos", b.String())
	if err != nil || !rep.Passed {
		t.Errorf("make chaos-test: %v, report passed=%v", err, rep.Passed)
	}
	requireDeploymentsAvailable(t, devNS, 2)
}

func deref(f *float64) float64 {
	if f == nil {
		return -1
	}
	return *f
}

// `make helm-uninstall` leaves what the docs say: the PostgreSQL PVC (and its bound volume).
func TestRealNode_HelmUninstall_LeavesOnlyThePVC(t *testing.T) {
	ensureRelease(t, devNS, "dev", false)
	helmUninstallLeavesOnlyThePVC(t, devNS)
}

// A release whose Secret lacks a key the configuration requires (OPENAI_API_KEY with
// chatProvider=openai): the backend container starts, envcheck refuses, it crash-loops with
// envcheck's message in its log, and `make doctor` names the key, never a value.
func TestRealNode_SecretLacksOpenAIKey_BackendCrashLoops_DoctorNamesTheKey(t *testing.T) {
	ns := "todo-openai"
	mustRun(t, "mk/scripts/k8s-namespace.sh", ns)
	defer run(t, kubectlBin, "delete", "namespace", ns, "--wait=false")
	// Test-only values, written to a 0600 file (never on a command line, so never in the log).
	jwt := fmt.Sprintf("test-jwt-%d-0123456789abcdef0123456789", time.Now().UnixNano())
	dbPassword := fmt.Sprintf("test-db-%d", time.Now().UnixNano())
	secret := fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata: {name: todo-openai-env, namespace: %s}
stringData:
  JWT_SECRET: %q
  DATABASE_URL: %q
`, ns, jwt, "postgresql://todo:"+dbPassword+"@db.invalid:5432/todo")
	f := filepath.Join(simDir, "openai-secret.yaml")
	if err := os.WriteFile(f, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	kubectl(t, "apply", "-f", f)
	mustRun(t, helmBin, "upgrade", "--install", release, "helm/todo-app", "-n", ns, "-f", "helm/todo-app/values-dev.yaml",
		"--set", "image.tag="+imageTag(t), "--set", "existingSecret=todo-openai-env", "--set", "config.chatProvider=openai",
		"--set", "postgresql.enabled=false", "--set", "migration.enabled=false", "--set", "tests.enabled=false",
		"--set", "frontend.service.type=ClusterIP", "--set", "externalDatabase.cidr=203.0.113.10/32")
	defer run(t, helmBin, "uninstall", release, "-n", ns, "--wait")
	sel := "app.kubernetes.io/instance=" + release + ",app.kubernetes.io/component=backend"
	var victim string
	eventually(t, "the backend in CrashLoopBackOff after a restart", 3*time.Minute, func() (bool, string) {
		for _, p := range pods(t, ns, sel) {
			for _, cs := range p.Status.ContainerStatuses {
				if cs.RestartCount >= 1 && cs.State.Waiting != nil && cs.State.Waiting.Reason == "CrashLoopBackOff" {
					victim = p.Metadata.Name
					return true, ""
				}
				return false, fmt.Sprintf("%s restarts %d state %+v", p.Metadata.Name, cs.RestartCount, cs.State)
			}
		}
		return false, "no backend pod yet"
	})
	logs := kubectl(t, "logs", victim, "-n", ns, "--previous")
	if !strings.Contains(logs, "OPENAI_API_KEY") || !strings.Contains(logs, "entrypoint: the environment is invalid") {
		t.Errorf("the crashed container's log does not have envcheck's message about OPENAI_API_KEY:\n%s", logs)
	}
	out := mustMake(t, "doctor", "NAMESPACE="+ns)
	if !strings.Contains(out, "OPENAI_API_KEY") || !strings.Contains(out, "keeps crashing") {
		t.Errorf("make doctor does not name OPENAI_API_KEY for the crash loop:\n%s", out)
	}
	if strings.Contains(out, jwt) || strings.Contains(out, dbPassword) {
		t.Errorf("make doctor printed a secret value")
	}
}

// `make k8s-deploy` of the committed k8s/ (WAIT_HTTP=1: rollout, the migration Job, the readiness
// wait), the app through its NodePort, then `make k8s-delete`.
func TestRealNode_K8sDeploy_RealPods_ThenK8sDelete(t *testing.T) {
	ns := "todo"
	keepEvidence(t, ns)
	out := mustMake(t, "k8s-deploy", "NAMESPACE="+ns, "ENV_FILE="+envFile(t, false), "LOCAL_PORT="+freePort(t))
	if !strings.Contains(out, "ready at http://127.0.0.1:") {
		t.Errorf("make k8s-deploy did not wait for the app to answer")
	}
	requireDeploymentsAvailable(t, ns, 2)
	requirePodsRunning(t, ns)
	var j struct {
		Status struct {
			Succeeded int `json:"succeeded"`
		} `json:"status"`
	}
	getJSON(t, &j, "job", fullname+"-migrate", "-n", ns)
	if j.Status.Succeeded != 1 {
		t.Errorf("job/%s-migrate succeeded %d times, want 1", fullname, j.Status.Succeeded)
	}
	u := register(t, "k8sdeploy")
	if ts := listTasks(t, u, "all"); len(ts) != 0 {
		t.Errorf("a new user has tasks: %+v", ts)
	}
	mustMake(t, "k8s-delete", "NAMESPACE="+ns)
	eventually(t, "no pods left in "+ns, 2*time.Minute, func() (bool, string) {
		ps := pods(t, ns)
		return len(ps) == 0, fmt.Sprintf("%d pods", len(ps))
	})
	if out := kubectl(t, "get", "deployments,statefulsets,services,configmaps,jobs", "-n", ns, "-l", "app.kubernetes.io/instance=todo", "-o", "name"); strings.TrimSpace(out) != "" {
		t.Errorf("k8s-delete left:\n%s", out)
	}
}

// Last: the teardown stops everything the node started and leaves the host as it found it (no
// process, mount, device, route, firewall chain, cgroup, kernel setting or path of it).
func TestRealNode_Teardown_LeavesTheHostAsItWas(t *testing.T) {
	mustRun(t, filepath.Join(repoRoot, "tests/cluster/node.sh"), "down", nodeDir)
	before, err := os.ReadFile(filepath.Join(nodeDir, "host-before.txt"))
	if err != nil {
		t.Fatal(err)
	}
	now := mustRun(t, filepath.Join(repoRoot, "tests/cluster/host-state.sh"), nodeDir)
	if string(before) != now {
		t.Errorf("the host after the teardown differs from before the node started:\nbefore:\n%s\nafter:\n%s", before, now)
	}
	for _, name := range []string{"kubelet", "kube-proxy", "containerd", "coredns"} {
		if _, err := os.Stat(filepath.Join(nodeDir, "pids", name+".pid")); err == nil {
			t.Errorf("%s is still recorded as running", name)
		}
	}
	if _, err := os.Stat(filepath.Join(nodeDir, "control-plane", "pids", "kube-apiserver.pid")); err == nil {
		t.Errorf("the control plane is still recorded as running")
	}
	if owner, err := os.ReadFile(filepath.Join(node["LOCK"], "owner")); err == nil {
		t.Errorf("the lock %s is still held by %s", node["LOCK"], owner)
	}
}
