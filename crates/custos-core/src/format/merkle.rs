//! RFC 6962 Merkle trees over custody events.
//!
//! Verification and proofs use the `ct-merkle` crate. Appending in a session
//! uses [`Frontier`], the O(log n) compact range of perfect subtrees, so a
//! checkpoint root costs no more than a few hashes; tests check that both agree.

use sha2::{Digest, Sha256};

/// A leaf hash: SHA-256(0x00 ‖ data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LeafHash(pub [u8; 32]);

impl LeafHash {
    /// The RFC 6962 leaf hash of `data`.
    pub fn of(data: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update(data);
        Self(h.finalize().into())
    }
}

/// RFC 6962 interior node: SHA-256(0x01 ‖ left ‖ right).
pub(crate) fn node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The roots of the perfect subtrees that make up a tree of `size` leaves,
/// largest first (one per set bit of `size`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Frontier {
    size: u64,
    /// (height, root) of each perfect subtree, left to right.
    stack: Vec<(u32, [u8; 32])>,
}

impl Frontier {
    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf.
    pub fn push(&mut self, leaf: LeafHash) {
        let mut cur = (0u32, leaf.0);
        while let Some(&(h, left)) = self.stack.last() {
            if h != cur.0 {
                break;
            }
            self.stack.pop();
            cur = (h + 1, node(&left, &cur.1));
        }
        self.stack.push(cur);
        self.size += 1;
    }

    /// The tree head: SHA-256("") when empty, else the subtrees folded right to left.
    pub fn root(&self) -> [u8; 32] {
        let mut it = self.stack.iter().rev();
        let Some(&(_, mut acc)) = it.next() else {
            return Sha256::digest(b"").into();
        };
        for (_, left) in it {
            acc = node(left, &acc);
        }
        acc
    }
}

/// A whole tree held in memory, with proofs (via `ct-merkle`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Tree(ct_merkle::mem_backed_tree::MemoryBackedTree<Sha256, Vec<u8>>);

impl Tree {
    /// Appends a leaf's data.
    pub fn push(&mut self, data: Vec<u8>) {
        self.0.push(data);
    }
    /// Number of leaves.
    pub fn len(&self) -> u64 {
        self.0.len()
    }
    /// The root as bytes.
    pub fn root_bytes(&self) -> [u8; 32] {
        let r = self.0.root();
        let mut out = [0u8; 32];
        out.copy_from_slice(r.as_bytes().as_slice());
        out
    }
    /// A proof that the tree of `old_size` leaves is a prefix of this one.
    pub fn consistency_proof(&self, old_size: u64) -> ct_merkle::ConsistencyProof<Sha256> {
        self.0.prove_consistency((self.len() - old_size) as usize)
    }
    /// A proof that leaf `idx` is in this tree.
    #[allow(dead_code)]
    pub fn inclusion_proof(&self, idx: u64) -> ct_merkle::InclusionProof<Sha256> {
        self.0.prove_inclusion(idx as usize)
    }
}

/// Checks an RFC 6962 inclusion proof carried outside the vault (in a
/// bundle): `proof`, the audit path from leaf `index` to the root (RFC 9162
/// §2.1.3.2), leads from `leaf` to `root` in a tree of `size` leaves, using
/// every hash of the path and no more.
pub(crate) fn verify_inclusion(leaf: LeafHash, index: u64, size: u64, proof: &[[u8; 32]], root: &[u8; 32]) -> bool {
    if index >= size {
        return false;
    }
    let (mut index, mut last) = (index, size - 1);
    let mut hash = leaf.0;
    let mut path = proof.iter();
    while last > 0 {
        if index % 2 == 1 {
            let Some(left) = path.next() else { return false };
            hash = node(left, &hash);
        } else if index < last {
            let Some(right) = path.next() else { return false };
            hash = node(&hash, right);
        }
        index /= 2;
        last /= 2;
    }
    path.next().is_none() && hash == *root
}

fn root_hash(root: &[u8; 32], size: u64) -> ct_merkle::RootHash<Sha256> {
    let mut d = ct_merkle::digest::Output::<Sha256>::default();
    d.copy_from_slice(root);
    ct_merkle::RootHash::new(d, size)
}

/// Checks with an RFC 6962 consistency proof, made from the current tree of
/// `new_size` leaves, that the signed roots `old` and `new` describe a prefix
/// and its extension.
pub(crate) fn verify_consistency(tree: &Tree, old: (u64, [u8; 32]), new: (u64, [u8; 32])) -> bool {
    if old.0 == 0 || old.0 > new.0 || tree.len() != new.0 {
        return old.0 <= new.0;
    }
    let proof = tree.consistency_proof(old.0);
    root_hash(&new.1, new.0).verify_consistency(&root_hash(&old.1, old.0), &proof).is_ok()
}

/// Checks a consistency proof carried outside the vault (in a bundle): the
/// tree of `old.0` leaves with root `old.1` is a prefix of the tree of
/// `new.0` leaves with root `new.1`. Equal sizes need equal roots and no proof.
pub(crate) fn verify_consistency_proof(old: (u64, [u8; 32]), new: (u64, [u8; 32]), proof: &[u8]) -> bool {
    if old.0 == new.0 {
        return proof.is_empty() && old.1 == new.1;
    }
    if old.0 == 0 || old.0 > new.0 {
        return false;
    }
    match ct_merkle::ConsistencyProof::<Sha256>::try_from_bytes(proof.to_vec()) {
        Ok(p) => root_hash(&new.1, new.0).verify_consistency(&root_hash(&old.1, old.0), &p).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFC 6962 definition of the Merkle tree hash, written out directly
    /// as an independent oracle.
    fn mth(leaves: &[&[u8]]) -> [u8; 32] {
        match leaves.len() {
            0 => Sha256::digest(b"").into(),
            1 => LeafHash::of(leaves[0]).0,
            n => {
                // k is the largest power of two smaller than n.
                let mut k = 1;
                while k * 2 < n {
                    k *= 2;
                }
                node(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    /// The eight leaves of the RFC 6962 reference test data (as used by the
    /// Certificate Transparency implementations).
    const LEAVES: [&[u8]; 8] = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        b"\x50\x51\x52\x53\x54\x55\x56\x57",
        b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
    ];

    /// Published roots for the first 1..=8 leaves.
    const ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    #[test]
    fn empty_tree_root_is_hash_of_empty_string() {
        let expected = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(hex::encode(Frontier::default().root()), expected);
        assert_eq!(hex::encode(Tree::default().root_bytes()), expected);
    }

    #[test]
    fn known_roots_for_sizes_one_to_eight() {
        let mut f = Frontier::default();
        let mut t = Tree::default();
        for (i, leaf) in LEAVES.iter().enumerate() {
            f.push(LeafHash::of(leaf));
            t.push(leaf.to_vec());
            assert_eq!(hex::encode(f.root()), ROOTS[i], "frontier root at size {}", i + 1);
            assert_eq!(hex::encode(t.root_bytes()), ROOTS[i], "ct-merkle root at size {}", i + 1);
            assert_eq!(hex::encode(mth(&LEAVES[..=i])), ROOTS[i], "reference MTH at size {}", i + 1);
        }
    }

    #[test]
    fn frontier_agrees_with_ct_merkle_up_to_300_leaves() {
        let mut f = Frontier::default();
        let mut t = Tree::default();
        for i in 0u32..300 {
            let data = i.to_be_bytes().to_vec();
            f.push(LeafHash::of(&data));
            t.push(data);
            assert_eq!(f.root(), t.root_bytes(), "size {}", i + 1);
        }
    }

    #[test]
    fn duplicating_the_last_leaf_changes_the_root() {
        // The Bitcoin-style tree pads an odd level by duplicating its last
        // node, so [a,b,c] and [a,b,c,c] collide; RFC 6962 must not.
        let three = mth(&LEAVES[..3]);
        let four = mth(&[LEAVES[0], LEAVES[1], LEAVES[2], LEAVES[2]]);
        assert_ne!(three, four);
        let mut f = Frontier::default();
        for l in [LEAVES[0], LEAVES[1], LEAVES[2], LEAVES[2]] {
            f.push(LeafHash::of(l));
        }
        assert_ne!(f.root(), three);
    }

    #[test]
    fn an_interior_node_cannot_pose_as_a_leaf() {
        // Without the 0x00/0x01 prefixes, the two-leaf root would equal the
        // one-leaf tree whose leaf is the concatenation of the two leaf hashes.
        let a = LeafHash::of(LEAVES[2]).0;
        let b = LeafHash::of(LEAVES[3]).0;
        let mut forged = Vec::new();
        forged.extend_from_slice(&a);
        forged.extend_from_slice(&b);
        assert_ne!(mth(&[&forged]), mth(&[LEAVES[2], LEAVES[3]]));
        assert_ne!(LeafHash::of(&forged).0, node(&a, &b));
    }

    #[test]
    fn consistency_proofs_verify_and_catch_a_changed_prefix() {
        let mut t = Tree::default();
        let mut old = None;
        for (i, leaf) in LEAVES.iter().enumerate() {
            t.push(leaf.to_vec());
            if i == 2 {
                old = Some((3, t.root_bytes()));
            }
        }
        let new = (8, t.root_bytes());
        assert!(verify_consistency(&t, old.unwrap(), new));
        let mut bad = old.unwrap();
        bad.1[0] ^= 1;
        assert!(!verify_consistency(&t, bad, new), "a changed old root must not verify");
    }

    /// Each leaf's ct-merkle inclusion proof, as 32-byte hashes.
    type Proofs = Vec<Vec<[u8; 32]>>;

    /// Trees of 1 to `max` leaves (leaf `i` is `i` as 8 big-endian bytes):
    /// size, root and proofs.
    fn proofs_up_to(max: u64) -> Vec<(u64, [u8; 32], Proofs)> {
        (1..=max)
            .map(|size| {
                let mut t = Tree::default();
                for i in 0..size {
                    t.push(i.to_be_bytes().to_vec());
                }
                let proofs = (0..size).map(|i| t.inclusion_proof(i).as_bytes().chunks(32).map(|c| c.try_into().unwrap()).collect()).collect();
                (size, t.root_bytes(), proofs)
            })
            .collect()
    }

    #[test]
    fn inclusion_proofs_from_ct_merkle_lead_to_the_root() {
        for (size, root, proofs) in proofs_up_to(17) {
            for (i, proof) in (0..size).zip(&proofs) {
                let leaf = LeafHash::of(&i.to_be_bytes());
                assert!(verify_inclusion(leaf, i, size, proof, &root), "size {size} leaf {i}");
                assert!(!verify_inclusion(LeafHash::of(b"x"), i, size, proof, &root), "a different leaf must not verify");
            }
        }
    }

    #[test]
    fn an_inclusion_proof_verifies_for_every_leaf_and_nothing_else() {
        let mut other_sizes_refused = 0;
        for (size, root, proofs) in proofs_up_to(20) {
            for (i, proof) in (0..size).zip(&proofs) {
                let leaf = LeafHash::of(&i.to_be_bytes());
                assert!(verify_inclusion(leaf, i, size, proof, &root), "size {size} leaf {i}");
                let mut other = leaf;
                other.0[31] ^= 1;
                assert!(!verify_inclusion(other, i, size, proof, &root), "size {size} leaf {i}: a changed leaf");
                for j in (0..size + 2).filter(|&j| j != i) {
                    assert!(!verify_inclusion(leaf, j, size, proof, &root), "size {size} leaf {i}: index {j}");
                }
                // Another size: refused when the leaf is outside it, and
                // otherwise accepted exactly where ct-merkle accepts the
                // same path (sizes whose audit path has the same shape).
                for s in (0..=size + 3).filter(|&s| s != size) {
                    let ct_proof = ct_merkle::InclusionProof::<Sha256>::try_from_bytes(proof.concat()).unwrap();
                    let theirs = s > i && root_hash(&root, s).verify_inclusion(&i.to_be_bytes().to_vec(), i, &ct_proof).is_ok();
                    assert_eq!(verify_inclusion(leaf, i, s, proof, &root), theirs, "size {size} leaf {i}: size {s}");
                    other_sizes_refused += usize::from(s > i && !theirs);
                }
                for k in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[k][0] ^= 1;
                    assert!(!verify_inclusion(leaf, i, size, &bad, &root), "size {size} leaf {i}: proof hash {k} changed");
                }
                let mut longer = proof.clone();
                longer.push([0; 32]);
                assert!(!verify_inclusion(leaf, i, size, &longer, &root), "size {size} leaf {i}: a hash added");
                if !proof.is_empty() {
                    assert!(!verify_inclusion(leaf, i, size, &proof[..proof.len() - 1], &root), "size {size} leaf {i}: a hash dropped");
                }
                let mut wrong_root = root;
                wrong_root[0] ^= 1;
                assert!(!verify_inclusion(leaf, i, size, proof, &wrong_root), "size {size} leaf {i}: another root");
            }
        }
        assert!(other_sizes_refused > 0, "some sizes that hold the leaf must refuse its proof");
    }

    #[test]
    fn inclusion_proofs_verify() {
        let mut t = Tree::default();
        for leaf in LEAVES {
            t.push(leaf.to_vec());
        }
        let root = root_hash(&t.root_bytes(), 8);
        for (i, leaf) in LEAVES.iter().enumerate() {
            let proof = t.inclusion_proof(i as u64);
            assert!(root.verify_inclusion(&leaf.to_vec(), i as u64, &proof).is_ok(), "leaf {i}");
            assert!(root.verify_inclusion(&b"other".to_vec(), i as u64, &proof).is_err(), "wrong leaf {i}");
        }
    }
}
