#!/usr/bin/env bash
# Download one Debian package from another suite and unpack it, without installing it.
#
#   scripts/debian-fetch.sh SUITE PACKAGE[=VERSION] DESTDIR
#
# The apt source is derived from this machine's own /etc/apt/sources.list.d/debian.sources:
# its first non-security stanza, with `Suites:` replaced by SUITE. apt runs with a private
# lists directory and cache, so the machine's own apt state is left as it was.
# DESTDIR receives the .deb and its unpacked tree under DESTDIR/root.
set -euo pipefail

suite=${1:?usage: debian-fetch.sh SUITE PACKAGE[=VERSION] DESTDIR}
pkg=${2:?usage: debian-fetch.sh SUITE PACKAGE[=VERSION] DESTDIR}
dest=${3:?usage: debian-fetch.sh SUITE PACKAGE[=VERSION] DESTDIR}

src=/etc/apt/sources.list.d/debian.sources
[ -r "$src" ] || { echo "debian-fetch: $src not found; this script needs a deb822 Debian source" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/archives/partial" "$dest"

# First stanza whose Suites line names no -security suite; Suites replaced by the requested one.
awk -v suite="$suite" '
  BEGIN { RS=""; ORS="\n\n" }
  !done && $0 !~ /Suites:[^\n]*-security/ {
    n = split($0, lines, "\n"); out = ""
    for (i = 1; i <= n; i++) {
      if (lines[i] ~ /^Suites:/) lines[i] = "Suites: " suite
      if (lines[i] ~ /^#/) continue
      out = out lines[i] "\n"
    }
    printf "%s\n", out; done = 1
  }' "$src" >"$work/fetch.sources"
grep -q "^Suites: $suite\$" "$work/fetch.sources" || { echo "debian-fetch: no usable stanza in $src" >&2; exit 2; }

opts=(
  -o "Dir::Etc::SourceList=/dev/null"
  -o "Dir::Etc::SourceParts=$work/none"
  -o "Dir::Etc::sourcelist=$work/fetch.sources"
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::Cache::Archives=$work/archives"
  -o "Dir::Cache::pkgcache="
  -o "Dir::Cache::srcpkgcache="
  -o "APT::Get::List-Cleanup=0"
  -o "Debug::NoLocking=1"
  -o "APT::Sandbox::User=root"
)
mkdir -p "$work/none"
apt-get "${opts[@]}" -qq update >&2
( cd "$dest" && apt-get "${opts[@]}" -qq download "$pkg" >&2 )
deb=$(ls -t "$dest"/*.deb | head -n 1)
rm -rf "$dest/root"
dpkg-deb -x "$deb" "$dest/root"
echo "$deb"
