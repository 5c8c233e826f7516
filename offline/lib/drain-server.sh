# The rolling-update check's reference workload, drain-server (offline/go/drain-server: a small HTTP
# server of this project, standard library only, that drains correctly on SIGTERM; docs/rollout.md).
# Its own file so that its keys never touch the other images' (images.sh is part of their key).
# shellcheck shell=bash

# A static binary keyed by its own sources, so changing it never rebuilds Kubernetes.
build_drain_server() {
  require_go
  local dir; dir=$(go_artefact_dir drain-server "$(key_of "$GO_SRC/drain-server")")
  DRAIN_SERVER_BIN=$dir/drain-server
  is_built "$dir" && return 0
  mkdir -p "$dir"
  (cd "$GO_SRC/drain-server" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$DRAIN_SERVER_BIN" .) ||
    die "building drain-server failed" "check the Go toolchain"
  mark_built "$dir"
}

# One static binary in a scratch image: it runs as any non-root user with a read-only root filesystem.
build_drain_server_image() {
  DRAIN_SERVER_LOCAL=$IMAGE_PREFIX/drain-server:$(key_of "path:$DRAIN_SERVER_BIN")
  build_image "$DRAIN_SERVER_LOCAL" scratch '["/drain-server"]' "$DRAIN_SERVER_BIN:/drain-server"
}
