//go:build !realnode

package cluster

// The kwok phase: the tests run in file order against one simulated cluster (see helpers_test.go
// for what is real and what is simulated). Each test installs what it needs when an earlier one
// did not, so `make cluster-test CLUSTER_TEST_PHASES=sim CLUSTER_TEST_RUN=TestName` works alone.

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// The kwok phase's settings (node_test.go has the real node's).
const (
	waitHTTP      = "0" // kwok runs no container: skip the waits that need one
	podNodePrefix = "sim-node-"
	podTimeout    = 2 * time.Minute
)

// The control plane is the real one and the nodes are kwok's.
func TestControlPlane_RealAPIServer_TwoSimulatedNodes(t *testing.T) {
	out := kubectl(t, "version")
	if !strings.Contains(out, "Server Version: v1.") {
		t.Fatalf("no server version in:\n%s", out)
	}
	var nodes list[struct {
		Metadata meta `json:"metadata"`
		Status   struct {
			Allocatable map[string]string `json:"allocatable"`
			Conditions  []condition       `json:"conditions"`
		} `json:"status"`
	}]
	getJSON(t, &nodes, "nodes")
	if len(nodes.Items) != 2 {
		t.Fatalf("%d nodes, want 2", len(nodes.Items))
	}
	for _, n := range nodes.Items {
		if n.Metadata.Annotations["kwok.x-k8s.io/node"] != "fake" {
			t.Errorf("node %s is not a kwok node", n.Metadata.Name)
		}
		if n.Status.Allocatable["cpu"] != "4" || n.Status.Allocatable["memory"] != "8Gi" {
			t.Errorf("node %s allocatable %v, want cpu 4, memory 8Gi", n.Metadata.Name, n.Status.Allocatable)
		}
		if !hasCond(n.Status.Conditions, "Ready", "True") {
			t.Errorf("node %s is not Ready", n.Metadata.Name)
		}
	}
	// RBAC is enforced: a ServiceAccount without bindings may not list Secrets.
	if out, _ := run(t, kubectlBin, "auth", "can-i", "list", "secrets", "-n", "default",
		"--as", "system:serviceaccount:default:default"); strings.TrimSpace(out) != "no" {
		t.Errorf("RBAC: the default ServiceAccount can list secrets (%q)", out)
	}
	// The PVs for the StatefulSets' claims and the default StorageClass exist.
	out = kubectl(t, "get", "storageclass", "-o", "name")
	if !strings.Contains(out, "storageclass.storage.k8s.io/sim-local") {
		t.Errorf("no default StorageClass sim-local: %s", out)
	}
}

// Server-side validation (schemas, defaults, admission in dry-run) of the committed k8s/.
func TestServerDryRun_K8sManifests(t *testing.T) {
	mustRun(t, "mk/scripts/k8s-namespace.sh", "todo")
	out := kubectl(t, "apply", "--dry-run=server", "-k", "k8s/")
	if strings.Contains(out, "would violate PodSecurity") {
		t.Errorf("a pod template of k8s/ would violate the restricted Pod Security Standard:\n%s", out)
	}
	if !strings.Contains(out, "(server dry run)") {
		t.Errorf("no object was validated by the server:\n%s", out)
	}
}

// `make k8s-deploy` (kubectl apply -k of k8s/ through the overlay), unchanged but WAIT_HTTP=0.
func TestK8sDeploy_SimulatedPods(t *testing.T) {
	ns := "todo"
	mustMake(t, "k8s-deploy", "NAMESPACE="+ns, "ENV_FILE="+envFile(t, false))
	requireRestrictedNamespace(t, ns)
	requireDeploymentsAvailable(t, ns, 2)
	requirePodsRunning(t, ns)
	requireNoAdmissionRejections(t, ns)
	// The migration Job (plain Job with kubectl apply) ran to completion (simulated).
	eventually(t, "job/"+fullname+"-migrate Complete", time.Minute, func() (bool, string) {
		var j struct {
			Status struct {
				Conditions []condition `json:"conditions"`
			} `json:"status"`
		}
		getJSON(t, &j, "job", fullname+"-migrate", "-n", ns)
		return hasCond(j.Status.Conditions, "Complete", "True"), fmt.Sprint(j.Status.Conditions)
	})
	// k8s-delete frees the dev NodePort (30080) for the helm tests and keeps the PVC.
	mustMake(t, "k8s-delete", "NAMESPACE="+ns)
	out := kubectl(t, "get", "deployments,statefulsets,services,configmaps", "-n", ns, "-l", "app.kubernetes.io/instance=todo", "-o", "name")
	if strings.TrimSpace(out) != "" {
		t.Errorf("k8s-delete left:\n%s", out)
	}
}

// `make helm-install ENV=dev`: admitted, hook order, every Deployment Available, helm test pods complete.
func TestHelmInstallDev_SimulatedPods(t *testing.T) {
	ns := "todo-dev"
	helmInstall(t, ns, "dev", false)
	checkInstalled(t, ns, 2)
}

func checkInstalled(t *testing.T, ns string, deployments int) {
	t.Helper()
	requireRestrictedNamespace(t, ns)
	deps := requireDeploymentsAvailable(t, ns, deployments)
	requirePodsRunning(t, ns)
	requireNoAdmissionRejections(t, ns)
	rev, status := helmRevision(t, ns)
	if status != "deployed" {
		t.Fatalf("release status %q (revision %d), want deployed", status, rev)
	}
	// The migration hook (post-install): created by helm once --wait saw the release ready,
	// i.e. after every Deployment became Available; it completed (simulated) and was deleted
	// (hook-succeeded).
	migrate := fullname + "-migrate"
	var created, completed time.Time
	for _, e := range events(t, ns) {
		if e.InvolvedObject.Kind == "Job" && e.InvolvedObject.Name == migrate {
			switch e.Reason {
			case "SuccessfulCreate":
				created = e.when()
			case "Completed":
				completed = e.when()
			}
		}
	}
	if created.IsZero() || completed.IsZero() {
		t.Fatalf("no SuccessfulCreate/Completed events of job/%s: the migration hook did not run", migrate)
	}
	if rev == 1 {
		for _, d := range deps {
			for _, c := range d.Status.Conditions {
				// Event times have 1 s resolution.
				if c.Type == "Available" && created.Before(c.LastTransitionTime.Add(-time.Second)) {
					t.Errorf("post-install hook job/%s started at %s, before deployment %s was Available at %s",
						migrate, created, d.Metadata.Name, c.LastTransitionTime)
				}
			}
		}
	}
	out := kubectl(t, "get", "job", migrate, "-n", ns, "--ignore-not-found", "-o", "name")
	if strings.TrimSpace(out) != "" {
		t.Errorf("job/%s still exists: hook-delete-policy hook-succeeded did not apply", migrate)
	}
	helmTest(t, ns)
}

// `make helm-upgrade` with a changed ConfigMap value: pre-upgrade migration first, then new
// ReplicaSets (checksum/config) whose pods become Ready (simulated).
func TestHelmUpgradeConfigChange_RollsPods_SimulatedPods(t *testing.T) {
	ns := "todo-dev"
	ensureRelease(t, ns, "dev", false)
	before := appReplicaSets(t, ns)
	rev0, _ := helmRevision(t, ns)
	if err := helmUpgradeLogLevel(t, ns); err != nil {
		t.Fatalf("make helm-upgrade: %v", err)
	}
	newRS := requireUpgraded(t, ns, rev0, before)
	requirePodsRunning(t, ns)
	// pre-upgrade: the migration Job completed before the new ReplicaSets were created.
	var completed time.Time
	for _, e := range events(t, ns) {
		if e.InvolvedObject.Kind == "Job" && e.InvolvedObject.Name == fullname+"-migrate" && e.Reason == "Completed" &&
			e.when().After(completed) {
			completed = e.when()
		}
	}
	if completed.IsZero() || completed.After(newRS) {
		t.Errorf("pre-upgrade migration completed at %s, the new ReplicaSets were created at %s: want the migration first", completed, newRS)
	}
}

// `make helm-rollback` returns to the previous revision (the ConfigMap value and the pods).
// It makes its own history (one upgrade with another LOG_LEVEL), whatever ran before it.
func TestHelmRollback_SimulatedPods(t *testing.T) {
	ns := "todo-dev"
	ensureRelease(t, ns, "dev", false)
	logLevel := func() string {
		return strings.TrimSpace(kubectl(t, "get", "configmap", fullname+"-config", "-n", ns, "-o", "jsonpath={.data.LOG_LEVEL}"))
	}
	previous, changed := logLevel(), "error"
	if previous == changed {
		changed = "warning"
	}
	override := filepath.Join(simDir, "values-rollback.yaml")
	if err := os.WriteFile(override, []byte("config:\n  logLevel: "+changed+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustMake(t, "helm-upgrade", "ENV=dev", "NAMESPACE="+ns, "RELEASE="+release, "ENV_FILE="+envFile(t, false),
		"HELM_VALUES=helm/todo-app/values-dev.yaml -f "+override)
	rev0, _ := helmRevision(t, ns)
	if got := logLevel(); got != changed {
		t.Fatalf("ConfigMap LOG_LEVEL=%q after the upgrade to revision %d, want %s", got, rev0, changed)
	}
	out := mustMake(t, "helm-rollback", "NAMESPACE="+ns, "RELEASE="+release)
	if !strings.Contains(out, fmt.Sprintf("Rollback to %d", rev0-1)) {
		t.Errorf("helm history does not show the rollback to %d:\n%s", rev0-1, out)
	}
	if rev, status := helmRevision(t, ns); rev != rev0+1 || status != "deployed" {
		t.Fatalf("revision %d (%s) after rollback, want %d deployed", rev, status, rev0+1)
	}
	if got := logLevel(); got != previous {
		t.Errorf("ConfigMap LOG_LEVEL=%q after rollback, want %q (revision %d's)", got, previous, rev0-1)
	}
	requireDeploymentsAvailable(t, ns, 2)
	requirePodsRunning(t, ns)
}

// `make helm-uninstall` leaves nothing of the release but the PostgreSQL PVC.
func TestHelmUninstall_LeavesOnlyThePVC(t *testing.T) {
	ns := "todo-dev"
	ensureRelease(t, ns, "dev", false)
	helmUninstallLeavesOnlyThePVC(t, ns)
}

// `make helm-install ENV=staging` (2 replicas each, bundled PostgreSQL 5Gi, ingress).
func TestHelmInstallStaging_SimulatedPods(t *testing.T) {
	ns := "todo-staging"
	helmInstall(t, ns, "staging", false)
	checkInstalled(t, ns, 2)
}

// Chaos on the control plane: delete a backend pod; the ReplicaSet controller creates a
// replacement, the scheduler places it, kwok marks it Ready (simulated). 10 rounds, times reported
// (no assertion on speed; each round is bounded by a 2-minute timeout).
func TestChaosDeleteBackendPod_ReplacementScheduledReady_SimulatedPods(t *testing.T) {
	ns := "todo-staging"
	ensureRelease(t, ns, "staging", false)
	sel := "app.kubernetes.io/instance=" + release + ",app.kubernetes.io/component=backend"
	var times []time.Duration
	for round := 1; round <= 10; round++ {
		ps := pods(t, ns, sel)
		if len(ps) == 0 {
			t.Fatalf("round %d: no backend pod", round)
		}
		victim := ps[0].Metadata.Name
		start := time.Now()
		kubectl(t, "delete", "pod", victim, "-n", ns, "--wait=false")
		var replacement string
		eventually(t, fmt.Sprintf("round %d: 2 Ready backend pods without %s", round, victim), 2*time.Minute, func() (bool, string) {
			ready := 0
			var state []string
			for _, p := range pods(t, ns, sel) {
				state = append(state, p.Metadata.Name+"="+p.Status.Phase)
				if p.Metadata.Name == victim {
					return false, "victim still present: " + strings.Join(state, " ")
				}
				if p.ready() && p.Metadata.DeletionTimestamp == nil {
					ready++
					if p.Metadata.CreationTimestamp.After(start.Add(-time.Second)) {
						replacement = p.Metadata.Name
					}
				}
			}
			return ready == 2 && replacement != "", strings.Join(state, " ")
		})
		d := time.Since(start)
		times = append(times, d)
		t.Logf("round %2d: deleted %s, replacement %s scheduled and Ready after %s", round, victim, replacement, d.Round(time.Millisecond))
	}
	sorted := append([]time.Duration(nil), times...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	var sum time.Duration
	for _, d := range times {
		sum += d
	}
	report := fmt.Sprintf("control-plane recovery after `kubectl delete pod` of a backend pod (simulated pods; %d rounds):\n"+
		"  min %s  median %s  mean %s  max %s\n  rounds: %v\n",
		len(times), sorted[0].Round(time.Millisecond), sorted[len(sorted)/2].Round(time.Millisecond),
		(sum / time.Duration(len(times))).Round(time.Millisecond), sorted[len(sorted)-1].Round(time.Millisecond), roundAll(times))
	t.Log(report)
	if err := os.WriteFile(filepath.Join(simDir, "recovery.txt"), []byte(report), 0o644); err != nil {
		t.Fatal(err)
	}
}

func roundAll(ds []time.Duration) []string {
	var s []string
	for _, d := range ds {
		s = append(s, d.Round(time.Millisecond).String())
	}
	return s
}

// Scale above the nodes' capacity (2 x 4 CPU): the scheduler leaves pods Pending with
// "Insufficient cpu" and `make doctor` says so. Then back to 2 replicas.
func TestScaleAboveCapacity_PendingInsufficientCPU_DoctorExplains(t *testing.T) {
	ns := "todo-staging"
	ensureRelease(t, ns, "staging", false)
	deploy := fullname + "-backend"
	kubectl(t, "scale", "deployment/"+deploy, "-n", ns, "--replicas=50") // 50 x 200m = 10 CPU > 8
	defer func() {
		kubectl(t, "scale", "deployment/"+deploy, "-n", ns, "--replicas=2")
		requireDeploymentsAvailable(t, ns, 2)
	}()
	sel := "app.kubernetes.io/instance=" + release + ",app.kubernetes.io/component=backend"
	eventually(t, "a Pending backend pod with Insufficient cpu", 2*time.Minute, func() (bool, string) {
		pending, running := 0, 0
		msg := ""
		for _, p := range pods(t, ns, sel) {
			switch p.Status.Phase {
			case "Pending":
				for _, c := range p.Status.Conditions {
					if c.Type == "PodScheduled" && c.Status == "False" && strings.Contains(c.Message, "Insufficient cpu") {
						pending++
						msg = c.Message
					}
				}
			case "Running":
				running++
			}
		}
		t.Logf("scheduled %d, unschedulable %d: %s", running, pending, msg)
		return pending > 0 && running+pending == 50, fmt.Sprintf("running %d, unschedulable %d", running, pending)
	})
	out := mustMake(t, "doctor", "NAMESPACE="+ns)
	if !strings.Contains(out, "Insufficient cpu") {
		t.Errorf("make doctor does not mention Insufficient cpu:\n%s", out)
	}
}

// `make helm-install ENV=prod` with an external DATABASE_URL: HPAs, PDBs, ingress with TLS, no
// bundled PostgreSQL.
func TestHelmInstallProd_ExternalDatabase_SimulatedPods(t *testing.T) {
	ns := "todo-prod"
	helmInstall(t, ns, "prod", true)
	checkInstalled(t, ns, 2)
	out := kubectl(t, "get", "statefulsets,persistentvolumeclaims,horizontalpodautoscalers", "-n", ns, "-o", "name")
	if strings.Contains(out, "statefulset") || strings.Contains(out, "persistentvolumeclaim") {
		t.Errorf("prod (external database) created a bundled PostgreSQL:\n%s", out)
	}
	if strings.Count(out, "horizontalpodautoscaler") != 2 {
		t.Errorf("prod: want 2 HPAs:\n%s", out)
	}
}

// A pod that violates "restricted" (test-only values override: AppArmor unconfined) is rejected by
// the real PodSecurity admission, and `make doctor` explains it.
func TestPodSecurityAdmission_RejectsViolatingPod_DoctorExplains(t *testing.T) {
	ns := "todo-psa"
	mustRun(t, "mk/scripts/k8s-namespace.sh", ns)
	// The Secret goes from secretgen to kubectl through a pipe: never into the test log.
	mustRun(t, "sh", "-c", `build/bin/secretgen k8s --name todo-env --namespace "$1" --schema env.schema.yaml "$2" | "$3" apply -f -`,
		"sh", ns, envFile(t, true), kubectlBin)
	// No --wait: the pods can never be created; the Deployment itself is accepted.
	mustRun(t, helmBin, "upgrade", "--install", release, "helm/todo-app", "-n", ns,
		"-f", "helm/todo-app/values-prod.yaml", "-f", "tests/cluster/testdata/values-psa-violation.yaml",
		"--set", "existingSecret=todo-env", "--set", "migration.enabled=false",
		"--set", "externalDatabase.cidr=203.0.113.10/32")
	defer run(t, helmBin, "uninstall", release, "-n", ns, "--wait")
	rejected := ""
	eventually(t, "a FailedCreate event citing PodSecurity", time.Minute, func() (bool, string) {
		for _, e := range events(t, ns) {
			if e.Reason == "FailedCreate" && strings.Contains(e.Message, "violates PodSecurity") {
				rejected = e.Message
				return true, ""
			}
		}
		return false, "no such event yet"
	})
	if !strings.Contains(rejected, "unconfined") {
		t.Errorf("the rejection does not name the AppArmor violation: %s", rejected)
	}
	for _, p := range pods(t, ns, "app.kubernetes.io/component=backend") {
		t.Errorf("a violating backend pod exists: %s", p.Metadata.Name)
	}
	out := mustMake(t, "doctor", "NAMESPACE="+ns)
	if !strings.Contains(out, "PodSecurity") || !strings.Contains(out, "restricted Pod Security Standard") {
		t.Errorf("make doctor does not explain the Pod Security rejection:\n%s", out)
	}
}
