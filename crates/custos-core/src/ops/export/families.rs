//! Families in a production: choosing one member produces the whole family,
//! together and head first, so attachments are numbered right after their
//! message and BEGATTACH/ENDATTACH span real families.

use crate::error::Result;
use crate::store::Vault;
use crate::store::exhibits::Chosen;
use std::collections::{HashMap, HashSet};

impl Vault {
    /// The selection with every chosen exhibit's family completed, each
    /// family in tree order (a parent before its children, children in their
    /// order inside it), families in the order of their first chosen member.
    /// An exhibit found in two families is produced once, in the first.
    pub(crate) fn complete_families(&self, chosen: Vec<Chosen>) -> Result<Vec<Chosen>> {
        let links = self.family_links()?;
        if links.is_empty() {
            return Ok(chosen);
        }
        let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
        for (p, c) in &links {
            children.entry(p.as_str()).or_default().push(c.as_str());
        }
        // Each family's members in tree order, walked once per head.
        let mut order: Vec<(String, String)> = Vec::new();
        let mut placed: HashSet<String> = HashSet::new();
        let mut heads_done: HashSet<String> = HashSet::new();
        for c in &chosen {
            let head = c.exhibit.family.clone();
            if !heads_done.insert(head.clone()) {
                continue;
            }
            let mut stack = vec![(head.as_str(), 0u32)];
            while let Some((id, depth)) = stack.pop() {
                if depth > crate::store::derived::MAX_DEPTH + 2 || !placed.insert(id.to_string()) {
                    continue;
                }
                order.push((id.to_string(), head.clone()));
                if let Some(kids) = children.get(id) {
                    stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
                }
            }
        }
        let mut by_id: HashMap<String, Chosen> = chosen.into_iter().map(|c| (c.exhibit.id.clone(), c)).collect();
        let missing: Vec<String> = order.iter().filter(|(id, _)| !by_id.contains_key(id)).map(|(id, _)| id.clone()).collect();
        if !missing.is_empty() {
            for c in self.choose(&missing, None, None)? {
                by_id.insert(c.exhibit.id.clone(), c);
            }
        }
        let mut out = Vec::with_capacity(order.len());
        for (id, head) in order {
            if let Some(mut c) = by_id.remove(&id) {
                c.group = head;
                out.push(c);
            }
        }
        Ok(out)
    }
}
