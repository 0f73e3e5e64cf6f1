# shellcheck shell=bash
# Sourced by cluster-sim-up.sh and tests/cluster/node.sh: certificates signed by the cluster's
# CA, kubeconfigs, and starting a recorded process.

# pki_cert PKI NAME SUBJECT [SAN]: PKI/NAME.{key,crt}, a client certificate (or a serving one,
# with SAN) signed by PKI/ca.{crt,key}; openssl's chatter goes to PKI/openssl.log.
pki_cert() {
  local pki=$1 name=$2 subj=$3 san=${4:-}
  local ext=$pki/$name.ext
  openssl req -newkey rsa:2048 -nodes -subj "$subj" -keyout "$pki/$name.key" -out "$pki/$name.csr" 2>>"$pki/openssl.log"
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [[ -n $san ]]; then echo "extendedKeyUsage=serverAuth"; echo "subjectAltName=$san"
    else echo "extendedKeyUsage=clientAuth"; fi; } >"$ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 30 \
    -extfile "$ext" -out "$pki/$name.crt" 2>>"$pki/openssl.log"
}

# pki_kubeconfig KUBECTL SERVER PKI FILE CERT: a kubeconfig for SERVER with the client
# certificate PKI/CERT.{crt,key}, everything embedded.
pki_kubeconfig() {
  local kubectl=$1 server=$2 pki=$3 f=$4 c=$5
  "$kubectl" config set-cluster sim --server "$server" --certificate-authority "$pki/ca.crt" --embed-certs --kubeconfig "$f" >/dev/null
  "$kubectl" config set-credentials "$c" --client-certificate "$pki/$c.crt" --client-key "$pki/$c.key" --embed-certs --kubeconfig "$f" >/dev/null
  "$kubectl" config set-context todo-cluster-sim --cluster sim --user "$c" --kubeconfig "$f" >/dev/null
  "$kubectl" config use-context todo-cluster-sim --kubeconfig "$f" >/dev/null
}

# proc_start DIR NAME BINARY ARGS...: runs BINARY in its own session under the caller's array
# `nice` (e.g. nice -n 19), logging to DIR/NAME.log; records DIR/pids/NAME.pid and NAME.bin
# (cluster-sim-down.sh stops it).
# shellcheck disable=SC2154 # nice is the caller's
proc_start() {
  local dir=$1 name=$2; shift 2
  setsid "${nice[@]}" "$@" >"$dir/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/pids/$name.pid"
  echo "$1" >"$dir/pids/$name.bin"
}

# storage_class_yaml NAME BINDING_MODE: the default StorageClass of pre-created volumes (no provisioner).
storage_class_yaml() {
  cat <<EOF
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: $1
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: $2
reclaimPolicy: Retain
EOF
}

# pv_yaml NAME CLASS LABEL SPEC...: a 10 Gi ReadWriteOnce PersistentVolume of CLASS labelled LABEL
# ("key: value"), kept on release; each SPEC is one more line of its spec (the volume source...).
pv_yaml() {
  local name=$1 class=$2 label=$3; shift 3
  cat <<EOF
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: $name
  labels: {$label}
spec:
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: $class
EOF
  printf '  %s\n' "$@"
}
