#!/usr/bin/env bash
# Refresh the vendored wavesurfer.js build (core + regions, spectrogram, timeline plug-ins) from npm.
# Usage: bash scripts/refresh_wavesurfer.sh [VERSION]   (default: the latest release)
# Needs npm only here, to fetch the tarball; nobody needs Node to install or run samaudio.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-latest}"
dest=agent/web/static/vendor/wavesurfer
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "wavesurfer.js@$version" >/dev/null && tar xzf wavesurfer.js-*.tgz)
pkg="$tmp/package"
got="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$pkg/package.json")"
mkdir -p "$dest"
cp "$pkg/dist/wavesurfer.min.js" "$dest/"
for plugin in regions spectrogram timeline; do
    cp "$pkg/dist/plugins/$plugin.min.js" "$dest/$plugin.min.js"
done
cp "$pkg/LICENSE" "$dest/LICENSE"
echo "wavesurfer.js $got (npm), BSD-3-Clause; refreshed by scripts/refresh_wavesurfer.sh" > "$dest/VERSION"
echo "vendored wavesurfer.js $got into $dest"
