//! `GET /tenants/{t}/health` (and the integration page's health panel).

use serde::Serialize;
use shared::clock::to_rfc3339;
use shared::domain::{
    Contract, ContractStatus, DeadLetter, Seat, StatusCause, UnprocessedActivity,
};
use shared::outbound::SyncError;

use super::{BudgetView, SyncErrorView};

/// `GET /tenants/{t}/health`: what is flowing and what is not, and why, at a glance.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthView {
    pub contracts: Vec<ContractHealth>,
    pub seats: Vec<SeatHealth>,
    /// Seats not linked to an ATS user: nothing of theirs is imported.
    pub unlinked_seats: Vec<String>,
    /// Messages of this tenant moved to a dead-letter queue in the last 14 days (newest first,
    /// at most 20).
    pub dead_letters: Vec<DeadLetterView>,
    /// Records that are not at LinkedIn because of a problem (the first 20; all of them are
    /// at `/sync/errors`).
    pub outbound_sync_errors: Vec<SyncErrorView>,
    /// Recruiter activity LinkedIn returned that could not be decoded or attributed, kept as it
    /// came: how many, and the first 20 with their reasons.
    pub unprocessed_activity: UnprocessedView,
    /// The LinkedIn calls the tenant's application made today, and whether quiet seats are
    /// polled less often to stay within LinkedIn's daily limit.
    pub linkedin_budget: BudgetView,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnprocessedView {
    pub count: usize,
    pub records: Vec<UnprocessedRecordView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attention: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnprocessedRecordView {
    pub stream: &'static str,
    pub contract_id: String,
    pub seat_id: String,
    pub record_id: String,
    pub reason: String,
    pub seen_at: String,
}

/// What an administrator does about kept activity records.
pub const UNPROCESSED_FIX: &str = "once the cause is fixed (a seat holder the seat list names, \
     a corrected decoder), POST /tenants/{tenantId}/activity/reprocess imports them without \
     calling LinkedIn (operations runbook, \"Unprocessed activity\")";

impl UnprocessedView {
    pub fn new(kept: &[UnprocessedActivity]) -> Self {
        Self {
            count: kept.len(),
            records: kept
                .iter()
                .take(20)
                .map(|k| UnprocessedRecordView {
                    stream: k.stream.name(),
                    contract_id: k.contract_id.clone(),
                    seat_id: k.seat_id.clone(),
                    record_id: k.record_id.clone(),
                    reason: k.reason.clone(),
                    seen_at: to_rfc3339(k.seen_at),
                })
                .collect(),
            attention: (!kept.is_empty()).then(|| {
                format!(
                    "{} activity record(s) LinkedIn returned could not be imported; they are \
                     kept, not lost: {UNPROCESSED_FIX}",
                    kept.len()
                )
            }),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractHealth {
    pub contract_id: String,
    pub status: ContractStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_successful_poll: Option<String>,
    /// What an administrator should know or do, when something needs attention.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attention: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatHealth {
    pub contract_id: String,
    pub seat_id: String,
    pub linked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_successful_poll: Option<String>,
    pub imported_last_24h: u64,
    pub stale: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attention: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetterView {
    pub at: String,
    pub source: String,
    pub message_id: String,
    pub reason: String,
}

impl HealthView {
    pub fn new(
        contracts: &[Contract],
        seats: &[Seat],
        letters: &[DeadLetter],
        sync_errors: &[SyncError],
        unprocessed: &[UnprocessedActivity],
        linkedin_budget: BudgetView,
        now: i64,
    ) -> Self {
        let active = |contract_id: &str| {
            contracts
                .iter()
                .any(|c| c.contract_id == contract_id && c.is_active_at(now))
        };
        let contract_health = contracts
            .iter()
            .map(|c| ContractHealth {
                contract_id: c.contract_id.clone(),
                status: c.status,
                last_successful_poll: last_successful_poll(seats, &c.contract_id).map(to_rfc3339),
                attention: contract_attention(c, now),
            })
            .collect();
        let seat_health = seats
            .iter()
            .map(|s| {
                let linked = s.user_id.is_some();
                let stale = s.is_stale(active(&s.contract_id), now, &linkedin_budget.plan);
                let attention = if !linked {
                    Some("not linked to an ATS user: link it to import its activity".to_owned())
                } else if !active(&s.contract_id) {
                    Some("its contract is not active: nothing is imported for it".to_owned())
                } else if stale {
                    Some("no complete poll for over an hour: check the activity dead-letter queue and LinkedIn's status".to_owned())
                } else {
                    None
                };
                SeatHealth {
                    contract_id: s.contract_id.clone(),
                    seat_id: s.seat_id.clone(),
                    linked,
                    user_id: s.user_id.clone(),
                    last_successful_poll: s.last_polled_at.map(to_rfc3339),
                    imported_last_24h: s.imported_last_24h(now),
                    stale,
                    attention,
                }
            })
            .collect();
        Self {
            contracts: contract_health,
            seats: seat_health,
            unlinked_seats: seats
                .iter()
                .filter(|s| s.user_id.is_none())
                .map(|s| s.seat_id.clone())
                .collect(),
            dead_letters: letters
                .iter()
                .map(|l| DeadLetterView {
                    at: to_rfc3339(l.at),
                    source: l.source.clone(),
                    message_id: l.message_id.clone(),
                    reason: l.reason.clone(),
                })
                .collect(),
            outbound_sync_errors: sync_errors.iter().map(SyncErrorView::from).collect(),
            unprocessed_activity: UnprocessedView::new(unprocessed),
            linkedin_budget,
        }
    }
}

fn contract_attention(c: &Contract, now: i64) -> Option<String> {
    let text = match (c.status, c.status_cause) {
        (ContractStatus::Active, _) if c.expires_at.is_some_and(|e| e <= now) => {
            "its expiry date has passed: it stops at the next hourly review unless renewed"
        }
        (ContractStatus::Active, _) => return None,
        (ContractStatus::Expired, Some(StatusCause::LinkedIn)) => {
            "LinkedIn reports it expired or its integration off: renew it with LinkedIn; imports resume on their own"
        }
        (ContractStatus::Expired, _) => {
            "its expiry date has passed: after renewing it with LinkedIn, update expiresAt"
        }
        (ContractStatus::Disabled, Some(StatusCause::LinkedIn)) => {
            "LinkedIn disabled the integration: enable it in LinkedIn"
        }
        (ContractStatus::Disabled, _) => {
            "disconnected by an administrator: connect it again to resume"
        }
    };
    Some(text.to_owned())
}

/// A contract's last successful poll: the latest complete poll of any of its seats.
pub fn last_successful_poll(seats: &[Seat], contract_id: &str) -> Option<i64> {
    seats
        .iter()
        .filter(|s| s.contract_id == contract_id)
        .filter_map(|s| s.last_polled_at)
        .max()
}
