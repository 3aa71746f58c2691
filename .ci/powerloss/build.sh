#!/usr/bin/env bash
# Builds LazyFS (and its cache library libpcache) from the tarball vendored next to this script
# (copied from ../shared/tools/powerloss; see README.md there for what the harness measured).
#
# Why a patch: upstream's CMake files download toml11, spdlog and googletest with FetchContent.
# lazyfs-system-deps.patch makes them use the distribution's packages instead and turns the
# unit tests (which need googletest) off, so the build works without internet access.
#
# Idempotent: it installs only missing packages and rebuilds only when the tarball, the patch or
# this script changed. The build goes outside the repository (one per machine, shared by every
# checkout): $LAZYFS_BUILD_DIR, default ${XDG_CACHE_HOME:-~/.cache}/chargeyard/lazyfs. Prints the
# binary's path on the last line of stdout.
#
#   build.sh              install missing Debian packages (apt-get, root or sudo), then build
#   build.sh --no-install build only if every package is there; exit 4 naming the missing ones
#
# Environment: JOBS (parallel compile jobs, default 2), LAZYFS_BUILD_DIR.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
tarball="$here/lazyfs-a47a5ba.tar.gz"
patch_file="$here/lazyfs-system-deps.patch"
build_dir="${LAZYFS_BUILD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/chargeyard/lazyfs}"
src_dir="$build_dir/src"
binary="$src_dir/lazyfs/build/lazyfs"
stamp="$build_dir/.stamp"
jobs="${JOBS:-2}"

# Debian/Ubuntu package names. make and patch are usually present; listed so a bare image works.
packages=(g++ make cmake patch libfuse3-dev fuse3 libtoml11-dev libspdlog-dev)

log() { printf 'build.sh: %s\n' "$*" >&2; }

missing_packages() {
    local package status
    for package in "${packages[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
        if [ "$status" != "install ok installed" ]; then
            printf '%s\n' "$package"
        fi
    done
}

install_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        log "not a Debian-like system: install by hand: ${packages[*]}"
        return 0
    fi
    local -a missing
    mapfile -t missing < <(missing_packages)
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    local -a sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        sudo=(sudo)
    fi
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! "${sudo[@]}" apt-get install -y "${missing[@]}"; then
        "${sudo[@]}" apt-get update
        "${sudo[@]}" apt-get install -y "${missing[@]}"
    fi
}

inputs_checksum() {
    cat "$tarball" "$patch_file" "$here/build.sh" | sha256sum | cut -d' ' -f1
}

build() {
    rm -rf "$src_dir"
    mkdir -p "$src_dir"
    tar -xzf "$tarball" -C "$src_dir" --strip-components=1
    (cd "$src_dir" && patch -p1 --quiet < "$patch_file")

    # Upstream builds without optimisation; -O2 keeps its assert()s (no NDEBUG) and runs faster.
    # The lazyfs CMake file expects libpcache in libs/libpcache/build, so the paths are fixed.
    {
        cmake -S "$src_dir/libs/libpcache" -B "$src_dir/libs/libpcache/build" \
            -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS=-O2
        cmake --build "$src_dir/libs/libpcache/build" -j "$jobs"
        cmake -S "$src_dir/lazyfs" -B "$src_dir/lazyfs/build" \
            -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS=-O2 -DLAZYFS_BUILD_TESTS=OFF
        cmake --build "$src_dir/lazyfs/build" -j "$jobs"
    } >&2

    if ldd "$binary" | grep -q 'not found'; then
        ldd "$binary" >&2
        log "the built binary has unresolved libraries"
        return 1
    fi
}

main() {
    if [ "${1:-}" = "--no-install" ]; then
        local -a missing=()
        if command -v dpkg-query >/dev/null 2>&1; then
            mapfile -t missing < <(missing_packages)
        fi
        if [ "${#missing[@]}" -gt 0 ]; then
            log "missing packages: ${missing[*]}"
            exit 4
        fi
    else
        install_packages
    fi
    mkdir -p "$build_dir"
    # Two checkouts building at once must not unpack into each other.
    exec 9> "$build_dir/.lock"
    flock 9
    local checksum
    checksum=$(inputs_checksum)
    if [ -x "$binary" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$checksum" ]; then
        log "up to date: $binary"
        printf '%s\n' "$binary"
        return 0
    fi
    rm -f "$stamp"
    build
    printf '%s\n' "$checksum" > "$stamp"
    log "built: $binary"
    printf '%s\n' "$binary"
}

main "$@"
