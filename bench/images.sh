#!/usr/bin/env bash
# Custos imaging benchmark: page images of a production, against the tools
# a litigation-support technician would run by hand on the same PDF, in one
# run, with the targets checked.
#
#   TIFF: `custos export --images tiff` (every page stamped with its Bates
#         number and a legend, rasterised at 300 dpi, Group IV) against
#         `pdftoppm -r 300 -mono -tiff` then `tiffcp -c g4` on each page
#         (which stamps nothing). Target: within 1.2x their wall time.
#   PDF:  `custos export --images pdf` (every page stamped) against
#         `qpdf --overlay` of a pre-made stamp. Reported.
#   Peak memory of the TIFF export at PAGES and at twice as many pages:
#         bounded whatever the page count.
#
# Usage: bash bench/images.sh   (part of `make bench`)
# Environment:
#   BENCH_DIR        scratch folder (default /var/tmp/custos-bench-images)
#   PAGES            pages to image (default 500; stamping uses twice as many)
#   KEEP=1           keep the generated data
#   CARGO_TARGET_DIR cargo target folder (default $HOME/.cache/custos/target)
#
# A report, not a test: it exits 0 whether the targets are met or not.
set -euo pipefail

BENCH_DIR=${BENCH_DIR:-/var/tmp/custos-bench-images}
PAGES=${PAGES:-500}
KEEP=${KEEP:-0}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need pdftoppm tiffcp qpdf python3 /usr/bin/time
build_custos

# One PDF of PAGES pages and one of twice as many, each page a page of
# text; and the stamp qpdf overlays (a Bates-like number and a legend).
if [ ! -f "$DATA/.made-$PAGES" ]; then
    say "generating PDFs of $PAGES and $((2 * PAGES)) pages…"
    rm -rf "$DATA" && mkdir -p "$DATA/one" "$DATA/two"
    python3 - "$DATA" "$PAGES" <<'PY'
import os, random, sys
data, pages = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
WORDS = ("falcon tolerance drawing supplier quote contract revenue customer meeting schedule design "
         "prototype confidential margin forecast pricing launch review engineer invoice shipment").split()

def pdf(pages_lines, raw=None, media="0 0 612 792"):
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", None, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages_lines:
        content = raw or "BT /F1 11 Tf 14 TL 50 760 Td %s ET" % "".join("(%s) Tj T* " % l for l in lines)
        objs.append("<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        objs.append("<< /Type /Page /Parent 2 0 R /MediaBox [%s] /Contents %d 0 R /Resources << /Font << /F1 3 0 R >> >> >>" % (media, len(objs)))
        kids.append(len(objs))
    objs[1] = "<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join("%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs):
        offsets.append(len(out))
        out += ("%d 0 obj\n%s\nendobj\n" % (i + 1, o)).encode()
    xref = len(out)
    out += ("xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)).encode()
    for o in offsets:
        out += ("%010d 00000 n \n" % o).encode()
    out += ("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)).encode()
    return bytes(out)

def page():
    return [" ".join(rng.choice(WORDS) for _ in range(10)) for _ in range(50)]

open(os.path.join(data, "one", "production.pdf"), "wb").write(pdf([page() for _ in range(pages)]))
open(os.path.join(data, "two", "production.pdf"), "wb").write(pdf([page() for _ in range(2 * pages)]))
stamp = "BT /F1 10 Tf 18 18 Td (CONFIDENTIAL) Tj ET BT /F1 10 Tf 530 18 Td (HAL000001) Tj ET"
open(os.path.join(data, "stamp.pdf"), "wb").write(pdf([[]], raw=stamp))
PY
    touch "$DATA/.made-$PAGES"
fi

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

# A vault holding one PDF, for each export.
vault_of() {
    local vault=$BENCH_DIR/vault-$1
    rm -rf "$vault"
    "$CUSTOS" init "$vault" --matter "Imaging bench" --examiner Bench --work-factor 10 >/dev/null 2>&1
    "$CUSTOS" add "$vault" "$DATA/$1" --no-process >/dev/null 2>&1
    echo "$vault"
}
# custos export with page images: "seconds peak-KiB".
export_run() {
    local vault=$1 profile=$2 out=$BENCH_DIR/out-$2-$RANDOM.zip t0 t1
    sync
    t0=$(now)
    /usr/bin/time -f "%M" -o "$BENCH_DIR/rss" "$CUSTOS" export "$vault" --out "$out" --bates-prefix HAL --images "$profile" \
        --endorse "CONFIDENTIAL" >/dev/null 2>"$BENCH_DIR/err" || { cat "$BENCH_DIR/err" >&2; die "custos export failed"; }
    t1=$(now)
    rm -f "$out"
    echo "$(secs "$t0" "$t1") $(cat "$BENCH_DIR/rss")"
}

ONE=$(vault_of one)
TWO=$(vault_of two)

say "TIFF: pdftoppm -r 300 -mono -tiff, then tiffcp -c g4 on each of $PAGES pages…"
rm -rf "$BENCH_DIR/ref" && mkdir -p "$BENCH_DIR/ref"
sync
t0=$(now)
pdftoppm -r 300 -mono -tiff "$DATA/one/production.pdf" "$BENCH_DIR/ref/p"
for f in "$BENCH_DIR"/ref/p-*.tif; do tiffcp -c g4 "$f" "${f%.tif}.g4.tif"; done
t1=$(now)
REF_TIFF=$(secs "$t0" "$t1")
[ "$(ls "$BENCH_DIR"/ref/*.g4.tif | wc -l)" -eq "$PAGES" ] || die "the reference made $(ls "$BENCH_DIR"/ref/*.g4.tif | wc -l) pages"
rm -rf "$BENCH_DIR/ref"
say "TIFF: custos export --images tiff (stamped) on the same PDF…"
read -r CUSTOS_TIFF TIFF_RSS < <(export_run "$ONE" tiff)
say "TIFF: custos export --images tiff on $((2 * PAGES)) pages (memory)…"
read -r CUSTOS_TIFF2 TIFF2_RSS < <(export_run "$TWO" tiff)

say "PDF: qpdf --overlay of a pre-made stamp on $((2 * PAGES)) pages…"
t0=$(now)
qpdf "$DATA/two/production.pdf" --overlay "$DATA/stamp.pdf" --repeat=1 -- "$BENCH_DIR/stamped.pdf"
t1=$(now)
REF_PDF=$(secs "$t0" "$t1")
rm -f "$BENCH_DIR/stamped.pdf"
say "PDF: custos export --images pdf on the same PDF…"
read -r CUSTOS_PDF PDF_RSS < <(export_run "$TWO" pdf)

TIFF_RATIO=$(ratio "$CUSTOS_TIFF" "$REF_TIFF")
PDF_RATIO=$(ratio "$CUSTOS_PDF" "$REF_PDF")
MET=$(python3 -c "print('met' if $TIFF_RATIO <= 1.2 else 'NOT met')")
BOUND=$(python3 -c "print('met' if $TIFF2_RSS <= 1.5 * $TIFF_RSS else 'NOT met')")
cat <<EOF

| measurement | reference | custos export | ratio | target | |
|---|---:|---:|---:|---|---|
| $PAGES PDF pages to stamped Group IV TIFF, 300 dpi | pdftoppm + tiffcp $REF_TIFF s | $CUSTOS_TIFF s (peak $((TIFF_RSS / 1024)) MiB) | ${TIFF_RATIO}x | <= 1.2x | $MET |
| $((2 * PAGES)) PDF pages stamped into PDF | qpdf --overlay $REF_PDF s | $CUSTOS_PDF s (peak $((PDF_RSS / 1024)) MiB) | ${PDF_RATIO}x | report | |
| peak memory, TIFF, $PAGES vs $((2 * PAGES)) pages | — | $((TIFF_RSS / 1024)) MiB vs $((TIFF2_RSS / 1024)) MiB | | bounded | $BOUND |

Each custos figure is a whole export: natives re-hashed, load files, page records, seal.
EOF
