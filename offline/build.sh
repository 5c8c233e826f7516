#!/usr/bin/env bash
# Builds (or reuses) everything a kind cluster needs on a machine with no container registry:
# a Docker engine that works here, the kind CLI, a node image for the pinned Kubernetes, the suite's workload
# images (served to the nodes under their official names by the local registry, whose image it builds too:
# lib/run/registry.ts). Every artefact is keyed by its pins and inputs, so a second run reuses it.
#
#   bash offline/build.sh            build what is missing, then write artefacts-<minor>.json
#   WC_KUBERNETES_VERSION=1.35 bash offline/build.sh   the same for another supported minor (versions.env)
#   bash offline/build.sh --rebuild  forget every cached artefact and build from scratch
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$OFFLINE_DIR/lib/docker-engine.sh"
. "$OFFLINE_DIR/lib/go-build.sh"
. "$OFFLINE_DIR/lib/rootfs.sh"
. "$OFFLINE_DIR/lib/images.sh"
. "$OFFLINE_DIR/lib/registry-image.sh"
. "$OFFLINE_DIR/lib/loadgen-image.sh"
. "$OFFLINE_DIR/lib/node-image.sh"
. "$OFFLINE_DIR/lib/metrics-server.sh"
select_kubernetes

if [ "${1:-}" = "--rebuild" ]; then
  log "removing cached artefacts in $OFFLINE_CACHE and this project's local images"
  prune_superseded_images # keeping none
  find "$OFFLINE_CACHE" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
fi

preflight() {
  [ "$(uname -s)" = Linux ] || die "offline mode builds Linux node images and runs only on Linux" "use a Linux machine"
  local free_kb
  free_kb=$(df -Pk "$OFFLINE_CACHE" | awk 'NR==2 {print $4}')
  local need_gb=${WC_OFFLINE_MIN_FREE_GB:-8}
  [ "$free_kb" -gt $((need_gb * 1024 * 1024)) ] || die "less than $need_gb GiB free under $OFFLINE_CACHE (the build needs about 6 GiB)" "free disk space or set WC_CACHE_DIR to a larger disk"
  require_go
  check_go_pins
  require_command debootstrap debootstrap
  [ -x /bin/busybox ] || die "busybox is not installed" "apt-get install -y busybox-static"
  # runc is built with seccomp support, through cgo.
  [ -f /usr/include/seccomp.h ] || die "libseccomp headers are missing" "apt-get install -y libseccomp-dev"
  require_command gcc gcc
}

started=$(date +%s)
log "Kubernetes $KUBERNETES_VERSION (minor $KUBERNETES_MINOR; the supported ones: ${KUBERNETES_MINORS//,/, })"
: >"$LOG_DIR/timings.tsv"
preflight
ensure_docker_engine
build_kind
# Beside Kubernetes' compile when it has to be built (a machine with nothing built yet); waited for before the
# artefacts are written, so it never outlives the build.
prefetching=
is_built "$(go_artefact_dir kubernetes "$KUBERNETES_VERSION-$(key_of "$(kubernetes_go_dir)")")" || { prefetch_go_modules & prefetching=$!; }
build_kubernetes
check_kubeadm_images
build_node_programs
build_etcd
build_coredns
build_local_path_provisioner
build_node_runtime
KINDNETD_IMAGE=$IMAGE_PREFIX/kindnetd:$(key_of "path:$PROGRAMS_BIN_DIR")
LPP_IMAGE=$IMAGE_PREFIX/local-path-provisioner:$LOCAL_PATH_PROVISIONER_VERSION
timed workload-images build_workload_images
build_metrics_server
build_registry_image
build_node_image
timed loadgen-image build_loadgen_image
mapfile -t upstream_local_images < <(upstream_images | while read -r i; do upstream_local "$i"; done)
# The node images of the other supported minors stay: a run on another version reuses its own.
mapfile -t other_node_images < <(other_minors_node_images)
prune_superseded_images "${other_node_images[@]}" "$NODE_IMAGE" "$NODE_BASE_IMAGE" "$IPTABLES_BASE_IMAGE" "$KINDNETD_IMAGE" "$LPP_IMAGE" \
  "$AGNHOST_LOCAL" "$BUSYBOX_LOCAL" "$METRICS_SERVER_LOCAL" "$REGISTRY_LOCAL" "$LOADGEN_LOCAL" "${upstream_local_images[@]}"

[ -z "$prefetching" ] || wait "$prefetching" || true
artefacts=$OFFLINE_CACHE/artefacts-$KUBERNETES_MINOR.json
cat >"$artefacts.partial" <<JSON
{
  "kubernetesVersion": "$KUBERNETES_VERSION",
  "kind": "$KIND_BIN",
  "nodeImage": "$NODE_IMAGE",
  "registry": "$REGISTRY_LOCAL",
  "images": {
    "agnhost": "$AGNHOST_LOCAL",
    "busybox": "$BUSYBOX_LOCAL",
    "metricsServer": "$METRICS_SERVER_LOCAL",
    "loadgen": "$LOADGEN_LOCAL"
  }
}
JSON
mv "$artefacts.partial" "$artefacts"
log "offline artefacts for Kubernetes $KUBERNETES_VERSION ready in $(( $(date +%s) - started ))s: $artefacts"
