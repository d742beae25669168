#!/usr/bin/env bash
# Real-world SQL for the corpus tests: PostgreSQL schemas and upgrade scripts that Debian packages
# ship, downloaded as .deb files (not installed) and unpacked into .cache/corpus. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/corpus
packages=(pdns-backend-pgsql roundcube-core)
mkdir -p "$dest/debs"
for pkg in "${packages[@]}"; do
  if [ -f "$dest/$pkg.ok" ]; then continue; fi
  rm -f "$dest/debs/${pkg}"_*.deb
  if ! (cd "$dest/debs" && apt-get download "$pkg" >/dev/null 2>&1); then
    apt-get update -qq
    (cd "$dest/debs" && apt-get download "$pkg" >/dev/null 2>&1)
  fi
  dpkg-deb -x "$dest/debs/${pkg}"_*.deb "$dest/$pkg"
  touch "$dest/$pkg.ok"
done
echo "corpus ready in $dest: ${packages[*]}"
