#!/usr/bin/env bash
# One command to install what the suite needs on a Debian/Ubuntu machine:
#   - Node.js >= 22.19 (Node $NODE_VERSION from the npm registry into .cache/node when the machine's is older:
#     undici 8 needs 22.19, and running TypeScript without a flag needs 22.18),
#   - the npm dependencies (npm ci),
#   - with --offline (or WC_OFFLINE=1): what the offline build needs from Debian
#     (Docker engine, debootstrap, busybox-static, libseccomp-dev for runc) and checks Go.
set -euo pipefail
cd "$(dirname "$0")/.."
. ./versions.env

offline=${WC_OFFLINE:-}
[ "${1:-}" = "--offline" ] && offline=1

fail() { printf '\ninstall failed: %s\n  fix: %s\n' "$1" "$2" >&2; exit 1; }

if [ -n "$offline" ]; then
  missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  [ -x /bin/busybox ] || missing+=(busybox-static)
  [ -f /usr/include/seccomp.h ] || missing+=(libseccomp-dev)
  command -v gcc >/dev/null || missing+=(gcc)
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || fail "missing Debian packages: ${missing[*]}" "sudo apt-get install -y ${missing[*]}"
    echo "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then export PATH=/usr/local/go/bin:$PATH; fi
  command -v go >/dev/null || fail "the Go toolchain is not installed (offline mode builds kind and Kubernetes from Go modules)" "install Go >= 1.24 and put it on PATH"
fi

# The npm registry's Node build for this machine: node-<os>-<arch>, named as Node names them (scripts/node.cjs).
case $(uname -s) in Linux) node_os=linux ;; Darwin) node_os=darwin ;; *) node_os= ;; esac
case $(uname -m) in x86_64 | amd64) node_arch=x64 ;; aarch64 | arm64) node_arch=arm64 ;; *) node_arch= ;; esac
node_package=node-$node_os-$node_arch

# Prints 1 when the machine's node is new enough.
node_recent() { node -p 'const [a, b] = process.versions.node.split(".").map(Number); +(a > 22 || (a === 22 && b >= 19))' 2>/dev/null || echo 0; }
local_node=.cache/node/node_modules/$node_package/bin
if [ "$(node_recent)" != 1 ]; then
  [ -n "$node_os" ] && [ -n "$node_arch" ] || fail "Node 22.19 or newer is needed, and the npm registry has no Node build for $(uname -s) $(uname -m) to install" "install Node.js 22.19 or newer (nodejs.org), then run this again"
  # The machine's npm may trust its registry through a CA file named in its own global config (seen here:
  # /usr/etc/npmrc, cafile=…, behind a TLS-inspecting proxy). An npm given another prefix reads that prefix's global
  # config instead: both the install below (--prefix .cache/node) and the installed Node's npm refused the registry
  # (SELF_SIGNED_CERT_IN_CHAIN; on a machine with an empty npm cache, where nothing else could answer). The same
  # file, handed to Node itself, is trusted by all of them.
  machine_cafile=$(npm config get cafile 2>/dev/null || true)
  if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$machine_cafile" ]; then export NODE_EXTRA_CA_CERTS=$machine_cafile; fi
  if [ ! -x "$local_node/node" ] || [ "$("$local_node/node" --version)" != "v$NODE_VERSION" ]; then
    command -v npm >/dev/null || fail "neither Node >= 22 nor npm is installed" "install Node.js 22 or newer"
    echo "installing Node $NODE_VERSION from the npm registry into .cache/node (the machine has $(node --version 2>/dev/null || echo none))"
    # Said, not silent, when it fails: a CI run once ended here with status 1 and no word. One more try only for
    # what a registry can answer once and not the next time (a reset connection); the second failure is shown whole.
    mkdir -p .cache/node
    if ! npm install --loglevel=error --no-save --no-package-lock --prefix .cache/node "$node_package@$NODE_VERSION" >/dev/null 2>.cache/node-install.log; then
      echo "installing Node $NODE_VERSION failed once ($(grep -m1 -i err .cache/node-install.log || tail -n1 .cache/node-install.log)); trying again"
      npm install --no-save --no-package-lock --prefix .cache/node "$node_package@$NODE_VERSION" >/dev/null ||
        fail "could not install Node $NODE_VERSION (npm package $node_package) from the npm registry" "check that npm reaches its registry (npm ping) and run the install again"
    fi
  fi
  # And for every later npm of that Node (.ci/run's, the tests' own: the package-install test ran `npm install` for
  # 150 s into a timeout on a machine with an empty npm cache, where NODE_EXTRA_CA_CERTS set here never reached it):
  # that npm's global config names the same file, as the machine's does.
  if [ -f "$machine_cafile" ]; then
    mkdir -p "${local_node%/bin}/etc"
    printf 'cafile=%s\n' "$machine_cafile" >"${local_node%/bin}/etc/npmrc"
  fi
  export PATH=$PWD/$local_node:$PATH
fi
# --engine-strict here, not in an .npmrc: npm then checks engines for every command in the repository, and
# `npx workload-conformance` on an older Node (whose bin runs the CLI under .cache/node) stopped with EBADENGINE.
# Here npm runs on the chosen Node (first on PATH), so this refuses only an install no npm script could run.
npm ci --no-audit --no-fund --engine-strict
if [ "$PATH" != "${PATH#"$PWD/$local_node"}" ]; then
  # Every npm script runs through scripts/node.cjs, which picks this Node when the machine's is too old.
  echo
  echo "Node $NODE_VERSION is in .cache/node; npm scripts (npm test, npm run ...) use it by themselves."
fi
