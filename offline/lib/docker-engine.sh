# ensure_docker_engine: a Docker engine that can run kind's privileged node containers.
# shellcheck shell=bash

DOCKER_RUNTIME_NAME=wc-runc
# What this build changed on the host, for `npm run offline:down` to undo (outside $OFFLINE_CACHE, which
# --rebuild empties). Holds the pid and start time of the engine it started.
HOST_STATE=$CACHE_DIR/host-changes.env

# The dockerd this build started, still running: same pid and same start time as recorded (a reused pid is
# someone else's process).
our_engine_running() {
  [ -f "$HOST_STATE" ] || return 1
  local DOCKERD_PID='' DOCKERD_START=''
  # shellcheck disable=SC1090
  . "$HOST_STATE"
  [ -n "$DOCKERD_PID" ] && [ -r "/proc/$DOCKERD_PID/stat" ] || return 1
  [ "$(cat "/proc/$DOCKERD_PID/comm" 2>/dev/null)" = dockerd ] || return 1
  still_running "$DOCKERD_PID" "$DOCKERD_START"
}

process_start() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }
# Still running as the process recorded: same start time, and not a zombie waiting for its parent.
still_running() { # PID START
  [ "$(process_start "$1")" = "$2" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# How to stop the running engine without touching anything else: ours by `npm run offline:down`, another
# one by its own pid file (never a broad kill by name).
engine_stop_hint() {
  if our_engine_running; then
    echo "npm run offline:down (stops the engine this build started)"
  elif [ -f /var/run/docker.pid ]; then
    echo "stop the Docker engine the way it was started (e.g. systemctl stop docker, or: kill $(cat /var/run/docker.pid))"
  else
    echo "stop the Docker engine the way it was started (e.g. systemctl stop docker)"
  fi
}

# Says, before doing it, what starting an engine changes on this host and how to undo it.
announce_engine_start() { # SHIM_OR_EMPTY
  local shim=$1
  log "no Docker engine is running; this build will change the host:"
  log "  - start dockerd as $(id -un) (uid $(id -u)) on /var/run/docker.sock, data in /var/lib/docker, log in $LOG_DIR/dockerd.log;"
  log "    it keeps running after the build (kind clusters run in it)"
  if [ -n "$shim" ]; then
    log "  - make the runtime shim $shim that engine's default runtime: every container it starts loses"
    log "    CAP_SYS_RESOURCE and has a negative oom_score_adj raised to 0 (this host can grant neither);"
    log "    a command-line flag of this engine only: no Docker configuration file is written"
  fi
  log "  - images are added only under $IMAGE_PREFIX/"
  log "  undo: npm run offline:down (stops this engine; refuses while containers run on it; add -- --images to remove the images)"
}

ensure_docker_engine() {
  require_command docker docker.io
  if docker info >/dev/null 2>&1; then
    if lacks_cap_sys_resource; then
      [ "$(docker info --format '{{.DefaultRuntime}}')" = "$DOCKER_RUNTIME_NAME" ] ||
        die "the running Docker engine cannot start privileged containers here (this host's capability bounding set lacks CAP_SYS_RESOURCE)" \
          "$(engine_stop_hint), then run npm run offline:build: it starts an engine with a runtime shim (and says what that changes first)"
      local shim
      shim=$(docker info --format "{{with index .Runtimes \"$DOCKER_RUNTIME_NAME\"}}{{.Path}}{{end}}")
      [ -x "$shim" ] ||
        die "the running Docker engine's runtime shim $shim no longer exists (its cache was removed)" \
          "$(engine_stop_hint), then run npm run offline:build to start it with a fresh shim"
    fi
    return 0
  fi
  command -v dockerd >/dev/null 2>&1 || die "no Docker engine is running and dockerd is not installed" "apt-get install -y docker.io"
  local args=() shim=''
  if lacks_cap_sys_resource; then
    build_runc_shim
    shim=$RUNC_SHIM
    args+=(--add-runtime "$DOCKER_RUNTIME_NAME=$RUNC_SHIM" --default-runtime "$DOCKER_RUNTIME_NAME")
  fi
  announce_engine_start "$shim"
  setsid nohup dockerd "${args[@]}" >"$LOG_DIR/dockerd.log" 2>&1 </dev/null &
  local pid=$! i
  # Recorded at once, so `offline:down` can stop it even if it never became ready.
  printf 'DOCKERD_PID=%s\nDOCKERD_START=%s\nDOCKERD_ARGS="%s"\n' "$pid" "$(process_start "$pid")" "${args[*]}" >"$HOST_STATE"
  for i in $(seq 1 60); do
    docker info >/dev/null 2>&1 && { log "dockerd started (pid $pid); undo with: npm run offline:down"; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  tail -n 15 "$LOG_DIR/dockerd.log" >&2
  die "dockerd did not start (log: $LOG_DIR/dockerd.log)" \
    "read the log above; is another dockerd or containerd holding /var/run/docker.sock? (npm run offline:down stops the one this build started)"
}
