# Shared by the offline build steps: pins, cache layout, logging and one-line failures.
# shellcheck shell=bash

OFFLINE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$OFFLINE_DIR/.." && pwd)
# shellcheck source=../../versions.env
set -a; . "$REPO_DIR/versions.env"; set +a

# The Kubernetes minor a build makes and its pins (versions.env): WC_KUBERNETES_VERSION names it as "1.35", "v1.35"
# or its pinned patch ("v1.35.4"); unset, the first of KUBERNETES_MINORS. Sets KUBERNETES_MINOR, KUBERNETES_VERSION,
# ETCD_VERSION, COREDNS_VERSION and KIND_NODE_IMAGE. The run side (lib/run/versions.ts) applies the same rule first.
select_kubernetes() {
  local want=${WC_KUBERNETES_VERSION:-} minor key var
  DEFAULT_KUBERNETES_MINOR=${KUBERNETES_MINORS%%,*}
  minor=${want#v}
  [ -n "$minor" ] || minor=$DEFAULT_KUBERNETES_MINOR
  minor=$(printf '%s' "$minor" | cut -d. -f1,2)
  key=${minor//./_}
  var=KUBERNETES_$key
  if ! [[ $minor =~ ^[0-9]+\.[0-9]+$ ]] || [ -z "${!var:-}" ]; then
    die "Kubernetes \"$want\" is not a version this project supports" "set WC_KUBERNETES_VERSION to one of ${KUBERNETES_MINORS//,/, } (versions.env)"
  fi
  KUBERNETES_MINOR=$minor
  KUBERNETES_VERSION=${!var}
  if [[ ${want#v} =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] && [ "v${want#v}" != "$KUBERNETES_VERSION" ]; then
    die "Kubernetes $want is not the pinned patch of $minor ($KUBERNETES_VERSION)" "set WC_KUBERNETES_VERSION=$minor"
  fi
  var=ETCD_$key; ETCD_VERSION=${!var}
  var=COREDNS_$key; COREDNS_VERSION=${!var}
  var=KIND_NODE_IMAGE_$key; KIND_NODE_IMAGE=${!var}
}

CACHE_DIR=${WC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/workload-conformance}
OFFLINE_CACHE=$CACHE_DIR/offline
LOG_DIR=$OFFLINE_CACHE/logs
IMAGE_PREFIX=localhost/workload-conformance
mkdir -p "$OFFLINE_CACHE" "$LOG_DIR"

log() { printf '[offline %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# die WHAT HOW: the one message a user sees when a step cannot go on.
die() {
  printf '\n%s: %s\n  fix: %s\n' "${DIE_PREFIX:-offline build failed}" "$1" "$2" >&2
  exit 1
}

require_command() { # NAME DEBIAN_PACKAGE
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed" "apt-get install -y $2 (or run: bash scripts/install.sh)"
}

# key_of FILE_OR_STRING...: a short, stable key for an artefact's inputs, so a change to any input
# (a pinned version, a build script, a manifest) produces a new artefact instead of a stale hit.
key_of() {
  local arg
  for arg in "$@"; do
    if [ -d "$arg" ]; then (cd "$arg" && find . -type f ! -name '*.log' -print0 | sort -z | xargs -0 sha256sum)
    elif [ -f "$arg" ]; then sha256sum <"$arg" # by content only: a clone elsewhere gets the same key
    else printf '%s\n' "$arg"; fi
  done | sha256sum | cut -c1-12
}

# timed NAME COMMAND...: runs one build step, its output into a log, and reports its duration. A long step
# reports every $PROGRESS_EVERY seconds what it has done (lines logged: Go builds run with -v, one line per
# package built) and how long is left judging by the same step's last finished build (history.tsv, kept
# across builds), so a cold build never goes quiet for minutes. The step itself runs in this shell (steps set
# variables such as image names); only the progress reporter runs beside it.
PROGRESS_EVERY=${WC_OFFLINE_PROGRESS_SECONDS:-15}
report_progress() { # NAME STARTED LAST_SECONDS
  local name=$1 started=$2 last=$3 elapsed eta
  while sleep "$PROGRESS_EVERY"; do
    elapsed=$(( $(date +%s) - started ))
    if [ -n "$last" ] && [ "$last" -gt "$elapsed" ]; then eta="about $((last - elapsed))s left"
    elif [ -n "$last" ]; then eta="longer than its last build (${last}s)"
    else eta="no earlier build to estimate from"; fi
    log "$name: ${elapsed}s, $(wc -l <"$LOG_DIR/$name.log") lines logged, $eta"
  done
}
timed() {
  local name=$1 started rc last reporter
  shift
  started=$(date +%s)
  last=$(awk -F'\t' -v n="$name" '$1 == n {t = $2} END {print t}' "$LOG_DIR/history.tsv" 2>/dev/null || true)
  log "$name ...${last:+ (its last build took ${last}s)}"
  : >"$LOG_DIR/$name.log"
  report_progress "$name" "$started" "$last" &
  reporter=$!
  if "$@" >"$LOG_DIR/$name.log" 2>&1; then rc=0; else rc=$?; fi
  kill "$reporter" 2>/dev/null; wait "$reporter" 2>/dev/null || true
  if [ "$rc" -ne 0 ]; then
    tail -n 25 "$LOG_DIR/$name.log" >&2
    die "step '$name' exited with $rc (full log: $LOG_DIR/$name.log)" "read the log above; rerun with: npm run offline:build"
  fi
  log "$name done in $(( $(date +%s) - started ))s"
  printf '%s\t%s\n' "$name" "$(( $(date +%s) - started ))" | tee -a "$LOG_DIR/history.tsv" >>"$LOG_DIR/timings.tsv"
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# Bit 24 of the bounding set: without it runc cannot start privileged containers nor set a
# negative oom_score_adj (see runc-shim).
lacks_cap_sys_resource() {
  local mask
  mask=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
  [ $(( 0x$mask >> 24 & 1 )) -eq 0 ]
}

# prune_superseded_images KEEP...: removes this project's local images (IMAGE_PREFIX) that no current
# artefact names, so rebuilt inputs do not pile up gigabytes. An image a container still uses stays
# (rmi without -f).
prune_superseded_images() {
  local keep
  keep=$(printf '%s\n' "$@")
  docker images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep "^$IMAGE_PREFIX/" | grep -vxF "$keep" |
    xargs -r docker rmi >/dev/null 2>&1 || true
}
