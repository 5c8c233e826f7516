# Go artefacts, each built from its pinned module version into a directory keyed by its inputs.
# shellcheck shell=bash

GO_SRC=$OFFLINE_DIR/go

require_go() {
  command -v go >/dev/null 2>&1 || die "the Go toolchain is not installed (needed to build kind, Kubernetes and the images)" \
    "install Go >= 1.24 (on this machine kind it lives in /usr/local/go/bin: export PATH=/usr/local/go/bin:\$PATH)"
}

# The Go wrapper modules of a minor: offline/go/kubernetes and offline/go/etcd for the default one (the kubernetes
# module also holds this project's Go programs, built at the default minor whatever the cluster's), and
# offline/go/versions/<minor>/{kubernetes,etcd} for each other supported minor.
kubernetes_go_dir() { if [ "$KUBERNETES_MINOR" = "$DEFAULT_KUBERNETES_MINOR" ]; then echo "$GO_SRC/kubernetes"; else echo "$GO_SRC/versions/$KUBERNETES_MINOR/kubernetes"; fi; }
etcd_go_dir() { if [ "$KUBERNETES_MINOR" = "$DEFAULT_KUBERNETES_MINOR" ]; then echo "$GO_SRC/etcd"; else echo "$GO_SRC/versions/$KUBERNETES_MINOR/etcd"; fi; }

# The Go wrapper modules must build exactly what versions.env pins: one place to change a version.
check_go_pins() {
  local module want dir got default_version=KUBERNETES_${DEFAULT_KUBERNETES_MINOR//./_}
  while read -r module want dir; do
    got=$(awk -v m="$module" '$1 == m || ($1 == "require" && $2 == m) {print $NF; exit}' "$dir/go.mod" 2>/dev/null || true)
    [ "$got" = "$want" ] || die "versions.env pins $module $want but ${dir#"$REPO_DIR"/}/go.mod requires ${got:-nothing}" \
      "cd ${dir#"$REPO_DIR"/} && go get $module@$want && go mod tidy (for Kubernetes also update the k8s.io/* replace lines)"
  done <<PINS
k8s.io/kubernetes $KUBERNETES_VERSION $(kubernetes_go_dir)
k8s.io/kubernetes ${!default_version} $GO_SRC/kubernetes
go.etcd.io/etcd/server/v3 $ETCD_VERSION $(etcd_go_dir)
github.com/containerd/containerd/v2 $CONTAINERD_VERSION $GO_SRC/containerd
PINS
}

# go_artefact_dir NAME KEY: where an artefact's build goes; is_built says whether it finished there.
go_artefact_dir() { printf '%s/%s/%s' "$OFFLINE_CACHE" "$1" "$2"; }
is_built() { [ -f "$1/.complete" ]; }
mark_built() { touch "$1/.complete"; }

# go_install DIR [VAR=value...] -- [go install flags] PACKAGE@VERSION...: `go install` into DIR.
go_install() {
  local dir=$1; shift
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  mkdir -p "$dir"
  env GOBIN="$dir" "${envs[@]}" go install -v -trimpath "$@"
}

build_runc_shim() {
  require_go
  local dir; dir=$(go_artefact_dir runc-shim "$(key_of "$GO_SRC/kubernetes/cmd/runc-shim")")
  RUNC_SHIM=$dir/runc-shim
  is_built "$dir" && return 0
  mkdir -p "$dir"
  (cd "$GO_SRC/kubernetes" && CGO_ENABLED=0 go build -trimpath -o "$RUNC_SHIM" ./cmd/runc-shim) || die "building runc-shim failed" "check the Go toolchain"
  mark_built "$dir"
}

build_kind() {
  local dir; dir=$(go_artefact_dir kind "$KIND_VERSION")
  KIND_BIN=$dir/kind
  is_built "$dir" && return 0
  timed kind go_install "$dir" CGO_ENABLED=0 -- "sigs.k8s.io/kind@$KIND_VERSION"
  mark_built "$dir"
}

kubernetes_ldflags() {
  local v=$KUBERNETES_VERSION minor
  minor=$(echo "$v" | cut -d. -f2)
  local pkg flags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  printf '%s' "$flags"
}

# The Kubernetes commands of the selected minor.
# Downloads every Go module the builds after Kubernetes' need, in the background while Kubernetes compiles: the
# downloads wait on the network, the compile on the CPU, so on a fresh machine they overlap (CoreDNS alone: 1.6 GB of
# modules, 31 s here). `go build -n` / `go install -n` load the packages (downloading what they need) and compile
# nothing; each build then runs in its turn as before. Its failures are left to the build that needs the module.
prefetch_go_modules() {
  local c=github.com/containerd/containerd/v2 p=github.com/containernetworking/plugins/plugins
  {
    (cd "$(etcd_go_dir)" && CGO_ENABLED=0 go build -n -o /dev/null .)
    CGO_ENABLED=0 go install -n "github.com/coredns/coredns@$COREDNS_VERSION"
    CGO_ENABLED=0 go install -n "github.com/rancher/local-path-provisioner@$LOCAL_PATH_PROVISIONER_VERSION"
    (cd "$GO_SRC/containerd" && CGO_ENABLED=0 go build -n -tags no_btrfs,no_devmapper,no_zfs -o /dev/null $c/cmd/containerd $c/cmd/containerd-shim-runc-v2 $c/cmd/ctr)
    CGO_ENABLED=1 go install -n -tags seccomp "github.com/opencontainers/runc@$RUNC_VERSION"
    CGO_ENABLED=0 go install -n "$p/main/ptp@$CNI_PLUGINS_VERSION" "$p/main/loopback@$CNI_PLUGINS_VERSION" \
      "$p/ipam/host-local@$CNI_PLUGINS_VERSION" "$p/meta/portmap@$CNI_PLUGINS_VERSION"
    CGO_ENABLED=0 go install -n "sigs.k8s.io/metrics-server/cmd/metrics-server@$METRICS_SERVER_VERSION"
    CGO_ENABLED=0 go install -n "github.com/distribution/distribution/v3/cmd/registry@$DISTRIBUTION_VERSION"
  } 2>&1 | grep '^go: ' >"$LOG_DIR/prefetch.log" || true # what -n would run is not kept: the downloads and errors are
}

build_kubernetes() {
  local src; src=$(kubernetes_go_dir)
  local dir; dir=$(go_artefact_dir kubernetes "$KUBERNETES_VERSION-$(key_of "$src")")
  KUBE_BIN_DIR=$dir
  is_built "$dir" && return 0
  mkdir -p "$dir"
  timed kubernetes bash -c "cd '$src' && CGO_ENABLED=0 go build -v -trimpath -ldflags '$(kubernetes_ldflags)' -o '$dir/' \
    k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kubeadm k8s.io/kubernetes/cmd/kubectl \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kube-proxy"
  mark_built "$dir"
}

# agnhost (Kubernetes' own e2e workload image) and this project's kindnetd and pause: from the default minor's
# module whatever the cluster's minor (a workload image and a CNI daemon talking to the API through client-go
# do not change with it), so every minor's node and workloads share them.
build_node_programs() {
  local dir; dir=$(go_artefact_dir node-programs "$(key_of "$GO_SRC/kubernetes")")
  PROGRAMS_BIN_DIR=$dir
  is_built "$dir" && return 0
  mkdir -p "$dir"
  timed node-programs bash -c "cd '$GO_SRC/kubernetes' && CGO_ENABLED=0 go build -v -trimpath -ldflags '-s -w' -o '$dir/' \
    k8s.io/kubernetes/test/images/agnhost ./cmd/kindnetd ./cmd/pause"
  mark_built "$dir"
}

build_etcd() {
  local src; src=$(etcd_go_dir)
  local dir; dir=$(go_artefact_dir etcd "$ETCD_VERSION-$(key_of "$src")")
  ETCD_BIN_DIR=$dir
  is_built "$dir" && return 0
  mkdir -p "$dir"
  timed etcd bash -c "cd '$src' && CGO_ENABLED=0 go build -v -trimpath -ldflags '-s -w' -o '$dir/etcd' ."
  mark_built "$dir"
}

build_coredns() {
  local dir; dir=$(go_artefact_dir coredns "$COREDNS_VERSION")
  COREDNS_BIN_DIR=$dir
  is_built "$dir" && return 0
  timed coredns go_install "$dir" CGO_ENABLED=0 -- "github.com/coredns/coredns@$COREDNS_VERSION"
  mark_built "$dir"
}

build_local_path_provisioner() {
  local dir; dir=$(go_artefact_dir local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION")
  LPP_BIN_DIR=$dir
  is_built "$dir" && return 0
  timed local-path-provisioner go_install "$dir" CGO_ENABLED=0 -- "github.com/rancher/local-path-provisioner@$LOCAL_PATH_PROVISIONER_VERSION"
  mark_built "$dir"
}

# The node's container runtime, as kind's base image carries it: containerd, its runc shim, runc, ctr,
# and the CNI plugins kindnet's config uses.
build_node_runtime() {
  local dir; dir=$(go_artefact_dir node-runtime "$CONTAINERD_VERSION-$RUNC_VERSION-$CNI_PLUGINS_VERSION-$(key_of "$GO_SRC/containerd")")
  RUNTIME_BIN_DIR=$dir
  is_built "$dir" && return 0
  local c=github.com/containerd/containerd/v2
  timed containerd bash -c "cd '$GO_SRC/containerd' && CGO_ENABLED=0 go build -v -trimpath -tags no_btrfs,no_devmapper,no_zfs \
    -ldflags '-s -w -X $c/version.Version=$CONTAINERD_VERSION' -o '$dir/' \
    $c/cmd/containerd $c/cmd/containerd-shim-runc-v2 $c/cmd/ctr"
  timed runc go_install "$dir" CGO_ENABLED=1 -- -tags seccomp -ldflags "-X main.version=${RUNC_VERSION#v}" \
    "github.com/opencontainers/runc@$RUNC_VERSION"
  local p=github.com/containernetworking/plugins/plugins
  timed cni-plugins go_install "$dir/cni" CGO_ENABLED=0 -- \
    "$p/main/ptp@$CNI_PLUGINS_VERSION" "$p/main/loopback@$CNI_PLUGINS_VERSION" \
    "$p/ipam/host-local@$CNI_PLUGINS_VERSION" "$p/meta/portmap@$CNI_PLUGINS_VERSION"
  mark_built "$dir"
}
