# ensure_docker_engine: a Docker engine that can run kind's privileged node containers.
# shellcheck shell=bash

DOCKER_RUNTIME_NAME=wc-runc

ensure_docker_engine() {
  require_command docker docker.io
  if docker info >/dev/null 2>&1; then
    if lacks_cap_sys_resource; then
      [ "$(docker info --format '{{.DefaultRuntime}}')" = "$DOCKER_RUNTIME_NAME" ] ||
        die "the running Docker engine cannot start privileged containers here (this host's capability bounding set lacks CAP_SYS_RESOURCE)" \
          "stop it and let this script start one (it adds a runtime shim): pkill dockerd; npm run offline:build"
      local shim
      shim=$(docker info --format "{{with index .Runtimes \"$DOCKER_RUNTIME_NAME\"}}{{.Path}}{{end}}")
      [ -x "$shim" ] ||
        die "the running Docker engine's runtime shim $shim no longer exists (its cache was removed)" \
          "restart the engine so this script starts it with a fresh shim: pkill dockerd; npm run offline:build"
    fi
    return 0
  fi
  command -v dockerd >/dev/null 2>&1 || die "no Docker engine is running and dockerd is not installed" "apt-get install -y docker.io"
  local args=()
  if lacks_cap_sys_resource; then
    build_runc_shim
    log "host lacks CAP_SYS_RESOURCE: starting dockerd with the runc shim as its default runtime"
    args+=(--add-runtime "$DOCKER_RUNTIME_NAME=$RUNC_SHIM" --default-runtime "$DOCKER_RUNTIME_NAME")
  fi
  log "starting dockerd (log: $LOG_DIR/dockerd.log)"
  setsid nohup dockerd "${args[@]}" >"$LOG_DIR/dockerd.log" 2>&1 </dev/null &
  local i
  for i in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    kill -0 $! 2>/dev/null || break
    sleep 0.5
  done
  tail -n 15 "$LOG_DIR/dockerd.log" >&2
  die "dockerd did not start (log: $LOG_DIR/dockerd.log)" "read the log above; is another dockerd or containerd holding /var/run/docker.sock?"
}
