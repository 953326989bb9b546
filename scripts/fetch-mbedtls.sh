#!/usr/bin/env bash
# Fetches the pinned upstream mbedTLS release (mbedtls-sys/upstream.env),
# verifies it against the SHA-256 committed there, and unpacks it into
# build/mbedtls/mbedtls-<version>, where cargo finds it
# (.cargo/config.toml sets FREERTOS_TLS_MBEDTLS_DIR to that path unless the
# environment already names a tree). Prints the tree's path.
#
# The tarball is Debian's `.orig` tarball of source package mbedtls (any
# Debian revision of the version: it is upstream's file). Debian 12's own
# APT sources do not carry 3.6, so APT gets a configuration of this
# script's own (sid and trixie deb-src lines, lists and cache under
# build/mbedtls/apt); the machine's sources and lists are not touched.
# MBEDTLS_TARBALL=/path/to/mbedtls_<version>.orig.tar.bz2 (or upstream's
# mbedtls-<version>.tar.bz2 of the same content) skips the download; it is
# verified all the same.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=mbedtls-sys/upstream.env
source "$root/mbedtls-sys/upstream.env"
base=$root/build/mbedtls
tree=$base/mbedtls-$MBEDTLS_VERSION
stamp=$tree/.verified-sha256

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$MBEDTLS_ORIG_SHA256" ]; then
    echo "$tree"
    exit 0
fi
mkdir -p "$base/dl"
tarball=${MBEDTLS_TARBALL:-$base/dl/$MBEDTLS_ORIG_TARBALL}

verify() { [ -f "$1" ] && echo "$MBEDTLS_ORIG_SHA256  $1" | sha256sum --quiet -c - 2>/dev/null; }

if ! verify "$tarball"; then
    if [ -n "${MBEDTLS_TARBALL:-}" ]; then
        echo "fetch-mbedtls: $MBEDTLS_TARBALL does not match SHA-256 $MBEDTLS_ORIG_SHA256 (mbedtls-sys/upstream.env)" >&2
        exit 1
    fi
    command -v apt-get >/dev/null || {
        echo "fetch-mbedtls: no apt-get here: download upstream mbedTLS $MBEDTLS_VERSION and run with MBEDTLS_TARBALL=<file>, or set FREERTOS_TLS_MBEDTLS_DIR to a 3.6.7+ tree" >&2
        exit 1
    }
    apt_dir=$base/apt
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    cat >"$apt_dir/sources.list" <<SOURCES
deb-src [signed-by=$keyring] http://deb.debian.org/debian sid main
deb-src [signed-by=$keyring] http://deb.debian.org/debian trixie main
SOURCES
    apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o APT::Sandbox::User=root)
    echo "fetch-mbedtls: looking up Debian source package mbedtls $MBEDTLS_VERSION" >&2
    apt-get "${apt_opts[@]}" -qq update >&2
    revision=$(apt-cache "${apt_opts[@]}" showsrc mbedtls | sed -n "s/^Version: \($MBEDTLS_VERSION-.*\)/\1/p" | head -n1)
    if [ -z "$revision" ]; then
        echo "fetch-mbedtls: Debian's sources list no mbedtls $MBEDTLS_VERSION-* now; versions seen:" >&2
        apt-cache "${apt_opts[@]}" showsrc mbedtls | sed -n 's/^Version: /  /p' >&2
        exit 1
    fi
    rm -rf "$base/dl/src"
    mkdir -p "$base/dl/src"
    (cd "$base/dl/src" && apt-get "${apt_opts[@]}" -qq source --download-only "mbedtls=$revision" >&2)
    mv "$base/dl/src/$MBEDTLS_ORIG_TARBALL" "$tarball"
    rm -rf "$base/dl/src"
    if ! verify "$tarball"; then
        echo "fetch-mbedtls: $tarball (Debian $revision) does not match SHA-256 $MBEDTLS_ORIG_SHA256: refusing it" >&2
        mv "$tarball" "$tarball.rejected"
        exit 1
    fi
fi

rm -rf "$tree" "$base/unpack"
mkdir -p "$base/unpack"
tar -xjf "$tarball" -C "$base/unpack"
mv "$base/unpack/mbedtls-$MBEDTLS_VERSION" "$tree"
rmdir "$base/unpack"
echo "$MBEDTLS_ORIG_SHA256" >"$stamp"
echo "fetch-mbedtls: upstream mbedTLS $MBEDTLS_VERSION verified, in $tree" >&2
echo "$tree"
