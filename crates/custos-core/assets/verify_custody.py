#!/usr/bin/env python3
"""Checks the custody record of a Custos production bundle, with nothing but
Python 3's standard library.

Run it in the unzipped bag folder (or pass that folder):

    python3 verify_custody.py [BAG-FOLDER]

It checks:
  1. tag manifest     - the files listed in tagmanifest-sha256.txt are unchanged;
  2. payload          - every file under data/ is listed in manifest-sha256.txt and
                        manifest-md5.txt and has those hashes;
  3. inclusion proofs - every event in data/custody/events.jsonl is in the Merkle
                        tree whose root and size data/custody/checkpoint.json gives
                        (RFC 6962: leaf = SHA-256(0x00 + event), node =
                        SHA-256(0x01 + left + right); audit path as RFC 9162
                        section 2.1.3.2);
  4. natives          - for every native in data/exhibit-index.csv, the SHA-256 and
                        MD5 the manifests give are the ones recorded when its
                        exhibit was collected (or received), by a proven event.

It does NOT check Ed25519 signatures: the standard library has no Ed25519.
Check the checkpoint's SSH signature with ssh-keygen as README.txt shows; the
inclusion proofs then tie every event to that signed checkpoint.

Exit status: 0 when every check passes, 1 otherwise.
"""

import csv
import hashlib
import json
import os
import sys


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def file_hashes(path):
    """SHA-256 and MD5 of a file, read in blocks."""
    s, m = hashlib.sha256(), hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            s.update(block)
            m.update(block)
    return s.hexdigest(), m.hexdigest()


def read_manifest(bag, name):
    """{path: hash} from a BagIt manifest ("<hash>  <path>" lines)."""
    listed = {}
    with open(os.path.join(bag, name), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                digest, path = line.rstrip("\n").split(None, 1)
                listed[path.strip()] = digest.lower()
    return listed


def leaf_hash(body):
    return hashlib.sha256(b"\x00" + body).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_audit_path(leaf_index, tree_size, leaf, path):
    """The root an inclusion proof leads to (RFC 9162 section 2.1.3.2), or None."""
    if leaf_index >= tree_size:
        return None
    fn, sn, r = leaf_index, tree_size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            while fn % 2 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def check_tag_manifest(bag):
    problems = []
    listed = read_manifest(bag, "tagmanifest-sha256.txt")
    for path, digest in sorted(listed.items()):
        full = os.path.join(bag, path)
        if not os.path.isfile(full):
            problems.append("%s is listed but missing" % path)
        elif file_hashes(full)[0] != digest:
            problems.append("%s has changed" % path)
    return problems, "%d tag files match tagmanifest-sha256.txt" % len(listed)


def check_payload(bag):
    problems = []
    sha = read_manifest(bag, "manifest-sha256.txt")
    md5 = read_manifest(bag, "manifest-md5.txt")
    present = set()
    for folder, _, files in os.walk(os.path.join(bag, "data")):
        for name in files:
            present.add(os.path.relpath(os.path.join(folder, name), bag).replace(os.sep, "/"))
    for path in sorted(present - set(sha)):
        problems.append("%s is not in manifest-sha256.txt (added)" % path)
    for path in sorted(sha):
        if path not in present:
            problems.append("%s is listed but missing" % path)
            continue
        got_sha, got_md5 = file_hashes(os.path.join(bag, path))
        if got_sha != sha[path]:
            problems.append("%s does not match its SHA-256 in manifest-sha256.txt" % path)
        if md5.get(path) != got_md5:
            problems.append("%s does not match its MD5 in manifest-md5.txt" % path)
    return problems, "%d payload files match manifest-sha256.txt and manifest-md5.txt" % len(sha)


def check_inclusion(bag):
    """Returns the problems, a summary, and the proven events by exhibit."""
    problems, proven = [], {}
    with open(os.path.join(bag, "data", "custody", "checkpoint.json"), encoding="utf-8") as f:
        checkpoint = json.load(f)
    size, root = int(checkpoint["tree_size"]), bytes.fromhex(checkpoint["root"])
    count = 0
    with open(os.path.join(bag, "data", "custody", "events.jsonl"), encoding="utf-8") as f:
        for number, text in enumerate(f, 1):
            if not text.strip():
                continue
            count += 1
            try:
                line = json.loads(text)
                index = int(line["leaf_index"])
                body = line["body"].encode("utf-8")
                event = json.loads(body)
                path = [bytes.fromhex(h) for h in line["inclusion_proof"]]
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                problems.append("line %d cannot be read (%s: %s)" % (number, type(e).__name__, e))
                continue
            if event.get("seq") != index + 1:
                problems.append("line %d: event %s sits at leaf %d" % (number, event.get("seq"), index))
            elif root_from_audit_path(index, size, leaf_hash(body), path) != root:
                problems.append("line %d (event %d): its inclusion proof does not lead to the checkpoint's root" % (number, index + 1))
            elif event.get("exhibit"):
                proven.setdefault(event["exhibit"], []).append(event)
    summary = "%d events lead to root %s... of the checkpoint (%d events)" % (count, checkpoint["root"][:16], size)
    return problems, summary, proven


def intake_hashes(event):
    """(SHA-256, MD5) an event records for its exhibit's content, if it is a collection, a receipt or an item found inside another exhibit."""
    md5 = (event.get("details") or {}).get("md5")
    if event.get("action") == "collected":
        return event.get("hash_before"), md5
    if event.get("action") == "received":
        return event.get("hash_after"), md5
    details = event.get("details") or {}
    if event.get("action") == "derived" and details.get("kind") == "item":
        # Found inside another exhibit (an attachment, an archive entry) by processing.
        return event.get("hash_after"), (details.get("item") or {}).get("md5")
    return None, None


def check_natives(bag, proven):
    problems = []
    sha = read_manifest(bag, "manifest-sha256.txt")
    md5 = read_manifest(bag, "manifest-md5.txt")
    with open(os.path.join(bag, "data", "exhibit-index.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    indexed = set()
    for row in rows:
        native, exhibit, bates = row["NATIVEPATH"], row["EXHIBITID"], row["BEGBATES"]
        indexed.add(native)
        got = (sha.get(native), md5.get(native))
        if got != (row["SHA256"].lower(), row["MD5"].lower()):
            problems.append("%s (%s): the index's hashes differ from the manifests' for %s" % (bates, exhibit, native))
        elif got not in [intake_hashes(e) for e in proven.get(exhibit, [])]:
            problems.append("%s (%s): no proven collected/received event records SHA-256 %s and MD5 %s" % (bates, exhibit, got[0], got[1]))
    for path in sorted(p for p in sha if p.startswith("data/VOL001/NATIVES/") and p not in indexed):
        problems.append("%s is not in the exhibit index" % path)
    return problems, "%d natives have the hashes recorded when their exhibits were collected or received" % len(rows)


def main(argv):
    bag = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    print("Custody check of %s" % os.path.abspath(bag))
    failed = False
    proven = {}

    def run(name, check):
        nonlocal failed
        try:
            problems, summary = check()
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            problems, summary = ["cannot be checked: %s: %s" % (type(e).__name__, e)], ""
        print("%s  %s: %s" % ("FAIL" if problems else "PASS", name, "; ".join(problems[:1]) or summary))
        for p in problems[1:]:
            print("      %s" % p)
        failed = failed or bool(problems)

    def inclusion():
        problems, summary, found = check_inclusion(bag)
        proven.update(found)
        return problems, summary

    run("tag manifest", lambda: check_tag_manifest(bag))
    run("payload", lambda: check_payload(bag))
    run("inclusion proofs", inclusion)
    run("natives", lambda: check_natives(bag, proven))
    print("NOT CHECKED  Ed25519 signatures of the events and the checkpoint (Python's standard library has no Ed25519);")
    print("             check data/custody/checkpoint.json.sig with ssh-keygen -Y verify as README.txt shows.")
    print("RESULT: %s" % ("FAILED" if failed else "all checks passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
