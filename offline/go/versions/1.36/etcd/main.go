// Command etcd is etcd's server entry point, built from the published go.etcd.io/etcd/server/v3
// module (the repository's own main package lives in a module with local replace directives).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
