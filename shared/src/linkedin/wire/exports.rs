//! What a notification leads the import to read: exported profiles and purged members.

use serde::Deserialize;

use crate::domain::{ExportedProfile, ProfileExport};
use crate::error::Error;
use crate::ids;

/// A text field that may also arrive as an object with a `name` (e.g. a location or company).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum TextOrNamed {
    Text(String),
    Named { name: String },
}

impl TextOrNamed {
    fn into_text(self) -> Option<String> {
        let s = match self {
            TextOrNamed::Text(s) | TextOrNamed::Named { name: s } => s,
        };
        let s = s.trim().to_owned();
        (!s.is_empty()).then_some(s)
    }
}

/// One element of `exportedCandidates?q=request` (request: collection; element: doc for the
/// profile, unverified for `contract`, `atsJobPostingId`, `exportedAt` and where the profile sits).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportElement {
    #[serde(default)]
    pub request_id: Option<String>,
    pub contract: String,
    /// Who exported (doc): `{firstName, lastName, member}`.
    #[serde(default)]
    pub requester: Option<Requester>,
    /// The exporting seat's URN: the name an earlier reading used; still read when present.
    #[serde(default)]
    pub exporter: Option<String>,
    pub ats_job_posting_id: String,
    #[serde(default)]
    pub exported_at: Option<i64>,
    pub candidate: ExportCandidate,
}

/// The recruiter who exported a profile (doc). Only the URNs are read: names of seat holders
/// come from the seat list.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Requester {
    #[serde(default)]
    pub member: Option<String>,
    /// Not documented; read when present.
    #[serde(default)]
    pub seat: Option<String>,
}

/// The exported person. Only the fields the ATS may keep are read; LinkedIn sends more
/// (`headline`, `profileUrl`, `emailAddresses`…), and serde drops them here.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportCandidate {
    pub member: String,
    pub first_name: String,
    pub last_name: String,
    /// Text as displayed (doc); an object with a `name` is accepted too.
    #[serde(default)]
    pub location: Option<TextOrNamed>,
    /// Current employers, as text (doc). The first non-empty one is kept.
    #[serde(default)]
    pub current_employer_names: Vec<String>,
    /// The name an earlier reading used; read when `currentEmployerNames` is absent.
    #[serde(default)]
    pub current_company: Option<TextOrNamed>,
}

impl ExportElement {
    /// The export in domain terms. `request_id` is the one the notification named; `now_ms`
    /// stands in for a missing `exportedAt`.
    pub fn into_export(self, request_id: &str, now_ms: i64) -> Result<ProfileExport, Error> {
        let contract_id = ids::urn_number("contract", &self.contract)
            .map_err(|e| Error::LinkedInContract(format!("export contract: {e}")))?;
        ids::check_member_urn(&self.candidate.member)
            .map_err(|e| Error::LinkedInContract(format!("export candidate: {e}")))?;
        // A seat URN names the exporting seat directly; a member URN (the documented
        // `requester.member`) is resolved to the holder's seat by the import.
        let requester = self.requester.unwrap_or_default();
        let exporter = requester
            .seat
            .or(self.exporter)
            .or(requester.member)
            .filter(|u| !u.trim().is_empty());
        let c = self.candidate;
        let employer = c
            .current_employer_names
            .into_iter()
            .map(|n| n.trim().to_owned())
            .find(|n| !n.is_empty())
            .or_else(|| c.current_company.and_then(TextOrNamed::into_text));
        Ok(ProfileExport {
            request_id: request_id.to_owned(),
            contract_id,
            exporter,
            job_id: self.ats_job_posting_id,
            exported_at: self.exported_at.unwrap_or(now_ms),
            profile: ExportedProfile {
                member: c.member,
                first_name: c.first_name.trim().to_owned(),
                last_name: c.last_name.trim().to_owned(),
                location: c.location.and_then(TextOrNamed::into_text),
                current_company: employer,
            },
        })
    }
}

/// One element of `atsPurgedExportedCandidates?q=integrationContext` (assumed names): a member
/// whose profile was closed after an export to this customer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PurgedElement {
    pub member: String,
    #[serde(default)]
    pub purged_at: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkedin::wire::Elements;

    #[test]
    fn export_keeps_only_allowed_fields() {
        let json = serde_json::json!({
            "elements": [{
                "requestId": "r-1",
                "contract": "urn:li:contract:77",
                "requester": {"firstName": "Rita", "lastName": "Recruiter", "member": "urn:li:person:rita"},
                "atsJobPostingId": "job-1",
                "exportedAt": 1_700_000_000_000i64,
                "candidate": {
                    "member": "urn:li:person:abc",
                    "firstName": "Ada",
                    "lastName": "Lovelace",
                    "location": "London, GB",
                    "currentEmployerNames": [" ", "Analytical Engines", "Difference Ltd"],
                    "profileUrl": "https://www.linkedin.com/in/FORBIDDEN",
                    "emailAddresses": ["forbidden3@example.com"],
                    "headline": "FORBIDDEN-HEADLINE",
                    "emailAddress": "forbidden@example.com",
                    "emails": ["forbidden2@example.com"],
                    "phoneNumbers": [{"number": "+44 20 FORBIDDEN"}],
                    "positions": [{"title": "FORBIDDEN-POSITION", "company": "FORBIDDEN-CO"}],
                    "educations": [{"school": "FORBIDDEN-SCHOOL"}],
                    "skills": ["FORBIDDEN-SKILL"]
                }
            }]
        });
        let page: Elements<ExportElement> = serde_json::from_value(json).unwrap();
        let export = page
            .elements
            .into_iter()
            .next()
            .unwrap()
            .into_export("r-1", 0)
            .unwrap();
        assert_eq!(
            export.profile,
            ExportedProfile {
                member: "urn:li:person:abc".into(),
                first_name: "Ada".into(),
                last_name: "Lovelace".into(),
                location: Some("London, GB".into()),
                current_company: Some("Analytical Engines".into()),
            }
        );
        let stored = serde_json::to_string(&crate::domain::Candidate::from_export(
            "t",
            &export.profile,
            0,
        ))
        .unwrap();
        assert!(
            !stored.contains("FORBIDDEN") && !stored.contains("forbidden"),
            "{stored}"
        );
        assert_eq!(export.contract_id, "77");
        assert_eq!(export.job_id, "job-1");
        assert_eq!(export.exporter.as_deref(), Some("urn:li:person:rita"));
    }

    #[test]
    fn earlier_export_names_are_still_read() {
        let element: ExportElement = serde_json::from_value(serde_json::json!({
            "contract": "urn:li:contract:1",
            "exporter": "urn:li:seat:5",
            "requester": {"member": "urn:li:person:rita"},
            "atsJobPostingId": "j",
            "candidate": {"member": "urn:li:person:x", "firstName": "A", "lastName": "B",
                          "currentCompany": {"name": "Old Name Co"}}
        }))
        .unwrap();
        let export = element.into_export("r", 0).unwrap();
        assert_eq!(export.exporter.as_deref(), Some("urn:li:seat:5"));
        assert_eq!(
            export.profile.current_company.as_deref(),
            Some("Old Name Co")
        );
    }

    #[test]
    fn missing_required_field_is_named() {
        let err = serde_json::from_value::<ExportElement>(serde_json::json!({
            "contract": "urn:li:contract:1",
            "atsJobPostingId": "j",
            "candidate": {"member": "urn:li:person:x", "firstName": "A"}
        }))
        .unwrap_err();
        assert!(err.to_string().contains("lastName"), "{err}");
    }
}
