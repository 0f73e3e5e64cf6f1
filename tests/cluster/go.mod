// The cluster-simulation tests (standard library only): they drive the project's Make targets,
// kubectl and helm against the simulated cluster that mk/scripts/cluster-sim-test.sh starts.
module todo-cluster/tests

go 1.24.0
