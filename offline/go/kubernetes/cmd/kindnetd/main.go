// Command kindnetd is this project's stand-in for kind's default CNI daemon (kindnet), whose source
// is not published as a Go module. It does the same three jobs on each node:
//   - writes a CNI config (ptp + host-local IPAM over the node's podCIDR + portmap) once the node
//     has a podCIDR, so the kubelet can start pods;
//   - routes every other node's podCIDR via that node's InternalIP;
//   - masquerades traffic from pods to addresses outside the cluster's pod subnet.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

const (
	cniConfigPath = "/etc/cni/net.d/10-kindnet.conflist"
	resyncPeriod  = 10 * time.Second
)

func main() {
	nodeName, podSubnet := os.Getenv("NODE_NAME"), os.Getenv("POD_SUBNET")
	if nodeName == "" || podSubnet == "" {
		log.Fatal("NODE_NAME and POD_SUBNET must be set")
	}
	cfg, err := rest.InClusterConfig()
	if err != nil {
		log.Fatalf("in-cluster config: %v", err)
	}
	client := kubernetes.NewForConfigOrDie(cfg)
	if err := ensureMasquerade(podSubnet); err != nil {
		log.Fatalf("masquerade rules: %v", err)
	}
	for {
		if err := reconcile(context.Background(), client, nodeName); err != nil {
			log.Printf("reconcile: %v", err)
		}
		time.Sleep(resyncPeriod)
	}
}

func reconcile(ctx context.Context, client kubernetes.Interface, self string) error {
	nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range nodes.Items {
		node := &nodes.Items[i]
		cidr := node.Spec.PodCIDR
		if cidr == "" {
			continue
		}
		if node.Name == self {
			if err := writeCNIConfig(cidr); err != nil {
				return err
			}
			continue
		}
		if ip := internalIP(node); ip != "" {
			if out, err := exec.Command("ip", "route", "replace", cidr, "via", ip).CombinedOutput(); err != nil {
				return fmt.Errorf("route %s via %s: %v: %s", cidr, ip, err, out)
			}
		}
	}
	return nil
}

func internalIP(node *corev1.Node) string {
	for _, a := range node.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			return a.Address
		}
	}
	return ""
}

func writeCNIConfig(podCIDR string) error {
	conf := map[string]any{
		"cniVersion": "1.0.0",
		"name":       "kindnet",
		"plugins": []any{
			map[string]any{
				"type": "ptp",
				"mtu":  1500,
				"ipam": map[string]any{
					"type":    "host-local",
					"dataDir": "/run/cni-ipam-state",
					"routes":  []any{map[string]any{"dst": "0.0.0.0/0"}},
					"ranges":  []any{[]any{map[string]any{"subnet": podCIDR}}},
				},
			},
			map[string]any{"type": "portmap", "capabilities": map[string]any{"portMappings": true}},
		},
	}
	data, _ := json.MarshalIndent(conf, "", "  ")
	if current, err := os.ReadFile(cniConfigPath); err == nil && string(current) == string(data) {
		return nil
	}
	// Rename so the kubelet never reads a half-written config.
	tmp := filepath.Join(filepath.Dir(cniConfigPath), ".10-kindnet.conflist.tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	log.Printf("CNI config written for podCIDR %s", podCIDR)
	return os.Rename(tmp, cniConfigPath)
}

func ensureMasquerade(podSubnet string) error {
	rule := []string{"POSTROUTING", "-s", podSubnet, "!", "-d", podSubnet,
		"-m", "comment", "--comment", "kindnetd: masquerade pod egress", "-j", "MASQUERADE"}
	check := append([]string{"-w", "-t", "nat", "-C"}, rule...)
	if exec.Command("iptables", check...).Run() == nil {
		return nil
	}
	add := append([]string{"-w", "-t", "nat", "-A"}, rule...)
	if out, err := exec.Command("iptables", add...).CombinedOutput(); err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}
