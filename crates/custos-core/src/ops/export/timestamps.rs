//! Carrying the vault's time-stamp tokens into a bundle.

use crate::bundle::bag::BagBuilder;
use crate::bundle::layout::TIMESTAMPS_FOLDER as FOLDER;
use crate::bundle::timestamps::{CarriedCheckpoint, CarriedToken};
use crate::error::Result;
use crate::format::custody::{Checkpoint, RawEvent};
use crate::format::merkle::Tree;
use crate::ops::timestamp;
use crate::store::Vault;
use std::io::Write;

impl Vault {
    /// Writes the tokens of the latest timestamped checkpoint at or below the
    /// bundle's (only tokens that still match the log) into the bag.
    /// Returns (tree size, authority, TSA time) of each one carried.
    /// `raw` and `checkpoints` are the log as the export read it.
    pub(crate) fn carry_timestamps<W: Write>(
        &self,
        bag: &mut BagBuilder<W>,
        tree: &Tree,
        raw: &[RawEvent],
        checkpoints: &[Checkpoint],
    ) -> Result<Vec<(u64, String, String)>> {
        let texts = timestamp::checkpoint_texts(raw, checkpoints, &self.config().vault_id);
        let tokens = self.timestamp_tokens()?;
        let matching: Vec<_> = tokens
            .into_iter()
            .filter(|t| t.tree_size <= tree.len())
            .filter_map(|t| {
                let text = texts.get(&t.tree_size)?;
                crate::format::tsp::token::check_carried(&t.token, text.as_bytes(), None).ok().map(|time| (t, time))
            })
            .collect();
        let Some(size) = matching.iter().map(|(t, _)| t.tree_size).max() else { return Ok(Vec::new()) };
        let Some(cp) = checkpoints.iter().find(|c| c.tree_size == size) else { return Ok(Vec::new()) };
        let proof = if size == tree.len() { Vec::new() } else { tree.consistency_proof(size).as_bytes().chunks(32).map(hex::encode).collect() };
        let mut carried = CarriedCheckpoint {
            tree_size: size,
            root: cp.root.clone(),
            time: cp.time.clone(),
            signature: cp.signature.clone(),
            consistency_proof: proof,
            tokens: Vec::new(),
        };
        let mut out = Vec::new();
        for (i, (t, gen_time)) in matching.iter().filter(|(t, _)| t.tree_size == size).enumerate() {
            let file = format!("{size}-{}.tst", i + 1);
            bag.add_payload(&format!("{FOLDER}/{file}"), &t.token)?;
            carried.tokens.push(CarriedToken { file, tsa_url: t.tsa_url.clone(), gen_time: gen_time.clone() });
            out.push((size, t.tsa_url.clone(), gen_time.clone()));
        }
        bag.add_payload(&format!("{FOLDER}/{size}.txt"), texts[&size].as_bytes())?;
        bag.add_payload(&format!("{FOLDER}/{size}.json"), serde_json::to_string_pretty(&carried).expect("serialise").as_bytes())?;
        Ok(out)
    }
}

