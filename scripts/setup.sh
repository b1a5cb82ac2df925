#!/usr/bin/env bash
# setup.sh [build|run|test]
#
# Installs what Pitchline needs on Debian 12+ / Ubuntu 22.04+ and checks the
# toolchains. Idempotent: each step checks first and only acts when something
# is missing or stale, printing exactly what it does.
#
#   build what `make build` needs: C build deps (scripts/packages.txt, profile
#         "run"), Go and Node checks, frontend node_modules.
#   run   what `make run` needs: "build" plus the Wails CLI (.tools/bin/wails,
#         used for `make bindings`).
#   test  everything for `make test`: "run" plus the test profile packages and
#         staticcheck.
#
# Go and Node.js are not installed by this script (they are not taken from
# apt): it fails with a clear message when they are missing or too old.
# Environment: PITCHLINE_SKIP_APT=1 skips the apt step (e.g. in a container
# prepared by other means); PITCHLINE_APT_SIMULATE=1 only shows what apt-get
# would install (apt-get -s), then stops; PITCHLINE_OS_RELEASE=FILE reads FILE
# instead of /etc/os-release (to test the OS check).
set -euo pipefail

PROFILE=${1:-test}
case $PROFILE in build|run|test) ;; *) echo "usage: $0 [build|run|test]" >&2; exit 2 ;; esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TOOLS_BIN=$ROOT/.tools/bin

# Minimum toolchain versions.
GO_MIN=1.26     # go.mod's go directive
NODE_MIN=20.19  # vite 7 needs Node ^20.19 or >=22.12

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

# version_ge A B: true when dotted version A >= B.
version_ge() { [[ $(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1) == "$2" ]]; }

# --- 1. operating system -------------------------------------------------
check_os() {
  if [[ $(uname -s) == Darwin ]]; then
    die "macOS is not set up automatically. See README.md, section \"Development (macOS / Windows notes)\":
       xcode-select --install; brew install go node portaudio opus speexdsp pkg-config; then make build."
  fi
  local osr=${PITCHLINE_OS_RELEASE:-/etc/os-release}
  if [[ ! -r $osr ]]; then
    die "unknown OS (no /etc/os-release). Supported: Debian 12+, Ubuntu 22.04+.
       On Windows use MSYS2 + WebView2, see README.md section \"Development (macOS / Windows notes)\"."
  fi
  # shellcheck disable=SC1091
  . "$osr"
  OS_ID=${ID:-unknown}
  local v=${VERSION_ID:-0}
  case $OS_ID in
    debian) version_ge "$v" 12 || die "Debian $v is too old: Debian 12 (bookworm) or newer is required (libwebkit2gtk-4.1)." ;;
    ubuntu) version_ge "$v" 22.04 || die "Ubuntu $v is too old: Ubuntu 22.04 or newer is required (libwebkit2gtk-4.1)." ;;
    *) die "unsupported OS '${PRETTY_NAME:-$OS_ID}'. Supported: Debian 12+, Ubuntu 22.04+.
       For other systems install the equivalents of scripts/packages.txt by hand,
       see README.md section \"Development (macOS / Windows notes)\"." ;;
  esac
  say "OS ${PRETTY_NAME:-$OS_ID} (profile: $PROFILE)"
}

# --- 2. apt packages -----------------------------------------------------
# wanted_packages prints the packages of the chosen profile for this OS.
wanted_packages() {
  local profile pkg only
  while read -r profile pkg only _; do
    [[ -z $profile || $profile == \#* ]] && continue
    [[ $only == \#* ]] && only=
    [[ $profile == run || $PROFILE == test ]] || continue
    [[ -z $only || $only == "$OS_ID" ]] || continue
    printf '%s\n' "$pkg"
  done < "$ROOT/scripts/packages.txt"
}

install_packages() {
  if [[ ${PITCHLINE_SKIP_APT:-} == 1 ]]; then
    say "PITCHLINE_SKIP_APT=1: not checking apt packages"
    return
  fi
  local missing=() pkg
  while read -r pkg; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done < <(wanted_packages)
  if ((${#missing[@]} == 0)); then
    say "apt: all $(wanted_packages | wc -l) packages of profile '$PROFILE' are installed"
    return
  fi
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "need root or sudo to install: ${missing[*]}"
    sudo=(sudo)
  fi
  if [[ ${PITCHLINE_APT_SIMULATE:-} == 1 ]]; then
    say "apt: would install ${#missing[@]} missing package(s): ${missing[*]}"
    apt-get install -s --no-install-recommends "${missing[@]}" | grep -E '^Inst ' || true
    exit 0
  fi
  say "apt: installing ${#missing[@]} missing package(s): ${missing[*]}"
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# --- 3. toolchains -------------------------------------------------------
check_go() {
  command -v go >/dev/null || die "Go is not installed. Install Go >= $GO_MIN from https://go.dev/dl/ and put it on PATH."
  local v
  v=$(go env GOVERSION); v=${v#go}
  version_ge "$v" "$GO_MIN" || die "Go $v is too old: Go >= $GO_MIN is required (https://go.dev/dl/)."
  say "go $v"
}

check_node() {
  command -v node >/dev/null || die "Node.js is not installed. Install Node.js >= $NODE_MIN (with npm) from https://nodejs.org/."
  command -v npm >/dev/null || die "npm is not installed (it ships with Node.js >= $NODE_MIN)."
  local v
  v=$(node --version); v=${v#v}
  version_ge "$v" "$NODE_MIN" || die "Node.js $v is too old: Node.js >= $NODE_MIN is required (vite 7)."
  say "node $v, npm $(npm --version 2>/dev/null)"
}

# --- 4. frontend dependencies ---------------------------------------------
# npm ci only when node_modules is missing or older than package-lock.json
# (a stamp holds the lockfile's hash).
frontend_deps() {
  local stamp=frontend/node_modules/.pitchline-lock.sha256 want have=
  want=$(sha256sum frontend/package-lock.json | cut -d' ' -f1)
  [[ -r $stamp ]] && have=$(<"$stamp")
  if [[ -d frontend/node_modules && $have == "$want" ]]; then
    say "frontend: node_modules up to date"
    return
  fi
  say "frontend: npm ci (package-lock.json changed or node_modules missing)"
  (cd frontend && npm ci --no-audit --no-fund)
  printf '%s\n' "$want" > "$stamp"
}

# --- 5. Go tools (pinned modules under tools/) -----------------------------
# build_tool NAME PACKAGE: builds tools/NAME's pinned PACKAGE into .tools/bin
# when missing or when tools/NAME/go.mod or go.sum changed.
build_tool() {
  local name=$1 pkg=$2 stamp want have=
  stamp=$TOOLS_BIN/.$name.sha256
  want=$(cat "tools/$name/go.mod" "tools/$name/go.sum" | sha256sum | cut -d' ' -f1)
  [[ -r $stamp ]] && have=$(<"$stamp")
  if [[ -x $TOOLS_BIN/$name && $have == "$want" ]]; then
    say "tool: .tools/bin/$name up to date"
    return
  fi
  say "tool: building .tools/bin/$name from tools/$name ($pkg)"
  mkdir -p "$TOOLS_BIN"
  (cd "tools/$name" && go build -o "$TOOLS_BIN/$name" "$pkg")
  printf '%s\n' "$want" > "$stamp"
}

check_os
install_packages
check_go
check_node
frontend_deps
if [[ $PROFILE != build ]]; then
  build_tool wails github.com/wailsapp/wails/v2/cmd/wails
fi
if [[ $PROFILE == test ]]; then
  build_tool staticcheck honnef.co/go/tools/cmd/staticcheck
fi
say "done (profile: $PROFILE)"
