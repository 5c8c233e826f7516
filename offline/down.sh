#!/usr/bin/env bash
# Undoes what the offline build changed on this host (it says what before doing it, see
# lib/docker-engine.sh): stops the Docker engine it started — only that one, found by its recorded pid and
# start time — and, with --images, removes this project's images (localhost/workload-conformance/*).
#
#   npm run offline:down                 stop the engine this build started (refused while containers run on it)
#   npm run offline:down -- --images     also remove this project's images (before the engine stops)
#   npm run offline:down -- --force      stop it even though containers (e.g. a kind cluster) still run on it
set -euo pipefail
DIE_PREFIX='offline:down refused'
. "$(dirname "$0")/lib/common.sh"
. "$OFFLINE_DIR/lib/docker-engine.sh"

images=0 force=0
for arg in "$@"; do
  case $arg in
    --images) images=1 ;;
    --force) force=1 ;;
    *) die "unknown option '$arg'" "use: npm run offline:down [-- --images] [-- --force]" ;;
  esac
done

# Official names earlier versions of this build tagged locally (they are no longer made): listed, not removed,
# since an image of the same name may as well have been pulled by someone else.
legacy_official_images() {
  docker images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null |
    grep -E '^registry\.k8s\.io/(kube-(apiserver|controller-manager|scheduler|proxy)|etcd|coredns/coredns|pause):' || true
}

if [ "$images" = 1 ]; then
  if docker info >/dev/null 2>&1; then
    log "removing this project's images ($IMAGE_PREFIX/*; one a container still uses stays)"
    prune_superseded_images # keeping none
    legacy=$(legacy_official_images)
    [ -z "$legacy" ] || log "left alone: images under official names, which earlier versions of this build tagged and which may be yours too; if they are not: docker rmi $(echo "$legacy" | tr '\n' ' ')"
  else
    log "no Docker engine is running: no images to remove"
  fi
fi

if ! our_engine_running; then
  if [ -f "$HOST_STATE" ]; then
    log "the Docker engine this build started is no longer running"
    rm -f "$HOST_STATE"
  elif docker info --format '{{.DefaultRuntime}}' 2>/dev/null | grep -qx "$DOCKER_RUNTIME_NAME"; then
    log "the running Docker engine has this build's runtime shim as its default, so an earlier version of this build"
    log "started it without recording it; stop it if nothing else uses it: $(engine_stop_hint)"
  else
    log "this build started no Docker engine on this host (none recorded in $HOST_STATE): nothing to stop"
  fi
  exit 0
fi

# shellcheck disable=SC1090
. "$HOST_STATE"
running=$(docker ps -q 2>/dev/null | wc -l)
if [ "$running" -gt 0 ] && [ "$force" = 0 ]; then
  docker ps --format '  {{.Names}} ({{.Image}})' >&2
  die "$running container(s) still run on the Docker engine this build started (pid $DOCKERD_PID); stopping it stops them" \
    "delete the kind cluster(s) first (WC_OFFLINE=1 WC_CLUSTER_NAME=<name> npx workload-conformance down), or stop it anyway: npm run offline:down -- --force"
fi
log "stopping the Docker engine this build started (pid $DOCKERD_PID, args: ${DOCKERD_ARGS:-none})"
kill -TERM "$DOCKERD_PID"
for _ in $(seq 1 60); do
  still_running "$DOCKERD_PID" "$DOCKERD_START" || break
  sleep 0.5
done
! still_running "$DOCKERD_PID" "$DOCKERD_START" ||
  die "dockerd (pid $DOCKERD_PID) did not stop within 30 s of SIGTERM" "see $LOG_DIR/dockerd.log; then: kill -KILL $DOCKERD_PID"
rm -f "$HOST_STATE"
log "stopped. Nothing else to restore: the build wrote no Docker configuration file (the runtime shim was a flag of"
log "that engine and went with it). Docker's data directory /var/lib/docker stays, as with any engine;"
log "this project's images in it: npm run offline:down -- --images (before stopping), cached artefacts: $OFFLINE_CACHE"
