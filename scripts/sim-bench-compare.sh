#!/usr/bin/env bash
# Compares the simulator's speed at another revision with this working tree,
# in pairs: each pair runs one bench part in both trees at the same moment
# (one process per core), so both see the same machine. On a shared machine
# the speed of one tree moves by more than most changes between two runs
# minutes apart; a pair does not.
#
#   scripts/sim-bench-compare.sh <rev> [part] [requests] [pairs]
#     rev       the baseline: any revision git knows (a commit, main~3, a tag)
#     part      a | b | e of packages/sim/bench/sim.ts (default b)
#     requests  per run (default 1000000)
#     pairs     how many pairs (default 3)
#   env: CDNLAB_COMPARE_KEEP=1 keeps the baseline's worktree (and its install)
#        for the next call, at $TMPDIR/cdnlab-compare/<commit> (outside the
#        repository, where no test or lint run can find it).
#
# Prints, per pair, requests per CPU-second and peak RSS of each tree and
# the ratio; then the median ratio. Per CPU-second, not per wall second:
# the two runs share the machine's cores with each other and with anything
# else running. Needs two free cores to mean anything.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

usage() { echo "usage: scripts/sim-bench-compare.sh <rev> [a|b|e] [requests] [pairs]" >&2; exit 2; }
[ $# -ge 1 ] || usage
REV=$1
PART=${2:-b}
REQUESTS=${3:-1000000}
PAIRS=${4:-3}
case "$PART" in a | b | e) ;; *) echo "sim-bench-compare: part: expected a, b or e, got '$PART'" >&2; exit 2 ;; esac
[[ "$REQUESTS" =~ ^[1-9][0-9]*$ ]] || { echo "sim-bench-compare: requests: expected a positive integer, got '$REQUESTS'" >&2; exit 2; }
[[ "$PAIRS" =~ ^[1-9][0-9]*$ ]] || { echo "sim-bench-compare: pairs: expected a positive integer, got '$PAIRS'" >&2; exit 2; }
COMMIT=$(git rev-parse --verify --quiet "$REV^{commit}") || { echo "sim-bench-compare: git knows no revision '$REV'" >&2; exit 2; }

BASE="${TMPDIR:-/tmp}/cdnlab-compare/$COMMIT"
OUT=$(mktemp -d)
cleanup() {
  rm -rf "$OUT"
  if [ "${CDNLAB_COMPARE_KEEP:-}" != 1 ] && [ -d "$BASE" ]; then git worktree remove --force "$BASE" > /dev/null 2>&1 || rm -rf "$BASE"; fi
}
trap cleanup EXIT

if [ ! -d "$BASE" ]; then
  git worktree prune
  git worktree add --detach --quiet "$BASE" "$COMMIT"
  echo "sim-bench-compare: installing $REV ($COMMIT) in $BASE"
  (cd "$BASE" && pnpm install --prefer-offline --frozen-lockfile > "$OUT/install.log" 2>&1) || {
    echo "sim-bench-compare: pnpm install of $REV failed (log below)" >&2
    cat "$OUT/install.log" >&2
    exit 1
  }
fi

# One run of the part in one tree; its output goes to $3.
run() {
  (cd "$1/packages/sim" && CDNLAB_BENCH_ONLY=$PART CDNLAB_BENCH_REQUESTS=$REQUESTS CDNLAB_BENCH_E_REQUESTS=$REQUESTS CDNLAB_BENCH_CHILD=1 \
    node --max-old-space-size=3072 --max-semi-space-size=64 ../../scripts/run-bundled.cjs bench/sim.ts) > "$2" 2>&1
}
# "<per CPU-second> <peak RSS MiB>" from a run's output, digits only.
figures() {
  local rate rss
  rate=$(grep -oE '[0-9,.]+ per CPU-second' "$1" | head -1 | grep -oE '^[0-9,.]+' | tr -d ,)
  rss=$(grep -oE 'peak RSS [0-9,]+' "$1" | head -1 | grep -oE '[0-9,]+$' | tr -d ,)
  if [ -z "$rate" ] || [ -z "$rss" ]; then
    echo "sim-bench-compare: a run printed no figures; its output:" >&2
    cat "$1" >&2
    return 1
  fi
  echo "$rate $rss"
}

echo "sim-bench-compare: part ($PART), $REQUESTS requests, $PAIRS pairs: base $REV ($(git log -1 --format=%h "$COMMIT")) against this tree ($(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' with uncommitted changes'))"
printf '%-5s %22s %22s %8s\n' pair 'base per CPU-s / MiB' 'this per CPU-s / MiB' ratio
ratios=()
for i in $(seq 1 "$PAIRS"); do
  run "$BASE" "$OUT/base.txt" & pb=$!
  run "$ROOT" "$OUT/this.txt" & pt=$!
  wait $pb || { echo "sim-bench-compare: the base run failed:" >&2; cat "$OUT/base.txt" >&2; exit 1; }
  wait $pt || { echo "sim-bench-compare: this tree's run failed:" >&2; cat "$OUT/this.txt" >&2; exit 1; }
  read -r br bm <<< "$(figures "$OUT/base.txt")"
  read -r cr cm <<< "$(figures "$OUT/this.txt")"
  ratio=$(awk -v a="$br" -v b="$cr" 'BEGIN { printf "%.3f", b / a }')
  ratios+=("$ratio")
  printf '%-5s %15.0f / %5d %15.0f / %5d %8s\n' "$i" "$br" "$bm" "$cr" "$cm" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "median ratio (this / base, per CPU-second): $median over $PAIRS pairs (one pair's noise on a shared machine: about ±5%)"
