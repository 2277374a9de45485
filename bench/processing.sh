#!/usr/bin/env bash
# Custos processing benchmark: text extraction, OCR, MBOX and PST expansion
# by `custos process`, against the tools an examiner would otherwise run by
# hand on the same data (pdftotext, tesseract one page after another,
# readpst), in one run, with the targets checked.
#
# Usage: bash bench/processing.sh   (part of `make bench`)
# Environment:
#   BENCH_DIR        scratch folder (default /var/tmp/custos-bench-processing)
#   KEEP=1           keep the generated data for the next run
#   PDFS             PDFs to extract (default 300)
#   PAGES            OCR page images (default 50)
#   MESSAGES         messages in the MBOX (default 10000)
#   LARGE_MB         size of the large MBOX, in MiB (default 1024)
#   CARGO_TARGET_DIR cargo target folder (default $HOME/.cache/custos/target)
#
# A report, not a test: it exits 0 whether the targets are met or not.
set -euo pipefail

BENCH_DIR=${BENCH_DIR:-/var/tmp/custos-bench-processing}
KEEP=${KEEP:-0}
PDFS=${PDFS:-300}
PAGES=${PAGES:-50}
MESSAGES=${MESSAGES:-10000}
LARGE_MB=${LARGE_MB:-1024}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need pdftotext pdftoppm tesseract readpst python3 /usr/bin/time
build_custos

# ---------------------------------------------------------------------------
# Data, generated here (nothing of a case): PDFs with text, page images with
# text, a mailbox of messages with attachments.
if [ ! -f "$DATA/.made-$PDFS-$PAGES-$MESSAGES" ]; then
    say "generating $PDFS PDFs, $PAGES page images and an MBOX of $MESSAGES messages…"
    rm -rf "$DATA" && mkdir -p "$DATA/pdf" "$DATA/ocr" "$DATA/mbox"
    python3 - "$DATA" "$PDFS" "$PAGES" "$MESSAGES" <<'PY'
import os, random, sys
from email.message import EmailMessage
from email.utils import format_datetime
import datetime

data, pdfs, pages, messages = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(13)
WORDS = ("falcon tolerance drawing supplier quote contract revenue customer meeting schedule design "
         "prototype confidential margin forecast pricing launch review engineer invoice shipment").split()

def pdf(pages_text):
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", None]
    kids = []
    for text in pages_text:
        lines = "".join("(%s) Tj T* " % l for l in text)
        content = "BT /F1 11 Tf 14 TL 50 760 Td %s ET" % lines
        objs.append("<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        objs.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources << /Font << /F1 %%FONT%% 0 R >> >> >>" % len(objs))
        kids.append(len(objs))
    objs.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    font = len(objs)
    objs[1] = "<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join("%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs):
        offsets.append(len(out))
        out += ("%d 0 obj\n%s\nendobj\n" % (i + 1, o.replace("%FONT%", str(font)))).encode()
    xref = len(out)
    out += ("xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)).encode()
    for o in offsets:
        out += ("%010d 00000 n \n" % o).encode()
    out += ("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)).encode()
    return bytes(out)

def sentence(n):
    return " ".join(rng.choice(WORDS) for _ in range(n))

for i in range(pdfs):
    text = [[sentence(10) for _ in range(45)] for _ in range(rng.randint(2, 8))]
    open(os.path.join(data, "pdf", "doc-%04d.pdf" % i), "wb").write(pdf(text))
for i in range(pages):
    # Large type, as a screenshot of a document would show it.
    lines = [sentence(6).upper() for _ in range(25)]
    content = [l for l in lines]
    open(os.path.join(data, "ocr", "page-%03d.pdf" % i), "wb").write(pdf([content]))

start = datetime.datetime(2025, 5, 1, 9, 0, tzinfo=datetime.timezone.utc)
with open(os.path.join(data, "mbox", "custodian.mbox"), "wb") as box:
    for i in range(messages):
        m = EmailMessage()
        m["From"] = "sender%d@example.com" % (i % 40)
        m["To"] = "recipient%d@example.com" % (i % 25)
        m["Subject"] = "%s %d" % (sentence(4), i)
        m["Date"] = format_datetime(start + datetime.timedelta(minutes=i))
        m["Message-ID"] = "<msg%d@example.com>" % i
        m.set_content("\n".join(sentence(12) for _ in range(8)))
        if i % 2 == 0:
            m.add_attachment(("\n".join(sentence(12) for _ in range(20))).encode(), maintype="text", subtype="plain", filename="notes-%d.txt" % i)
        raw = m.as_bytes().replace(b"\nFrom ", b"\n>From ")
        box.write(b"From sender@example.com Thu May  1 09:00:00 2025\n" + raw + b"\n\n")
PY
    # The OCR page images: each one-page PDF drawn at 150 dpi.
    for f in "$DATA"/ocr/page-*.pdf; do
        pdftoppm -png -r 150 -singlefile "$f" "${f%.pdf}"
        rm "$f"
    done
    touch "$DATA/.made-$PDFS-$PAGES-$MESSAGES"
fi
# A large mailbox: messages of 1 MiB attachments (random, so that nothing
# compresses or deduplicates), to show what memory a container of any size
# takes.
if [ ! -f "$DATA/.made-large-$LARGE_MB" ]; then
    say "generating an MBOX of $LARGE_MB MiB…"
    rm -rf "$DATA/large" && mkdir -p "$DATA/large"
    python3 - "$DATA/large/large.mbox" "$LARGE_MB" <<'PY'
import base64, os, sys
path, mib = sys.argv[1], int(sys.argv[2])
with open(path, "wb") as box:
    i = 0
    while box.tell() < mib << 20:
        body = base64.encodebytes(os.urandom(768 << 10))
        box.write(b"From sender@example.com Thu May  1 09:00:00 2025\n")
        box.write(b"From: sender@example.com\nTo: counsel@example.com\nSubject: export %d\n" % i)
        box.write(b"Message-ID: <large%d@example.com>\nMIME-Version: 1.0\n" % i)
        box.write(b"Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nAttached.\n")
        box.write(b"--b\nContent-Type: application/octet-stream; name=\"part%d.bin\"\n" % i)
        box.write(b"Content-Disposition: attachment; filename=\"part%d.bin\"\nContent-Transfer-Encoding: base64\n\n" % i)
        box.write(body + b"--b--\n\n")
        i += 1
PY
    touch "$DATA/.made-large-$LARGE_MB"
fi
PST=$REPO/crates/custos-extract/tests/data/pst/enron.pst

# ---------------------------------------------------------------------------
# Measuring.
fresh_vault() {
    rm -rf "$1"
    "$CUSTOS" init "$1" --matter "Processing bench" --examiner Bench --work-factor 10 >/dev/null 2>&1
}
# `custos process` on a vault holding $2 (taken in without processing):
# prints "seconds peak-KiB".
process_run() {
    local vault=$BENCH_DIR/vault-$1 src=$2
    shift 2
    fresh_vault "$vault"
    "$CUSTOS" add "$vault" "$src" --no-process >/dev/null 2>&1
    sync
    local t0 t1
    t0=$(now)
    /usr/bin/time -f "%M" -o "$BENCH_DIR/rss" "$CUSTOS" process "$vault" "$@" >/dev/null 2>"$BENCH_DIR/err" || { cat "$BENCH_DIR/err" >&2; die "custos process failed"; }
    t1=$(now)
    echo "$(secs "$t0" "$t1") $(cat "$BENCH_DIR/rss")"
}

say "text: pdftotext on each of $PDFS PDFs, one after another…"
t0=$(now)
for f in "$DATA"/pdf/*.pdf; do pdftotext -enc UTF-8 "$f" - >/dev/null; done
t1=$(now)
PDFTOTEXT=$(secs "$t0" "$t1")
say "text: custos process on the same PDFs…"
read -r CUSTOS_PDF CUSTOS_PDF_RSS < <(process_run pdf "$DATA/pdf")

say "OCR: tesseract on each of $PAGES pages, one after another…"
t0=$(now)
for f in "$DATA"/ocr/*.png; do tesseract "$f" stdout -l eng >/dev/null 2>&1; done
t1=$(now)
TESSERACT=$(secs "$t0" "$t1")
say "OCR: tesseract on each page, one after another, one thread each (OMP_THREAD_LIMIT=1)…"
t0=$(now)
for f in "$DATA"/ocr/*.png; do OMP_THREAD_LIMIT=1 tesseract "$f" stdout -l eng >/dev/null 2>&1; done
t1=$(now)
TESSERACT1=$(secs "$t0" "$t1")
say "OCR: custos process --ocr on the same pages…"
read -r CUSTOS_OCR CUSTOS_OCR_RSS < <(process_run ocr "$DATA/ocr" --ocr)

say "MBOX: custos process on $MESSAGES messages…"
MBOX_MB=$(du -m "$DATA/mbox/custodian.mbox" | cut -f1)
read -r CUSTOS_MBOX CUSTOS_MBOX_RSS < <(process_run mbox "$DATA/mbox")
MBOX_RATE=$(python3 -c "print(f'{$MESSAGES / $CUSTOS_MBOX:.0f}')")
say "MBOX: custos process on the mailbox alone (its messages become exhibits, left pending)…"
read -r CUSTOS_EXPAND CUSTOS_EXPAND_RSS < <(process_run mbox-alone "$DATA/mbox" EX-0001 --no-recurse)
EXPAND_RATE=$(python3 -c "print(f'{$MESSAGES / $CUSTOS_EXPAND:.0f}')")

say "MBOX: custos process on a mailbox of $LARGE_MB MiB, alone, then with every message…"
LARGE_MESSAGES=$(grep -c '^From sender@example.com' "$DATA/large/large.mbox")
read -r CUSTOS_LARGE_EXPAND CUSTOS_LARGE_EXPAND_RSS < <(process_run large-alone "$DATA/large" EX-0001 --no-recurse)
read -r CUSTOS_LARGE CUSTOS_LARGE_RSS < <(process_run large "$DATA/large")

say "PST: readpst against custos process on $(basename "$PST")…"
rm -rf "$BENCH_DIR/readpst" && mkdir -p "$BENCH_DIR/readpst"
t0=$(now)
readpst -q -o "$BENCH_DIR/readpst" -D -j 0 "$PST" >/dev/null 2>&1
t1=$(now)
READPST=$(secs "$t0" "$t1")
mkdir -p "$BENCH_DIR/pst" && cp "$PST" "$BENCH_DIR/pst/"
read -r CUSTOS_PST CUSTOS_PST_RSS < <(process_run pst "$BENCH_DIR/pst")
PST_MB=$(du -m "$PST" | cut -f1)

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
verdict() { python3 -c "print('met' if $1 else 'NOT MET')"; }
printf '\n| measurement | reference | custos process | ratio | target | |\n|---|---:|---:|---:|---|---|\n'
printf '| text of %d PDFs | pdftotext one by one %s s | %s s (peak %d MiB) | %s× the reference | ≤ 1.5× | %s |\n' \
    "$PDFS" "$PDFTOTEXT" "$CUSTOS_PDF" $((CUSTOS_PDF_RSS / 1024)) "$(ratio "$CUSTOS_PDF" "$PDFTOTEXT")" "$(verdict "$CUSTOS_PDF <= 1.5 * $PDFTOTEXT")"
printf '| OCR of %d page images | tesseract one by one %s s | %s s (peak %d MiB) | %s× faster | ≥ 1.6× faster | %s |\n' \
    "$PAGES" "$TESSERACT" "$CUSTOS_OCR" $((CUSTOS_OCR_RSS / 1024)) "$(ratio "$TESSERACT" "$CUSTOS_OCR")" "$(verdict "$TESSERACT >= 1.6 * $CUSTOS_OCR")"
printf '| OCR of %d page images | tesseract one by one, one thread each, %s s | %s s | %s× faster | ≥ 1.6× faster | %s |\n' \
    "$PAGES" "$TESSERACT1" "$CUSTOS_OCR" "$(ratio "$TESSERACT1" "$CUSTOS_OCR")" "$(verdict "$TESSERACT1 >= 1.6 * $CUSTOS_OCR")"
printf '| MBOX of %d messages (%d MiB), expanded and every message and attachment processed | — | %s s, %s messages/s, peak %d MiB | | ≥ 1,000 messages/s, ≤ 256 MiB | %s |\n' \
    "$MESSAGES" "$MBOX_MB" "$CUSTOS_MBOX" "$MBOX_RATE" $((CUSTOS_MBOX_RSS / 1024)) "$(verdict "$MBOX_RATE >= 1000 and $CUSTOS_MBOX_RSS <= 256 * 1024")"
printf '| the same MBOX expanded alone (%d messages stored as exhibits, each with its source and derivation) | — | %s s, %s messages/s, peak %d MiB | | ≥ 1,000 messages/s, ≤ 256 MiB | %s |\n' \
    "$MESSAGES" "$CUSTOS_EXPAND" "$EXPAND_RATE" $((CUSTOS_EXPAND_RSS / 1024)) "$(verdict "$EXPAND_RATE >= 1000 and $CUSTOS_EXPAND_RSS <= 256 * 1024")"
printf '| MBOX of %d MiB (%d messages with 1 MiB attachments) expanded alone | — | %s s, peak %d MiB | | ≤ 256 MiB | %s |\n' \
    "$LARGE_MB" "$LARGE_MESSAGES" "$CUSTOS_LARGE_EXPAND" $((CUSTOS_LARGE_EXPAND_RSS / 1024)) "$(verdict "$CUSTOS_LARGE_EXPAND_RSS <= 256 * 1024")"
printf '| the same, every message and attachment processed | — | %s s, peak %d MiB | | ≤ 256 MiB | %s |\n' \
    "$CUSTOS_LARGE" $((CUSTOS_LARGE_RSS / 1024)) "$(verdict "$CUSTOS_LARGE_RSS <= 256 * 1024")"
printf '| PST of %d MiB (%s) | readpst %s s | %s s (peak %d MiB) | %s× | report | |\n' \
    "$PST_MB" "$(basename "$PST")" "$READPST" "$CUSTOS_PST" $((CUSTOS_PST_RSS / 1024)) "$(ratio "$CUSTOS_PST" "$READPST")"
say ""
say "custos process includes decrypting each exhibit, storing every item found (encrypted, read back), and committing a signed custody event per derivation; the references write plaintext and keep no record."
