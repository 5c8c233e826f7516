//go:build tools

// Package kubernetes pins the Kubernetes 1.36 commands the offline node image for that minor is built from (this
// project's own programs come from offline/go/kubernetes). The k8s.io/kubernetes module replaces its staging modules with local paths, which a
// dependent module cannot use; go.mod here maps them to their published versions instead.
package kubernetes

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubeadm"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
