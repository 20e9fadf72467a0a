#!/usr/bin/env bash
# Builds every package from clean and packs it into one folder: the route to install the
# packages from a clone while they are not on the npm registry (`pnpm pack:all`).
#
#   bash scripts/pack.sh [destination]     default destination: build/packages (git-ignored)
#
# Writes aio-request-{kernel,core,platform,opentelemetry}-<version>.tgz, each what `pnpm publish`
# would upload (publishConfig applied, `workspace:^` ranges rewritten to `^<version>`), and prints
# the `npm install` that takes them. Install the tarballs together: each package depends on the
# ones before it (kernel <- core <- platform <- opentelemetry), and npm finds a dependency among the
# tarballs of the same command, never on the registry. Needs Node 20 and npm.
#
# The Effect 4 line (effect4/{core,platform,opentelemetry}, 1.x) goes to <destination>/effect4,
# with its own copy of the kernel tarball (both lines share the one kernel): the same names at
# other versions, so each folder installs one line.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM=(npx --yes pnpm@10.34.9)
# set by `pnpm pack:all` for its own use; npx (npm) warns about each of them
unset npm_config_npm_globalconfig npm_config_verify_deps_before_run npm_config__jsr_registry
PACKAGES=(kernel core platform opentelemetry)
DEST=${1:-build/packages}
mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd)
rm -f "$DEST"/aio-request-*.tgz "$DEST"/effect4/aio-request-*.tgz
mkdir -p "$DEST/effect4"

# from clean: a dist/ left by an older build may hold modules that no longer exist
rm -rf packages/*/dist effect4/*/dist
"${PNPM[@]}" build >/dev/null
npx --no-install tsc -b effect4/core/tsconfig.build.json effect4/platform/tsconfig.build.json \
  effect4/opentelemetry/tsconfig.build.json
tarballs=()
for pkg in "${PACKAGES[@]}"; do
  (cd "packages/$pkg" && "${PNPM[@]}" pack --pack-destination "$DEST" >/dev/null)
  version=$(node -p "require('./packages/$pkg/package.json').version")
  tarball="$DEST/aio-request-$pkg-$version.tgz"
  [ -f "$tarball" ] || { echo "pack.sh: $tarball was not written" >&2; exit 1; }
  tarballs+=("$tarball")
  printf '%-60s %8s B\n' "$tarball" "$(wc -c <"$tarball" | tr -d ' ')"
done

e4=()
cp "${tarballs[0]}" "$DEST/effect4/"
e4+=("$DEST/effect4/$(basename "${tarballs[0]}")")
for pkg in core platform opentelemetry; do
  (cd "effect4/$pkg" && "${PNPM[@]}" pack --pack-destination "$DEST/effect4" >/dev/null)
  version=$(node -p "require('./effect4/$pkg/package.json').version")
  tarball="$DEST/effect4/aio-request-$pkg-$version.tgz"
  [ -f "$tarball" ] || { echo "pack.sh: $tarball was not written" >&2; exit 1; }
  e4+=("$tarball")
  printf '%-60s %8s B\n' "$tarball" "$(wc -c <"$tarball" | tr -d ' ')"
done

cat <<INSTALL

In your project (Effect 3 peers pinned: the registry's latest effect is Effect 4):

  npm install ${tarballs[0]} \\
    ${tarballs[1]} \\
    ${tarballs[2]} \\
    effect@3 @effect/platform@0.97 @effect/platform-node@0.108

For @aio-request/opentelemetry add ${tarballs[3]}
and the OpenTelemetry peers listed in packages/opentelemetry/README.md.

For the Effect 4 line (Node >= 22.19; effect and @effect/platform-node unpinned: today's latest):

  npm install ${e4[0]} \\
    ${e4[1]} \\
    ${e4[2]} \\
    ${e4[3]} \\
    effect @effect/platform-node
INSTALL
