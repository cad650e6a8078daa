#!/usr/bin/env bash
# Builds a minimal local Node.js base image from this machine's own `node`
# binary, for machines that cannot pull the official node image (no registry
# reachable). The image holds: node, the shared libraries ldd says it needs
# (and the dynamic loader), CA certificates, /etc/passwd and /etc/group with
# root and a `node` user (uid 1000, as in the official image), nsswitch.conf
# so glibc resolves container hostnames through /etc/hosts and DNS, and /tmp.
# No shell: everything that runs in it uses exec-form commands.
#
#   docker/build-node-base.sh [tag]        default tag: cdnlab/node-base:20
#
# Idempotent: the image carries a label with a digest of the node binary and
# this script; when an image with the same label exists, nothing is rebuilt.
# FORCE=1 rebuilds anyway.
set -euo pipefail

TAG="${1:-cdnlab/node-base:20}"
NODE_BIN="$(readlink -f "$(command -v node)")"
[ -x "$NODE_BIN" ] || { echo "build-node-base: no node binary on PATH" >&2; exit 2; }
command -v docker >/dev/null || { echo "build-node-base: docker CLI not found" >&2; exit 2; }

NODE_VERSION="$("$NODE_BIN" --version)"
case "$NODE_VERSION" in
  v20.*) ;;
  *) echo "build-node-base: warning: host node is $NODE_VERSION, the tag says 20" >&2 ;;
esac

DIGEST="$(cat "$NODE_BIN" "$0" | sha256sum | cut -c1-16)"
if [ "${FORCE:-0}" != 1 ] && [ "$(docker image inspect -f '{{index .Config.Labels "org.cdnlab.base-digest"}}' "$TAG" 2>/dev/null || true)" = "$DIGEST" ]; then
  echo "build-node-base: $TAG is current (node $NODE_VERSION, digest $DIGEST)"
  exit 0
fi

ROOT="$(mktemp -d)"
trap 'rm -rf "$ROOT"' EXIT

# Copies a file to the same path under $ROOT, following symlinks: the path
# ldd printed is the one the loader opens, whatever chain (merged /usr,
# /lib64 -> /lib/…) leads to the real file on this host.
copy_path() {
  local src="$1"
  [ -e "$src" ] || return 0
  mkdir -p "$ROOT$(dirname "$src")"
  cp -L "$src" "$ROOT$src"
}

mkdir -p "$ROOT/usr/local/bin" "$ROOT/tmp" "$ROOT/etc/ssl/certs" "$ROOT/home/node" "$ROOT/app"
chmod 1777 "$ROOT/tmp"
cp "$NODE_BIN" "$ROOT/usr/local/bin/node"

# Every library ldd lists: "libx.so => /path (addr)" and the loader "/lib64/ld-linux… (addr)".
while read -r lib; do copy_path "$lib"; done < <(ldd "$NODE_BIN" | awk '/=>/ { if ($3 ~ /^\//) print $3; next } $1 ~ /^\// { print $1 }')
# glibc loads the NSS modules with dlopen; since 2.34 files/dns live in libc
# itself, but older hosts still need the separate modules.
for lib in /lib/*-linux-gnu/libnss_files.so.2 /lib/*-linux-gnu/libnss_dns.so.2 /lib/*-linux-gnu/libresolv.so.2; do copy_path "$lib"; done

CA=""
for f in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt; do
  if [ -f "$f" ]; then CA="$f"; break; fi
done
if [ -n "$CA" ]; then cp "$CA" "$ROOT/etc/ssl/certs/ca-certificates.crt"; else echo "build-node-base: warning: no CA bundle found" >&2; fi

cat > "$ROOT/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
node:x:1000:1000:node:/home/node:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
EOF
cat > "$ROOT/etc/group" <<'EOF'
root:x:0:
node:x:1000:
nogroup:x:65534:
EOF
echo 'hosts: files dns' > "$ROOT/etc/nsswitch.conf"
chown 1000:1000 "$ROOT/home/node"

# `node --version` inside the image proves the library set is complete before
# anything is tagged.
tar -C "$ROOT" --numeric-owner -cf - . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV NODE_VERSION='"${NODE_VERSION#v}" \
  --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
  --change 'WORKDIR /app' \
  --change 'CMD ["node"]' \
  --change "LABEL org.cdnlab.base-digest=$DIGEST org.cdnlab.node-version=$NODE_VERSION" \
  - "$TAG" >/dev/null
docker run --rm "$TAG" node -e 'process.stdout.write(`build-node-base: ${process.version} runs in the image\n`)'
echo "build-node-base: built $TAG ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{ printf "%.1f MB", $1 / 1e6 }'))"
