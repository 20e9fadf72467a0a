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
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM=(npx --yes pnpm@10.34.9)
# set by `pnpm pack:all` for its own use; npx (npm) warns about each of them
unset npm_config_npm_globalconfig npm_config_verify_deps_before_run npm_config__jsr_registry
PACKAGES=(kernel core platform opentelemetry)
DEST=${1:-build/packages}
mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd)
rm -f "$DEST"/aio-request-*.tgz

# from clean: a dist/ left by an older build may hold modules that no longer exist
rm -rf packages/*/dist
"${PNPM[@]}" build >/dev/null
tarballs=()
for pkg in "${PACKAGES[@]}"; do
  (cd "packages/$pkg" && "${PNPM[@]}" pack --pack-destination "$DEST" >/dev/null)
  version=$(node -p "require('./packages/$pkg/package.json').version")
  tarball="$DEST/aio-request-$pkg-$version.tgz"
  [ -f "$tarball" ] || { echo "pack.sh: $tarball was not written" >&2; exit 1; }
  tarballs+=("$tarball")
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
INSTALL
