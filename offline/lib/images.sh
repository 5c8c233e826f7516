# Container images built from the Go artefacts: the control-plane images kubeadm asks for, the node
# add-ons (CNI, storage provisioner) and the suite's workload images (agnhost, busybox).
# shellcheck shell=bash

# build_image TAG BASE ENTRYPOINT_JSON SRC:DEST...: a one-layer image FROM BASE ("scratch" for static
# binaries) with each SRC file copied to DEST. Skipped when TAG exists.
build_image() {
  local tag=$1 base=$2 entrypoint=$3 ctx spec src dest
  shift 3
  image_exists "$tag" && return 0
  ctx=$(mktemp -d "$OFFLINE_CACHE/image-ctx.XXXXXX")
  {
    echo "FROM $base"
    for spec in "$@"; do
      src=${spec%%:*}; dest=${spec#*:}
      mkdir -p "$ctx/files$(dirname "$dest")"
      cp -a "$src" "$ctx/files$dest"
    done
    echo "COPY files/ /"
    echo "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    [ "$entrypoint" = none ] || echo "ENTRYPOINT $entrypoint"
  } >"$ctx/Dockerfile"
  # The classic builder never contacts a registry for FROM scratch or a local base image.
  local rc=0 out
  out=$(DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$ctx" 2>&1) || { rc=$?; printf '%s\n' "$out" >&2; }
  rm -rf "$ctx"
  return $rc
}

# A static busybox from Debian's busybox-static, with one link per applet: the shell-work image, and
# the toolbox inside the agnhost image (Kubernetes' own agnhost image also ships a shell and DNS tools).
busybox_tree() { # DIR
  local dir=$1 busybox applet
  busybox=/bin/busybox
  [ -x "$busybox" ] || die "busybox is not installed" "apt-get install -y busybox-static"
  mkdir -p "$dir/bin"
  cp "$busybox" "$dir/bin/busybox"
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
  done
  mkdir -p "$dir/tmp" "$dir/etc" && chmod 1777 "$dir/tmp"
  echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
  echo 'root:x:0:' >"$dir/etc/group"
}

busybox_version() { /bin/busybox 2>&1 | head -n1 | sed -E 's/^BusyBox v([0-9.]+).*/\1/'; }

build_workload_images() {
  local key tree
  key=$(key_of "path:$PROGRAMS_BIN_DIR" "$(busybox_version)" "${BASH_SOURCE[0]}")
  BUSYBOX_LOCAL=$IMAGE_PREFIX/busybox:$(busybox_version)-$key
  AGNHOST_LOCAL=$IMAGE_PREFIX/agnhost:${AGNHOST_IMAGE##*:}-$key
  tree=$(mktemp -d "$OFFLINE_CACHE/busybox.XXXXXX")
  busybox_tree "$tree"
  build_image "$BUSYBOX_LOCAL" scratch none "$tree/.:/" &&
    build_image "$AGNHOST_LOCAL" "$BUSYBOX_LOCAL" '["/agnhost"]' "$PROGRAMS_BIN_DIR/agnhost:/agnhost"
  local rc=$?
  rm -rf "$tree"
  return $rc
}

# Images kubeadm and kind's containerd config ask for by their official names: the built kubeadm's own list for
# KUBERNETES_VERSION (so the control-plane images can never disagree with it), and the sandbox image kind's config
# names when it is another pause tag. On the host they exist only under this project's prefix (upstream_local), so
# the local engine never holds an image under an official name that is not the official image; they get their
# official names inside the node (preload_images).
kubeadm_images() { "$KUBE_BIN_DIR/kubeadm" config images list --kubernetes-version "$KUBERNETES_VERSION" 2>/dev/null; }
upstream_images() { { kubeadm_images; echo "$PAUSE_IMAGE"; } | sort -u; }

# etcd and CoreDNS are built from the versions.env pins: they must be the ones this kubeadm asks for.
check_kubeadm_images() {
  local list want
  list=$(kubeadm_images) || die "kubeadm $KUBERNETES_VERSION could not list its images" "rebuild: bash offline/build.sh --rebuild"
  for want in "registry.k8s.io/etcd:${ETCD_VERSION#v}-0" "registry.k8s.io/coredns/coredns:$COREDNS_VERSION"; do
    grep -qx "$want" <<<"$list" || die "kubeadm $KUBERNETES_VERSION asks for $(grep -E "/(etcd|coredns):" <<<"$list" | tr '\n' ' ')but versions.env builds $want" \
      "set ETCD_VERSION and COREDNS_VERSION in versions.env to kubeadm's (and update offline/go/etcd: go get go.etcd.io/etcd/server/v3@<version>)"
  done
}
upstream_local() { printf '%s/upstream/%s\n' "$IMAGE_PREFIX" "$1"; }

# Every image the node must hold before kubeadm runs (see upstream_images for their names).
build_node_images() {
  debian_base_image iptables "$IPTABLES_PACKAGES"
  IPTABLES_BASE_IMAGE=$BASE_IMAGE
  local official name local_name
  while read -r official; do
    name=${official##*/}; name=${name%%:*}
    local_name=$(upstream_local "$official")
    case $name in
      kube-apiserver | kube-controller-manager | kube-scheduler)
        build_image "$local_name" scratch "[\"/usr/local/bin/$name\"]" "$KUBE_BIN_DIR/$name:/usr/local/bin/$name" ;;
      kube-proxy) build_image "$local_name" "$IPTABLES_BASE_IMAGE" '["/usr/local/bin/kube-proxy"]' "$KUBE_BIN_DIR/kube-proxy:/usr/local/bin/kube-proxy" ;;
      etcd) build_image "$local_name" scratch '["/usr/local/bin/etcd"]' "$ETCD_BIN_DIR/etcd:/usr/local/bin/etcd" ;;
      coredns) build_image "$local_name" scratch '["/coredns"]' "$COREDNS_BIN_DIR/coredns:/coredns" ;;
      pause) build_image "$local_name" scratch '["/pause"]' "$PROGRAMS_BIN_DIR/pause:/pause" ;;
      *) die "kubeadm $KUBERNETES_VERSION asks for $official, which this build does not make" "teach offline/lib/images.sh to build it" ;;
    esac || return 1
  done < <(upstream_images)
  build_image "$KINDNETD_IMAGE" "$IPTABLES_BASE_IMAGE" '["/usr/local/bin/kindnetd"]' "$PROGRAMS_BIN_DIR/kindnetd:/usr/local/bin/kindnetd" &&
  build_image "$LPP_IMAGE" scratch '["/usr/local/bin/local-path-provisioner"]' "$LPP_BIN_DIR/local-path-provisioner:/usr/local/bin/local-path-provisioner"
}
