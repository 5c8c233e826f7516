//go:build tools

// Package containerd pins the containerd commands the node image carries. containerd's own go.mod
// has exclude directives, which `go install module@version` refuses, so it is built from here.
package containerd

import (
	_ "github.com/containerd/containerd/v2/cmd/containerd"
	_ "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2"
	_ "github.com/containerd/containerd/v2/cmd/ctr"
)
