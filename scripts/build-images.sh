#!/usr/bin/env bash
# Builds every cdnlab image without network access:
#   1. bundles each service entrypoint into dist/ (scripts/bundle-services.cjs)
#   2. picks the Node base: $NODE_IMAGE if set (docker pulls it if it can);
#      else the official node:20-bookworm-slim if it is already local; else a
#      local base made from this machine's node (docker/build-node-base.sh)
#   3. docker build -f docker/Dockerfile --target <t> for each target
#
#   scripts/build-images.sh [target ...]     default: all targets
#   env: CDNLAB_TAG (default latest), NODE_IMAGE, CDNLAB_IMAGE_PREFIX (default cdnlab)
#
# Prints the time of each step and the size of each image.
set -euo pipefail
cd "$(dirname "$0")/.."

TAG="${CDNLAB_TAG:-latest}"
PREFIX="${CDNLAB_IMAGE_PREFIX:-cdnlab}"
ALL_TARGETS=(origin shield regional edge control dns cli)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL_TARGETS[@]}")
for t in "${TARGETS[@]}"; do
  case " ${ALL_TARGETS[*]} " in *" $t "*) ;; *) echo "build-images: unknown target $t (expected one of: ${ALL_TARGETS[*]})" >&2; exit 2 ;; esac
done

now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

t0=$(now)
node scripts/bundle-services.cjs
echo "build-images: bundles in $(took "$t0")"

if [ -z "${NODE_IMAGE:-}" ]; then
  if docker image inspect node:20-bookworm-slim >/dev/null 2>&1; then
    NODE_IMAGE=node:20-bookworm-slim
  else
    t1=$(now)
    docker/build-node-base.sh cdnlab/node-base:20
    NODE_IMAGE=cdnlab/node-base:20
    echo "build-images: local base in $(took "$t1")"
  fi
fi
echo "build-images: base image $NODE_IMAGE"

# The classic builder: it reads local images as they are (BuildKit without
# the buildx plugin is not available with Debian's docker.io). It sends the
# whole context on every build, so the service targets (which only COPY
# dist/) get a context of dist/ alone; the cli target needs the workspace.
export DOCKER_BUILDKIT=0
SMALL_CTX="$(mktemp -d)"
trap 'rm -rf "$SMALL_CTX"' EXIT
cp -r dist "$SMALL_CTX/dist"
for t in "${TARGETS[@]}"; do
  t1=$(now)
  ctx="$SMALL_CTX"
  [ "$t" = cli ] && ctx=.
  # The classic builder's deprecation notice goes to stderr on every build; errors still show.
  docker build -q -f docker/Dockerfile --build-arg NODE_IMAGE="$NODE_IMAGE" --target "$t" -t "$PREFIX/$t:$TAG" "$ctx" \
    > /dev/null 2> >(grep -v -e DEPRECATED -e 'legacy builder' -e BuildKit -e 'environment-variable' -e 'buildx' -e '^ *$' >&2)
  printf 'build-images: %-28s %8s  built in %s\n' "$PREFIX/$t:$TAG" "$(docker image inspect -f '{{.Size}}' "$PREFIX/$t:$TAG" | awk '{ printf "%.0fMB", $1 / 1e6 }')" "$(took "$t1")"
done
echo "build-images: all done in $(took "$t0")"
