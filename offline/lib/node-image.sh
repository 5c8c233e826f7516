# The kind node image: kind's published base files (from the kind module) on a Debian root
# filesystem, the runtime and Kubernetes binaries where kind's images put them, and every image
# kubeadm and the add-ons need already in the node's containerd, so `kind create cluster --image`
# works without a registry.
# shellcheck shell=bash

# kind's own node entrypoint, set again on commit: the build container ran with another one.
NODE_ENTRYPOINT='["/usr/local/bin/entrypoint", "/sbin/init"]'

kind_module_dir() {
  (cd "$GO_SRC/kubernetes" && go mod download -json "sigs.k8s.io/kind@$KIND_VERSION" | awk -F'"' '/"Dir"/ {print $4}')
}

# The sandbox image kind's containerd config names (kind's own build reads it the same way).
sandbox_image_of() { awk -F'"' '/sandbox_image/ {print $2}' "$1/images/base/files/etc/containerd/config.toml"; }

# The storage provisioner's helper pods run busybox under its official name (BUSYBOX_IMAGE, preloaded so): the very
# name and image the workloads pull through the local registry. Under a local name it broke once the workloads'
# busybox (the same image) had been pulled: the kubelet then holds a pull record for that image (KEP-2535, ensure
# secret-pulled images) and, for any other name of it, wants to pull that name too, which no registry serves.
render_manifest() { # SRC DEST: fill the ${...} image placeholders this project's manifests use.
  sed -e "s|\${KINDNETD_IMAGE}|$KINDNETD_IMAGE|g" -e "s|\${LPP_IMAGE}|$LPP_IMAGE|g" \
    -e "s|\${BUSYBOX_IMAGE}|$BUSYBOX_IMAGE|g" "$1" >"$2"
}

stage_node_files() { # CONTEXT_DIR KIND_MODULE_DIR
  local ctx=$1 kind_dir=$2 f
  mkdir -p "$ctx/files/usr/bin" "$ctx/files/usr/local/bin" "$ctx/files/usr/local/sbin" "$ctx/files/opt/cni/bin" "$ctx/files/kind/manifests"
  cp -r "$kind_dir/images/base/files/." "$ctx/files/"
  chmod -R u+w,go-w,a+rX "$ctx/files"
  chmod 0755 "$ctx"/files/usr/local/bin/* "$ctx"/files/kind/bin/*
  for f in kubelet kubeadm kubectl; do cp "$KUBE_BIN_DIR/$f" "$ctx/files/usr/bin/"; done
  cp "$RUNTIME_BIN_DIR"/containerd "$RUNTIME_BIN_DIR"/containerd-shim-runc-v2 "$RUNTIME_BIN_DIR"/ctr "$ctx/files/usr/local/bin/"
  cp "$RUNTIME_BIN_DIR"/cni/* "$ctx/files/opt/cni/bin/"
  if lacks_cap_sys_resource; then
    # Inside the node the same bounding set applies, so pod containers need the same shim.
    cp "$RUNTIME_BIN_DIR/runc" "$ctx/files/usr/local/sbin/runc.real"
    build_runc_shim
    cp "$RUNC_SHIM" "$ctx/files/usr/local/sbin/runc"
  else
    cp "$RUNTIME_BIN_DIR/runc" "$ctx/files/usr/local/sbin/runc"
  fi
  printf '%s' "$KUBERNETES_VERSION" >"$ctx/files/kind/version"
  render_manifest "$OFFLINE_DIR/node/manifests/default-cni.yaml" "$ctx/files/kind/manifests/default-cni.yaml"
  render_manifest "$OFFLINE_DIR/node/manifests/default-storage.yaml" "$ctx/files/kind/manifests/default-storage.yaml"
  # The same systemd trimming kind's base Dockerfile does, so systemd boots cleanly in a container.
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $NODE_BASE_IMAGE
COPY files/ /
RUN find /lib/systemd/system/sysinit.target.wants/ -name systemd-tmpfiles-setup.service -delete \\
 && rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \\
    /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \\
    /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/* \\
 && echo "ReadKMsg=no" >> /etc/systemd/journald.conf \\
 && ln -sf /lib/systemd/systemd /sbin/init \\
 && systemctl enable kubelet.service containerd.service undo-mount-hacks.service \\
 && systemctl mask systemd-binfmt.service \\
 && mkdir -p /etc/kubernetes/manifests \\
 && ctr oci spec | jq '.hooks.createContainer[.hooks.createContainer|length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' \\
    | jq 'del(.process.rlimits)' > /etc/containerd/cri-base.json
ENV container=docker
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT $NODE_ENTRYPOINT
DOCKERFILE
}

# Loads IMAGES into the node's containerd the way kind's node-image build does: containerd started
# in a build container, `ctr import` without unpacking, then the container committed. IMAGE=NAME loads
# IMAGE and names it NAME inside the node only (its host name is dropped there).
preload_images() { # BASE_TAG FINAL_TAG IMAGE[=NAME_IN_NODE]...
  local base=$1 final=$2 id spec sources=() renames=''
  shift 2
  for spec in "$@"; do
    sources+=("${spec%%=*}")
    [ "$spec" = "${spec#*=}" ] || renames+="${spec%%=*} ${spec#*=}"$'\n'
  done
  id=$(docker run -d --entrypoint=sleep --security-opt seccomp=unconfined "$base" infinity) || return 1
  # shellcheck disable=SC2064
  trap "docker rm -f -v '$id' >/dev/null 2>&1" RETURN
  docker save "${sources[@]}" | docker exec -i "$id" sh -c 'cat > /kind/images.tar' &&
    docker exec -e RENAMES="$renames" "$id" bash -c '
      set -e
      nohup containerd >/var/log/containerd-build.log 2>&1 &
      for i in $(seq 1 50); do [ -S /run/containerd/containerd.sock ] && ctr version >/dev/null 2>&1 && break; sleep 0.2; done
      ctr --namespace=k8s.io images import --label=io.cri-containerd.pinned=pinned --all-platforms --no-unpack --digests /kind/images.tar
      printf "%s" "$RENAMES" | while read -r src dest; do
        ctr --namespace=k8s.io images tag --force "$src" "$dest" >/dev/null || exit 1
        # A new name does not carry the labels of the import: pinned keeps the kubelet image GC off it.
        ctr --namespace=k8s.io images label "$dest" io.cri-containerd.pinned=pinned >/dev/null || exit 1
        ctr --namespace=k8s.io images rm "$src" >/dev/null || exit 1
      done
      ctr --namespace=k8s.io images list -q
      pkill containerd; while pgrep -x containerd >/dev/null; do sleep 0.2; done
      rm -f /kind/images.tar /var/log/containerd-build.log' &&
    docker commit --change "ENTRYPOINT $NODE_ENTRYPOINT" "$id" "$final" >/dev/null
}

build_node_image() {
  local kind_dir images key ctx
  kind_dir=$(kind_module_dir)
  [ -d "$kind_dir/images/base/files" ] || die "kind's base files were not found in the Go module cache" "check that the Go module proxy is reachable"
  PAUSE_IMAGE=$(sandbox_image_of "$kind_dir")
  debian_base_image node "$NODE_PACKAGES"
  NODE_BASE_IMAGE=$BASE_IMAGE
  build_node_images || die "building the node's component images failed" "see the output above"
  images=()
  local official
  while read -r official; do images+=("$(upstream_local "$official")=$official"); done < <(upstream_images)
  images+=("$KINDNETD_IMAGE" "$LPP_IMAGE" "$BUSYBOX_LOCAL=$BUSYBOX_IMAGE")
  key=$(key_of "$NODE_BASE_IMAGE" "path:$KUBE_BIN_DIR" "path:$PROGRAMS_BIN_DIR" "path:$ETCD_BIN_DIR" "path:$COREDNS_BIN_DIR" "path:$LPP_BIN_DIR" "path:$RUNTIME_BIN_DIR" \
    "$OFFLINE_DIR/node" "$OFFLINE_DIR/lib/node-image.sh" "$OFFLINE_DIR/lib/images.sh" "$OFFLINE_DIR/lib/rootfs.sh" \
    "$(lacks_cap_sys_resource && echo shim)")
  NODE_IMAGE=$IMAGE_PREFIX/node:$KUBERNETES_VERSION-$key
  image_exists "$NODE_IMAGE" && return 0
  ctx=$(mktemp -d "$OFFLINE_CACHE/node-ctx.XXXXXX")
  stage_node_files "$ctx" "$kind_dir"
  timed node-image-base env DOCKER_BUILDKIT=0 docker build -t "$NODE_IMAGE-base" "$ctx"
  rm -rf "$ctx"
  timed node-image-preload preload_images "$NODE_IMAGE-base" "$NODE_IMAGE" "${images[@]}"
  docker rmi "$NODE_IMAGE-base" >/dev/null 2>&1 || true
}

# This project's node images of the supported minors other than this build's (built earlier, kept by the prune).
other_minors_node_images() {
  local minor var
  for minor in ${KUBERNETES_MINORS//,/ }; do
    [ "$minor" = "$KUBERNETES_MINOR" ] && continue
    var=KUBERNETES_${minor//./_}
    docker images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep "^$IMAGE_PREFIX/node:${!var}-" || true
  done
}
