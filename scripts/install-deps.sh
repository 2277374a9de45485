#!/usr/bin/env bash
# Installs what building and testing Custos needs on Debian 12. Safe to run
# again: it installs only what is missing.
set -euo pipefail

# C toolchain and perl build the vendored SQLCipher and OpenSSL; coreutils'
# sha256sum/md5sum are the independent hashers the tests compare against.
# The bundle tests check exports with the tools a recipient would use: age
# (decrypt), unzip, ssh-keygen -Y verify (the seal), pdfinfo/pdftoppm (PDFs).
PACKAGES=(build-essential pkg-config perl make coreutils ca-certificates
          age unzip openssh-client poppler-utils python3 python3-pip fonts-dejavu-core)

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "Installing Debian packages: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
    # Debian's own cargo is too old for this workspace; a rustup toolchain is expected.
    echo "error: cargo (Rust 1.89 or newer) is not installed; install it with rustup and run this again" >&2
    exit 1
fi
need="1.89.0"
have="$(rustc --version | awk '{print $2}')"
if [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -1)" != "$need" ]; then
    echo "error: rustc $have is older than $need; update the toolchain (rustup update)" >&2
    exit 1
fi

# Outside validators for the bundle tests: the Library of Congress BagIt
# validator (bagit.py) and the CASE/UCO validator (case_validate), from PyPI.
if ! python3 -c 'import bagit' >/dev/null 2>&1 || ! command -v case_validate >/dev/null 2>&1; then
    echo "Installing Python packages: bagit case-utils"
    python3 -m pip install --quiet bagit case-utils 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages bagit case-utils
fi

# Crates come from crates.io through Cargo.lock.
cd "$(dirname "$0")/.."
cargo fetch --locked -q
