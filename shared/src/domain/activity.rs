//! Recruiter activity: InMails, notes, shared contact details, and the records LinkedIn returned
//! that could not be imported.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ActivityStream;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Direction {
    Sent,
    Received,
}

/// What happened: an InMail or a Recruiter note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ActivityDetail {
    #[serde(rename_all = "camelCase")]
    InMail {
        direction: Direction,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation: Option<String>,
        subject: String,
        body: String,
    },
    #[serde(rename_all = "camelCase")]
    Note { text: String, last_modified: i64 },
}

/// One InMail or note about a member, stored with the member's candidate. It is attached to an
/// application (`application_id`) or, while the member is not a candidate yet, pending.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    pub tenant_id: String,
    /// LinkedIn's id of the InMail or note.
    pub activity_id: String,
    /// The candidate id the member has or will have (see `Candidate::id_for_member`).
    pub candidate_id: String,
    pub member: String,
    pub contract_id: String,
    /// The seat that sent, received or wrote it (`urn:li:seat:N`).
    pub seat: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    /// When it was sent or the note was created.
    pub at: i64,
    #[serde(flatten)]
    pub detail: ActivityDetail,
}

impl Activity {
    pub fn kind(&self) -> &'static str {
        match self.detail {
            ActivityDetail::InMail { .. } => "INMAIL",
            ActivityDetail::Note { .. } => "NOTE",
        }
    }
}

/// A phone number a member shared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Phone {
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
}

/// Contact details a member shared after replying to an InMail (a LinkedIn "stub profile").
/// Every share is kept; the candidate's contact info is derived from all of them, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactShare {
    pub tenant_id: String,
    pub share_id: String,
    pub candidate_id: String,
    pub member: String,
    pub contract_id: String,
    pub seat: String,
    pub emails: Vec<String>,
    pub phones: Vec<Phone>,
    pub shared_at: i64,
}

/// The contact info a candidate has: the newest share's email first, nothing ever dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactInfo {
    pub emails: Vec<String>,
    pub phones: Vec<Phone>,
}

impl ContactInfo {
    pub fn from_shares(shares: &[ContactShare]) -> Self {
        let mut sorted: Vec<&ContactShare> = shares.iter().collect();
        sorted.sort_by(|a, b| (b.shared_at, &b.share_id).cmp(&(a.shared_at, &a.share_id)));
        let mut info = ContactInfo::default();
        for share in sorted {
            for e in &share.emails {
                if !info.emails.iter().any(|x| x.eq_ignore_ascii_case(e)) {
                    info.emails.push(e.clone());
                }
            }
            for p in &share.phones {
                if !info
                    .phones
                    .iter()
                    .any(|x| x.number == p.number && x.extension == p.extension)
                {
                    info.phones.push(p.clone());
                }
            }
        }
        info
    }
}

/// A Recruiter activity record LinkedIn returned that the import could not decode or could not
/// attribute to a member, kept exactly as it came so that nothing is lost: it is counted on
/// `/health` and imported by a re-process once the decoder or what it needs is there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnprocessedActivity {
    pub tenant_id: String,
    pub contract_id: String,
    pub seat_id: String,
    pub stream: ActivityStream,
    /// LinkedIn's id of the record, or a digest of it when it has none.
    pub record_id: String,
    /// The record's JSON as LinkedIn sent it.
    pub raw: String,
    pub reason: String,
    /// When it was last read: the end of the window it came in, or the re-process that last
    /// tried it.
    pub seen_at: i64,
}

impl UnprocessedActivity {
    /// The id a raw record is kept under: its `id` when it has a usable one, else a digest of
    /// its bytes (the same record read twice is kept once).
    pub fn record_id_of(raw: &serde_json::Value) -> String {
        let id = match raw.get("id") {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        match id.filter(|i| crate::ids::check_external("record id", i).is_ok()) {
            Some(id) => id,
            None => {
                let digest = Sha256::digest(raw.to_string().as_bytes());
                format!("sha256-{}", hex::encode(&digest[..12]))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_contact_share_wins_and_nothing_is_lost() {
        let share = |id: &str, at: i64, emails: &[&str], phones: &[&str]| ContactShare {
            tenant_id: "t".into(),
            share_id: id.into(),
            candidate_id: "c".into(),
            member: "m".into(),
            contract_id: "1".into(),
            seat: "s".into(),
            emails: emails.iter().map(|e| e.to_string()).collect(),
            phones: phones
                .iter()
                .map(|p| Phone {
                    number: p.to_string(),
                    extension: None,
                })
                .collect(),
            shared_at: at,
        };
        let info = ContactInfo::from_shares(&[
            share("a", 1, &["old@x.io"], &["+1"]),
            share("b", 5, &["new@x.io", "OLD@x.io"], &["+2"]),
        ]);
        assert_eq!(info.emails, ["new@x.io", "OLD@x.io"]);
        assert_eq!(
            info.phones
                .iter()
                .map(|p| p.number.as_str())
                .collect::<Vec<_>>(),
            ["+2", "+1"]
        );
    }
}
