//! Recruiter contracts: their status, the audit trail of its changes, the changes LinkedIn
//! reported, and the counts of what was imported under them.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContractStatus {
    Active,
    Expired,
    Disabled,
}

/// Who or what set a contract's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusCause {
    /// An administrator connected, updated or disconnected it.
    Admin,
    /// Its `expiresAt` passed (or moved into the future again).
    ExpiryDate,
    /// LinkedIn said so: a 403 answer or an integration status change.
    LinkedIn,
}

/// One status transition of a contract: the audit trail the API lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractEvent {
    pub tenant_id: String,
    pub contract_id: String,
    /// 1 for the first event of the contract, then 2, 3…
    pub seq: u64,
    pub at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<ContractStatus>,
    pub to: ContractStatus,
    pub cause: StatusCause,
    pub reason: String,
}

/// How many records were imported under a contract. Exports count exactly (with the import's
/// transaction); activity counts per poll, so a poll re-read after a crash may count twice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportCounts {
    pub exports: u64,
    pub inmails: u64,
    pub notes: u64,
    pub contact_shares: u64,
}

/// A LinkedIn Recruiter contract the customer connected (`urn:li:contract:N`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    pub tenant_id: String,
    /// N of `urn:li:contract:N`.
    pub contract_id: String,
    pub status: ContractStatus,
    /// What set the current status (absent on contracts stored before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_cause: Option<StatusCause>,
    /// How many status events the audit trail holds; the next one is numbered after it.
    #[serde(default)]
    pub events: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    pub connected_at: i64,
    pub updated_at: i64,
    /// The status changes LinkedIn reported that were applied, so that none is applied twice
    /// and none older than the latest (a replayed notification changes nothing).
    #[serde(default, skip_serializing_if = "LinkedInChanges::is_empty")]
    pub linkedin_changes: LinkedInChanges,
}

/// The `INTEGRATION_STATUS_CHANGE`s applied to a contract.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedInChanges {
    /// When the newest applied change happened (the notification's `occurredAt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_at: Option<i64>,
    /// LinkedIn's request ids of the latest applied changes, oldest first (at most
    /// [`LinkedInChanges::KEPT`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_ids: Vec<String>,
}

/// Whether a status change LinkedIn reported may be applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeOrder {
    New,
    /// Its request was applied already.
    Repeated,
    /// It happened before the latest change applied.
    Stale,
}

impl LinkedInChanges {
    /// Request ids remembered per contract; older ones are also refused by their time.
    pub const KEPT: usize = 20;

    pub fn is_empty(&self) -> bool {
        self.latest_at.is_none() && self.request_ids.is_empty()
    }

    pub fn order(&self, request_id: &str, occurred_at: Option<i64>) -> ChangeOrder {
        if self.request_ids.iter().any(|r| r == request_id) {
            ChangeOrder::Repeated
        } else if occurred_at
            .zip(self.latest_at)
            .is_some_and(|(at, latest)| at <= latest)
        {
            ChangeOrder::Stale
        } else {
            ChangeOrder::New
        }
    }

    /// These changes after applying one more.
    pub fn with(&self, request_id: &str, occurred_at: Option<i64>) -> Self {
        let mut request_ids = self.request_ids.clone();
        request_ids.push(request_id.to_owned());
        if request_ids.len() > Self::KEPT {
            request_ids.drain(..request_ids.len() - Self::KEPT);
        }
        Self {
            latest_at: self.latest_at.max(occurred_at),
            request_ids,
        }
    }
}

impl Contract {
    pub fn urn(&self) -> String {
        format!("urn:li:contract:{}", self.contract_id)
    }

    /// Whether work may be done under this contract at `now`: it is Active and not past its
    /// expiry date (the hourly job records the transition; this check does not wait for it).
    pub fn is_active_at(&self, now_ms: i64) -> bool {
        self.status == ContractStatus::Active && self.expires_at.is_none_or(|e| e > now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_activity_honours_expiry_date() {
        let c = Contract {
            tenant_id: "t".into(),
            contract_id: "1".into(),
            status: ContractStatus::Active,
            status_cause: None,
            events: 0,
            expires_at: Some(1_000),
            connected_at: 0,
            updated_at: 0,
            linkedin_changes: LinkedInChanges::default(),
        };
        assert!(c.is_active_at(999));
        assert!(!c.is_active_at(1_000));
        let disabled = Contract {
            status: ContractStatus::Disabled,
            expires_at: None,
            ..c
        };
        assert!(!disabled.is_active_at(0));
    }

    #[test]
    fn linkedin_changes_apply_once_and_in_order() {
        let none = LinkedInChanges::default();
        assert_eq!(none.order("r-1", Some(10)), ChangeOrder::New);
        let one = none.with("r-1", Some(10));
        assert_eq!(one.order("r-1", Some(10)), ChangeOrder::Repeated);
        assert_eq!(one.order("r-1", None), ChangeOrder::Repeated);
        assert_eq!(one.order("r-0", Some(5)), ChangeOrder::Stale);
        assert_eq!(one.order("r-0", Some(10)), ChangeOrder::Stale);
        assert_eq!(one.order("r-2", Some(11)), ChangeOrder::New);
        assert_eq!(one.order("r-2", None), ChangeOrder::New);
        // Without a time, the latest stays the latest known.
        assert_eq!(one.with("r-2", None).latest_at, Some(10));
        let mut many = one;
        for i in 0..30 {
            many = many.with(&format!("x-{i}"), Some(100 + i));
        }
        assert_eq!(many.request_ids.len(), LinkedInChanges::KEPT);
        assert_eq!(many.request_ids.last().unwrap(), "x-29");
        assert_eq!(many.latest_at, Some(129));
    }
}
