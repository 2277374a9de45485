//! An exhibit's designations for productions (DESIGN §6.2): the privilege
//! claimed for it, whether it is withheld (a slip sheet in its place, a row
//! on the privilege log), the privilege log's description of it, and its
//! confidentiality level.

use serde::{Deserialize, Serialize};

/// The privilege claimed for a document.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrivilegeBasis {
    /// Attorney-client privilege.
    AttorneyClient,
    /// Attorney work product.
    WorkProduct,
    /// Common-interest (joint-defence) privilege.
    CommonInterest,
}

impl PrivilegeBasis {
    /// As a privilege log words it.
    pub fn words(self) -> &'static str {
        match self {
            PrivilegeBasis::AttorneyClient => "Attorney-client privilege",
            PrivilegeBasis::WorkProduct => "Attorney work product",
            PrivilegeBasis::CommonInterest => "Common-interest privilege",
        }
    }

    /// From its name on a command line (`attorney-client`, `work-product`,
    /// `common-interest`, any case, `_` for `-`).
    pub fn parse(s: &str) -> Option<PrivilegeBasis> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "attorney-client" | "ac" => Some(PrivilegeBasis::AttorneyClient),
            "work-product" | "wp" => Some(PrivilegeBasis::WorkProduct),
            "common-interest" | "ci" => Some(PrivilegeBasis::CommonInterest),
            _ => None,
        }
    }
}

/// An exhibit's designations (all unset by default).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Designation {
    /// The privilege claimed, if any.
    pub privilege: Option<PrivilegeBasis>,
    /// Withheld from productions: a slip sheet takes its place and its row
    /// is on the privilege log.
    pub withheld: bool,
    /// What the privilege log says the document is (never its privileged
    /// content): "E-mail to outside counsel requesting advice on the
    /// employment agreement".
    pub log_description: String,
    /// The confidentiality level endorsed on it ("CONFIDENTIAL", "HIGHLY
    /// CONFIDENTIAL – ATTORNEYS' EYES ONLY"), if any.
    pub confidentiality: Option<String>,
}

/// The longest privilege log description.
pub const MAX_LOG_DESCRIPTION: usize = 1000;
/// The longest confidentiality level.
pub const MAX_CONFIDENTIALITY: usize = 100;

impl Designation {
    /// Checks it: a withheld document has a privilege and a description for
    /// the log; texts have no control characters and fit. The reason otherwise.
    pub fn check(&self) -> Result<(), String> {
        if self.withheld && self.privilege.is_none() {
            return Err("a withheld document needs the privilege claimed for it (attorney-client, work product or common interest)".into());
        }
        if self.withheld && self.log_description.trim().is_empty() {
            return Err("a withheld document needs a description for the privilege log (what it is, never its privileged content)".into());
        }
        if self.log_description.chars().count() > MAX_LOG_DESCRIPTION || self.log_description.chars().any(|c| c.is_control() && c != '\n') {
            return Err(format!("the privilege log description is at most {MAX_LOG_DESCRIPTION} characters, with no control characters"));
        }
        if let Some(c) = &self.confidentiality
            && (c.trim().is_empty() || c.chars().count() > MAX_CONFIDENTIALITY || c.chars().any(char::is_control))
        {
            return Err(format!("a confidentiality level is 1 to {MAX_CONFIDENTIALITY} characters, with no control characters"));
        }
        Ok(())
    }

    /// Whether nothing is designated.
    pub fn is_empty(&self) -> bool {
        *self == Designation::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_withheld_document_needs_a_privilege_and_a_log_description() {
        let mut d = Designation { withheld: true, ..Default::default() };
        assert!(d.check().unwrap_err().contains("privilege claimed"));
        d.privilege = Some(PrivilegeBasis::AttorneyClient);
        assert!(d.check().unwrap_err().contains("description for the privilege log"));
        d.log_description = "E-mail to counsel about the agreement".into();
        assert_eq!(d.check(), Ok(()));
        d.confidentiality = Some(" ".into());
        assert!(d.check().is_err());
        d.confidentiality = Some("CONFIDENTIAL".into());
        assert_eq!(d.check(), Ok(()));
        assert_eq!(PrivilegeBasis::parse("Work_Product"), Some(PrivilegeBasis::WorkProduct));
        assert_eq!(PrivilegeBasis::parse("secret"), None);
        assert!(Designation::default().is_empty());
    }
}
