package cluster

// Helpers: run the project's Make targets, kubectl and helm against the cluster the suite started.
//
// Two phases share them. The kwok phase (cluster_test.go, the default build): etcd,
// kube-apiserver (validation, RBAC, admission with PodSecurity), kube-controller-manager and
// kube-scheduler are the upstream programs; the 2 nodes and the pods' lifecycle are simulated by
// kwok: no container runs, kwok writes the pod status. Test names say "SimulatedPods" wherever a
// pod's state is part of the assertion. The real-node phase (node_test.go, `-tags realnode`):
// the same control plane plus one real node (kubelet, containerd, runc, CNI, kube-proxy, CoreDNS)
// whose containers really run; test names start with "TestRealNode". Each phase file sets
// waitHTTP, podNodePrefix and podTimeout.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

var (
	repoRoot   = os.Getenv("REPO_ROOT")
	simDir     = os.Getenv("CLUSTER_SIM_DIR")
	helmBin    = os.Getenv("HELM")
	kubectlBin = os.Getenv("KUBECTL")
)

const release = "todo"
const fullname = "todo-todo-app"

func TestMain(m *testing.M) {
	if repoRoot == "" || simDir == "" || helmBin == "" || kubectlBin == "" || os.Getenv("KUBECONFIG") == "" {
		fmt.Fprintln(os.Stderr, "tests/cluster runs through `make cluster-test` (it starts the cluster and sets REPO_ROOT, CLUSTER_SIM_DIR, HELM, KUBECTL, KUBECONFIG)")
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// run runs a command in the repository, logs it, and returns its combined output.
func run(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = repoRoot
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	t.Logf("$ %s %s  (%.1fs, err=%v)\n%s", filepath.Base(name), strings.Join(args, " "),
		time.Since(start).Seconds(), err, indent(out.String()))
	return out.String(), err
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if len(s) > 6000 {
		s = s[:2000] + "\n...\n" + s[len(s)-4000:]
	}
	return "    | " + strings.ReplaceAll(s, "\n", "\n    | ")
}

func mustRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := run(t, name, args...)
	if err != nil {
		t.Fatalf("%s %s failed: %v", name, strings.Join(args, " "), err)
	}
	return out
}

// makeTarget runs `make TARGET VARS...` exactly as a user would, with WAIT_HTTP=waitHTTP: 0 on
// kwok (the documented switch that skips only the HTTP waits needing real containers), 1 (the
// default) on the real node. KUBECONFIG and PATH (our kubectl first) come from the environment
// the suite's script set up.
func makeTarget(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return run(t, "make", append([]string{"--no-print-directory", "WAIT_HTTP=" + waitHTTP}, args...)...)
}

func mustMake(t *testing.T, args ...string) string {
	t.Helper()
	out, err := makeTarget(t, args...)
	if err != nil {
		t.Fatalf("make %s failed: %v", strings.Join(args, " "), err)
	}
	return out
}

func kubectl(t *testing.T, args ...string) string {
	t.Helper()
	return mustRun(t, kubectlBin, args...)
}

// getJSON runs `kubectl get ARGS -o json` quietly and decodes it.
func getJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	cmd := exec.Command(kubectlBin, append(append([]string{"get"}, args...), "-o", "json")...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl get %s: %v %s", strings.Join(args, " "), err, stderrOf(err))
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("kubectl get %s: bad JSON: %v", strings.Join(args, " "), err)
	}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// eventually polls f every 200 ms until it reports done or timeout passes (a bound, not a speed claim).
func eventually(t *testing.T, what string, timeout time.Duration, f func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		ok, state := f()
		if ok {
			return
		}
		last = state
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %s; last state: %s", what, timeout, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// --- minimal shapes of the API objects the tests read ---

type meta struct {
	Name              string            `json:"name"`
	Namespace         string            `json:"namespace"`
	Labels            map[string]string `json:"labels"`
	Annotations       map[string]string `json:"annotations"`
	CreationTimestamp time.Time         `json:"creationTimestamp"`
	DeletionTimestamp *time.Time        `json:"deletionTimestamp"`
	OwnerReferences   []struct {
		Kind string `json:"kind"`
		Name string `json:"name"`
	} `json:"ownerReferences"`
}

type condition struct {
	Type               string    `json:"type"`
	Status             string    `json:"status"`
	Reason             string    `json:"reason"`
	Message            string    `json:"message"`
	LastTransitionTime time.Time `json:"lastTransitionTime"`
}

type pod struct {
	Metadata meta `json:"metadata"`
	Spec     struct {
		NodeName string `json:"nodeName"`
	} `json:"spec"`
	Status struct {
		Phase             string            `json:"phase"`
		PodIP             string            `json:"podIP"`
		Conditions        []condition       `json:"conditions"`
		ContainerStatuses []containerStatus `json:"containerStatuses"`
	} `json:"status"`
}

type containerStatus struct {
	Name         string `json:"name"`
	ContainerID  string `json:"containerID"`
	Image        string `json:"image"`
	Ready        bool   `json:"ready"`
	RestartCount int    `json:"restartCount"`
	State        struct {
		Running *struct {
			StartedAt time.Time `json:"startedAt"`
		} `json:"running"`
		Waiting *struct {
			Reason  string `json:"reason"`
			Message string `json:"message"`
		} `json:"waiting"`
		Terminated *struct {
			ExitCode int    `json:"exitCode"`
			Reason   string `json:"reason"`
		} `json:"terminated"`
	} `json:"state"`
}

func (p pod) ready() bool {
	return p.Status.Phase == "Running" && hasCond(p.Status.Conditions, "Ready", "True")
}

type deployment struct {
	Metadata meta `json:"metadata"`
	Spec     struct {
		Replicas *int `json:"replicas"`
	} `json:"spec"`
	Status struct {
		ObservedGeneration int64       `json:"observedGeneration"`
		Replicas           int         `json:"replicas"`
		ReadyReplicas      int         `json:"readyReplicas"`
		UpdatedReplicas    int         `json:"updatedReplicas"`
		AvailableReplicas  int         `json:"availableReplicas"`
		Conditions         []condition `json:"conditions"`
	} `json:"status"`
}

type event struct {
	Metadata       meta `json:"metadata"`
	InvolvedObject struct {
		Kind string `json:"kind"`
		Name string `json:"name"`
	} `json:"involvedObject"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
	Type    string `json:"type"`
	Source  struct {
		Component string `json:"component"`
		Host      string `json:"host"`
	} `json:"source"`
	FirstTimestamp *time.Time `json:"firstTimestamp"`
	LastTimestamp  *time.Time `json:"lastTimestamp"`
	EventTime      *time.Time `json:"eventTime"`
}

func (e event) when() time.Time {
	for _, t := range []*time.Time{e.LastTimestamp, e.EventTime, e.FirstTimestamp} {
		if t != nil && !t.IsZero() {
			return *t
		}
	}
	return e.Metadata.CreationTimestamp
}

type list[T any] struct {
	Items []T `json:"items"`
}

func hasCond(cs []condition, typ, status string) bool {
	for _, c := range cs {
		if c.Type == typ && c.Status == status {
			return true
		}
	}
	return false
}

func pods(t *testing.T, ns string, selector ...string) []pod {
	t.Helper()
	var l list[pod]
	args := []string{"pods", "-n", ns}
	if len(selector) > 0 {
		args = append(args, "-l", strings.Join(selector, ","))
	}
	getJSON(t, &l, args...)
	return l.Items
}

func events(t *testing.T, ns string) []event {
	t.Helper()
	var l list[event]
	getJSON(t, &l, "events", "-n", ns)
	return l.Items
}

// --- shared checks ---

// envFile creates (once) an env file for the tests with secretgen, from .env.example; with
// externalDB the DATABASE_URL points at an external PostgreSQL (prod).
func envFile(t *testing.T, externalDB bool) string {
	t.Helper()
	name := "test.env"
	if externalDB {
		name = "test-external-db.env"
	}
	path := filepath.Join(simDir, name)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	mustRun(t, "build/bin/secretgen", "fill", "--schema", "env.schema.yaml", "--template", ".env.example", path)
	if externalDB {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "DATABASE_URL=") {
				l = "DATABASE_URL=postgresql://todo:external-password-0123456789@db.example.com:5432/todo?sslmode=require"
			}
			lines = append(lines, l)
		}
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// requireRestrictedNamespace: the namespace enforces the restricted Pod Security Standard.
func requireRestrictedNamespace(t *testing.T, ns string) {
	t.Helper()
	var n struct {
		Metadata meta `json:"metadata"`
	}
	getJSON(t, &n, "namespace", ns)
	if got := n.Metadata.Labels["pod-security.kubernetes.io/enforce"]; got != "restricted" {
		t.Fatalf("namespace %s: pod-security.kubernetes.io/enforce=%q, want restricted", ns, got)
	}
}

// requireNoAdmissionRejections: no controller event says a pod was refused (FailedCreate).
func requireNoAdmissionRejections(t *testing.T, ns string) {
	t.Helper()
	for _, e := range events(t, ns) {
		if e.Reason == "FailedCreate" {
			t.Errorf("namespace %s: %s %s could not create a pod: %s", ns, e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Message)
		}
	}
}

// requireDeploymentsAvailable waits until every Deployment of ns is Available with all replicas
// updated and ready (on kwok, Ready is simulated), and returns them.
func requireDeploymentsAvailable(t *testing.T, ns string, want int) []deployment {
	t.Helper()
	var deps []deployment
	eventually(t, "every Deployment of "+ns+" Available", podTimeout, func() (bool, string) {
		var l list[deployment]
		getJSON(t, &l, "deployments", "-n", ns)
		deps = l.Items
		if len(deps) != want {
			return false, fmt.Sprintf("%d deployments, want %d", len(deps), want)
		}
		var bad []string
		for _, d := range deps {
			r := 1
			if d.Spec.Replicas != nil {
				r = *d.Spec.Replicas
			}
			if !hasCond(d.Status.Conditions, "Available", "True") || d.Status.ReadyReplicas != r ||
				d.Status.UpdatedReplicas != r || d.Status.Replicas != r {
				bad = append(bad, fmt.Sprintf("%s ready %d/%d updated %d", d.Metadata.Name, d.Status.ReadyReplicas, r, d.Status.UpdatedReplicas))
			}
		}
		return len(bad) == 0, strings.Join(bad, "; ")
	})
	return deps
}

// requirePodsRunning: every pod of ns is Running and Ready on a node named podNodePrefix*, or
// Succeeded (Job and helm test pods), or a failed attempt of a Job (a migration that ran before
// the database was up; the Job retries, and the tests check its completion themselves).
func requirePodsRunning(t *testing.T, ns string) {
	t.Helper()
	eventually(t, "every pod of "+ns+" Running+Ready or Succeeded", podTimeout, func() (bool, string) {
		var bad []string
		ps := pods(t, ns)
		for _, p := range ps {
			if p.Metadata.DeletionTimestamp != nil || p.Status.Phase == "Succeeded" ||
				(p.Status.Phase == "Failed" && len(p.Metadata.OwnerReferences) > 0 && p.Metadata.OwnerReferences[0].Kind == "Job") {
				continue
			}
			if !p.ready() || !strings.HasPrefix(p.Spec.NodeName, podNodePrefix) {
				bad = append(bad, fmt.Sprintf("%s %s node=%q", p.Metadata.Name, p.Status.Phase, p.Spec.NodeName))
			}
		}
		return len(ps) > 0 && len(bad) == 0, strings.Join(bad, "; ")
	})
}

// helmInstall runs `make helm-install` for env in namespace ns.
func helmInstall(t *testing.T, ns, env string, externalDB bool, extra ...string) string {
	t.Helper()
	args := []string{"helm-install", "ENV=" + env, "NAMESPACE=" + ns, "RELEASE=" + release, "ENV_FILE=" + envFile(t, externalDB)}
	if externalDB { // the NetworkPolicy needs to know where the database is (values-prod.yaml)
		args = append(args, "HELM_ARGS=--set externalDatabase.cidr=203.0.113.10/32")
	}
	args = append(args, extra...)
	return mustMake(t, args...)
}

// ensureRelease installs the release in ns unless it is already deployed there.
func ensureRelease(t *testing.T, ns, env string, externalDB bool) {
	t.Helper()
	if out, err := exec.Command(helmBin, "status", release, "-n", ns, "-o", "json").Output(); err == nil &&
		strings.Contains(string(out), `"status":"deployed"`) {
		return
	}
	helmInstall(t, ns, env, externalDB)
}

func helmRevision(t *testing.T, ns string) (int, string) {
	t.Helper()
	out, err := exec.Command(helmBin, "status", release, "-n", ns, "-o", "json").Output()
	if err != nil {
		t.Fatalf("helm status: %v %s", err, stderrOf(err))
	}
	var s struct {
		Version int `json:"version"`
		Info    struct {
			Status string `json:"status"`
		} `json:"info"`
	}
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatal(err)
	}
	return s.Version, s.Info.Status
}

// replicaSets returns the names of the ReplicaSets of a Deployment that have replicas.
func activeReplicaSets(t *testing.T, ns, deploy string) []string {
	t.Helper()
	var l list[struct {
		Metadata meta `json:"metadata"`
		Spec     struct {
			Replicas int `json:"replicas"`
		} `json:"spec"`
	}]
	getJSON(t, &l, "replicasets", "-n", ns)
	var names []string
	for _, rs := range l.Items {
		for _, o := range rs.Metadata.OwnerReferences {
			if o.Kind == "Deployment" && o.Name == deploy && rs.Spec.Replicas > 0 {
				names = append(names, rs.Metadata.Name)
			}
		}
	}
	sort.Strings(names)
	return names
}

// helmTest runs `helm test` directly (make's helm-verify skips it with WAIT_HTTP=0): the test Pod
// is created, scheduled and admitted for real; kwok marks it Succeeded (its checks do not run).
func helmTest(t *testing.T, ns string) {
	t.Helper()
	out := mustRun(t, helmBin, "test", release, "-n", ns, "--timeout", "2m")
	if !strings.Contains(out, "Phase:          Succeeded") && !strings.Contains(out, "Succeeded") {
		t.Fatalf("helm test: no Succeeded test pod in:\n%s", out)
	}
}

// appReplicaSets: the backend's and the frontend's ReplicaSets that have replicas.
func appReplicaSets(t *testing.T, ns string) map[string][]string {
	t.Helper()
	rs := map[string][]string{}
	for _, c := range []string{"backend", "frontend"} {
		rs[c] = activeReplicaSets(t, ns, fullname+"-"+c)
	}
	return rs
}

// helmUpgradeLogLevel runs `make helm-upgrade` of the dev release in ns with one changed value
// (config.logLevel: warning, in a second -f after HELM_VALUES' file) and the extra make
// arguments; make's error.
func helmUpgradeLogLevel(t *testing.T, ns string, extra ...string) error {
	t.Helper()
	override := filepath.Join(simDir, "values-loglevel.yaml")
	if err := os.WriteFile(override, []byte("config:\n  logLevel: warning\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := makeTarget(t, append([]string{"helm-upgrade", "ENV=dev", "NAMESPACE=" + ns, "RELEASE=" + release,
		"ENV_FILE=" + envFile(t, false), "HELM_VALUES=helm/todo-app/values-dev.yaml -f " + override}, extra...)...)
	return err
}

func requireLogLevel(t *testing.T, ns, want string) {
	t.Helper()
	got := kubectl(t, "get", "configmap", fullname+"-config", "-n", ns, "-o", "jsonpath={.data.LOG_LEVEL}")
	if strings.TrimSpace(got) != want {
		t.Errorf("ConfigMap LOG_LEVEL=%q, want %s", got, want)
	}
}

// requireUpgraded: after helmUpgradeLogLevel from revision rev0, the next revision, the changed
// value, every Deployment Available with one new ReplicaSet (not one of before); the time the
// first of those ReplicaSets was created.
func requireUpgraded(t *testing.T, ns string, rev0 int, before map[string][]string) time.Time {
	t.Helper()
	if rev, _ := helmRevision(t, ns); rev != rev0+1 {
		t.Fatalf("revision %d after the upgrade, want %d", rev, rev0+1)
	}
	requireLogLevel(t, ns, "warning")
	requireDeploymentsAvailable(t, ns, 2)
	var newRS time.Time
	for c, after := range appReplicaSets(t, ns) {
		if len(after) != 1 || (len(before[c]) == 1 && after[0] == before[c][0]) {
			t.Errorf("%s: ReplicaSets with replicas before %v, after %v: want one new ReplicaSet", c, before[c], after)
			continue
		}
		var rs struct {
			Metadata meta `json:"metadata"`
		}
		getJSON(t, &rs, "replicaset", after[0], "-n", ns)
		if newRS.IsZero() || rs.Metadata.CreationTimestamp.Before(newRS) {
			newRS = rs.Metadata.CreationTimestamp
		}
	}
	return newRS
}

// helmRollbackToPrevious: `make helm-rollback` of the release at revision rev0 (>= 2): the
// history says so, a new deployed revision, values-dev.yaml's LOG_LEVEL again, every Deployment
// Available and every pod running.
func helmRollbackToPrevious(t *testing.T, ns string, rev0 int) {
	t.Helper()
	out := mustMake(t, "helm-rollback", "NAMESPACE="+ns, "RELEASE="+release)
	if !strings.Contains(out, fmt.Sprintf("Rollback to %d", rev0-1)) {
		t.Errorf("helm history does not show the rollback to %d:\n%s", rev0-1, out)
	}
	if rev, status := helmRevision(t, ns); rev != rev0+1 || status != "deployed" {
		t.Fatalf("revision %d (%s) after rollback, want %d deployed", rev, status, rev0+1)
	}
	requireLogLevel(t, ns, "debug")
	requireDeploymentsAvailable(t, ns, 2)
	requirePodsRunning(t, ns)
}

// helmUninstallLeavesOnlyThePVC: `make helm-uninstall` leaves nothing of the release in ns but
// the PostgreSQL PVC (the documented policy: volumeClaimTemplates' PVCs outlive the release so
// data is never deleted by an uninstall), no pod either (the helm test Pod included).
func helmUninstallLeavesOnlyThePVC(t *testing.T, ns string) {
	t.Helper()
	mustMake(t, "helm-uninstall", "NAMESPACE="+ns, "RELEASE="+release)
	eventually(t, "no pods left in "+ns, podTimeout, func() (bool, string) {
		ps := pods(t, ns)
		return len(ps) == 0, fmt.Sprintf("%d pods", len(ps))
	})
	out := kubectl(t, "get", "all,configmaps,secrets,serviceaccounts,networkpolicies,poddisruptionbudgets,ingresses,horizontalpodautoscalers,roles,rolebindings,persistentvolumeclaims",
		"-n", ns, "-o", "name")
	var left []string
	for _, l := range strings.Fields(out) {
		switch l {
		case "configmap/kube-root-ca.crt", "serviceaccount/default":
			continue // created by the control plane in every namespace
		}
		left = append(left, l)
	}
	want := []string{"persistentvolumeclaim/data-" + fullname + "-postgresql-0"}
	if strings.Join(left, " ") != strings.Join(want, " ") {
		t.Errorf("after helm-uninstall %s holds %v, want only %v", ns, left, want)
	}
}
