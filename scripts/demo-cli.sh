#!/usr/bin/env bash
# The command-line walk-through of a demo matter: creates a vault from the
# sample documents, lists and verifies it, shows the custody log, exports a
# sealed production and checks it as counsel would (no vault needed).
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$REPO_ROOT/scripts/install-deps.sh"
cd "$REPO_ROOT"
cargo build --release --locked -q -p custos-cli
custos="$CARGO_TARGET_DIR/release/custos"
demo="${CUSTOS_DEMO_DIR:-$HOME/.cache/custos/demo-vault-cli}"
export CUSTOS_PASSPHRASE="${CUSTOS_PASSPHRASE:-demo passphrase}"
if [ ! -f "$demo/custos-vault.json" ]; then
    rm -rf "$demo"
    echo "== Creating the demo matter in $demo (passphrase: \"$CUSTOS_PASSPHRASE\")"
    "$custos" init "$demo" --matter "Halvorsen Dynamics v. Brandt" --matter-number "3:26-cv-01482" \
        --examiner "Dana Whitfield (paralegal)"
    "$custos" add "$demo" samples/trade-secret --custodian "Erik Brandt" \
        --source "Halvorsen document system and mail server exports" \
        --method "Logical copy of exported files" --purpose "Litigation hold 2026-06-01" --tag demo
fi
echo "== Exhibits"
"$custos" list "$demo"
echo "== Full verification"
"$custos" verify "$demo"
echo "== Custody log"
"$custos" log "$demo" | tail -n 15
bundle="$(dirname "$demo")/demo-production-$(date +%Y%m%d-%H%M%S).zip"
echo "== Sealed production for counsel: $bundle"
"$custos" export "$demo" --out "$bundle" --bates-prefix HAL --organization "Demo Firm LLP"
echo "== Checking it as counsel would (no vault needed)"
"$custos" verify-bundle "$bundle"
echo
echo "Try: CUSTOS_PASSPHRASE='$CUSTOS_PASSPHRASE' $custos show $demo EX-0001"
