# Sourced by cluster-*.sh: resolves CLUSTER=auto from the current kubectl context.
# cluster_detect prints docker-desktop, minikube, kind or nothing (unknown / no context).
cluster_detect() {
  local ctx
  ctx=$(${KUBECTL:-kubectl} config current-context 2>/dev/null) || return 0
  case $ctx in
    docker-desktop | docker-for-desktop) echo docker-desktop ;;
    minikube | minikube-*) echo minikube ;;
    kind-*) echo kind ;;
    *)
      # A minikube profile is a context named after the profile.
      if command -v minikube >/dev/null && minikube profile list -o json 2>/dev/null | grep -q "\"Name\":\"$ctx\""; then
        echo minikube
      fi
      ;;
  esac
}

# cluster_resolve: CLUSTER, with auto replaced by what the context says (exit 1 if unknown).
cluster_resolve() {
  local c=${CLUSTER:-auto}
  if [[ $c == auto ]]; then
    c=$(cluster_detect)
    if [[ -z $c ]]; then
      echo "CLUSTER=auto: the current kubectl context ($(${KUBECTL:-kubectl} config current-context 2>/dev/null || echo none))" \
        "is not Docker Desktop, minikube or kind; use CLUSTER=minikube or CLUSTER=kind" \
        "(or CLUSTER=containerd for a node you run, kubeadm or k3s)" >&2
      return 1
    fi
    echo "CLUSTER=auto: detected $c from the current kubectl context" >&2
  fi
  echo "$c"
}
