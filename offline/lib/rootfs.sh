# Debian root filesystems from Debian's own packages (debootstrap), imported as local base images.
# shellcheck shell=bash

# What kind's base image installs, less the storage clients (NFS, iSCSI, FUSE) this suite never uses.
NODE_PACKAGES=systemd,dbus,conntrack,iptables,nftables,iproute2,ethtool,util-linux,mount,kmod,libseccomp2,pigz,bash,ca-certificates,curl,jq,procps
# kube-proxy (iptables mode) and kindnetd shell out to these.
IPTABLES_PACKAGES=iptables,conntrack,iproute2

debian_mirror() {
  local uri
  uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n1)
  [ -n "$uri" ] || uri=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | head -n1)
  printf '%s' "${uri:-http://deb.debian.org/debian}"
}

# debian_base_image NAME PACKAGES -> sets BASE_IMAGE to a local image holding that root filesystem.
debian_base_image() {
  local name=$1 packages=$2 key tag tarball
  key=$(key_of "$DEBIAN_SUITE" "$packages" "${BASH_SOURCE[0]}")
  tag=$IMAGE_PREFIX/debian-$name:$DEBIAN_SUITE-$key
  BASE_IMAGE=$tag
  image_exists "$tag" && return 0
  tarball=$OFFLINE_CACHE/rootfs/$name-$key.tar
  if [ ! -f "$tarball" ]; then
    require_command debootstrap debootstrap
    timed "rootfs-$name" make_rootfs_tarball "$packages" "$tarball"
  fi
  timed "import-$name" docker import "$tarball" "$tag"
}

# Every step checks its own status: `timed` runs this in an `if`, where `set -e` does not apply, and
# a half-made root filesystem must never be cached as a finished one.
make_rootfs_tarball() {
  local packages=$1 tarball=$2 dir
  dir=$(mktemp -d "$OFFLINE_CACHE/rootfs-build.XXXXXX") || return 1
  # shellcheck disable=SC2064
  trap "rm -rf '$dir'" RETURN
  debootstrap --variant=minbase --include="$packages" "$DEBIAN_SUITE" "$dir" "$(debian_mirror)" || return 1
  # Package caches and lists only make the image bigger.
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc "$dir"/usr/share/man "$dir"/usr/share/locale
  mkdir -p "$(dirname "$tarball")" &&
    tar -C "$dir" --numeric-owner -cf "$tarball.partial" . &&
    mv "$tarball.partial" "$tarball"
}
