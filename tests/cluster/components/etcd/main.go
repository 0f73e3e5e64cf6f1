// Command etcd is upstream etcd (go.etcd.io/etcd/server/v3, pinned in go.mod) for the
// cluster simulation: it only hands its arguments to etcdmain.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
