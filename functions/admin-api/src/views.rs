//! What the API returns: explicit views of domain values, with RFC 3339 dates. Secrets never
//! appear here.

mod budget;
mod health;
mod notes;
mod records;
mod sync;

use serde::Serialize;
use shared::clock::to_rfc3339;
use shared::domain::{
    AtsUser, BackfillState, Contract, ContractEvent, ContractStatus, ImportCounts, JobAvailability,
    Seat, StatusCause, Tenant,
};
use shared::http::{self, Answer};
use shared::store::Page;

pub use budget::*;
pub use health::*;
pub use notes::*;
pub use records::*;
pub use sync::*;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListView<T> {
    pub items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// A listing's answer: the page's items, each shown by `view`, and the token of the next page.
pub(crate) fn list<'a, T, V: Serialize>(page: &'a Page<T>, view: impl FnMut(&'a T) -> V) -> Answer {
    Ok(http::json(
        200,
        &ListView {
            items: page.items.iter().map(view).collect(),
            next_token: page.next_token.clone(),
        },
    ))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantView {
    pub tenant_id: String,
    pub name: String,
    pub organization: String,
    pub linkedin: LinkedInView,
    /// Whether the daily compliance review deletes closed profiles' LinkedIn data.
    pub delete_purged_data: bool,
    pub job_availability: JobAvailability,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedInView {
    pub client_id: String,
}

impl From<&Tenant> for TenantView {
    fn from(t: &Tenant) -> Self {
        Self {
            tenant_id: t.tenant_id.clone(),
            name: t.name.clone(),
            organization: t.organization.clone(),
            linkedin: LinkedInView {
                client_id: t.client_id.clone(),
            },
            delete_purged_data: t.delete_purged_data,
            job_availability: t.job_availability,
            created_at: to_rfc3339(t.created_at),
            updated_at: to_rfc3339(t.updated_at),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractView {
    pub contract_id: String,
    pub contract: String,
    pub status: ContractStatus,
    /// What set the status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_cause: Option<StatusCause>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    pub connected_at: String,
    pub updated_at: String,
    /// The latest successful poll of any of its seats (in listings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_successful_poll: Option<String>,
    /// Records imported under it (in listings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imported: Option<ImportCounts>,
}

impl From<&Contract> for ContractView {
    fn from(c: &Contract) -> Self {
        Self {
            contract_id: c.contract_id.clone(),
            contract: c.urn(),
            status: c.status,
            status_cause: c.status_cause,
            expires_at: c.expires_at.map(to_rfc3339),
            connected_at: to_rfc3339(c.connected_at),
            updated_at: to_rfc3339(c.updated_at),
            last_successful_poll: None,
            imported: None,
        }
    }
}

/// One status transition of a contract.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractEventView {
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<ContractStatus>,
    pub to: ContractStatus,
    pub cause: StatusCause,
    pub reason: String,
}

impl From<&ContractEvent> for ContractEventView {
    fn from(e: &ContractEvent) -> Self {
        Self {
            at: to_rfc3339(e.at),
            from: e.from,
            to: e.to,
            cause: e.cause,
            reason: e.reason.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub user_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&AtsUser> for UserView {
    fn from(u: &AtsUser) -> Self {
        Self {
            user_id: u.user_id.clone(),
            email: u.email.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            member: u.member.clone(),
            created_at: to_rfc3339(u.created_at),
            updated_at: to_rfc3339(u.updated_at),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatView {
    pub contract_id: String,
    pub seat_id: String,
    pub seat: String,
    /// The holder's name as LinkedIn lists it (known once the hourly seat sync has read it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_name: Option<String>,
    pub linked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_polled_at: Option<String>,
    /// The history back-fill: state (queued, running, done, failed), range, steps, reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backfill: Option<BackfillView>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackfillView {
    pub state: BackfillState,
    pub from: String,
    pub to: String,
    pub steps: u64,
    /// Share of the range read so far, 0 to 100 (100 when done).
    pub percent: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub updated_at: String,
}

impl From<&Seat> for SeatView {
    fn from(s: &Seat) -> Self {
        Self {
            contract_id: s.contract_id.clone(),
            seat_id: s.seat_id.clone(),
            seat: s.urn(),
            holder_name: s.holder_name.clone(),
            linked: s.user_id.is_some(),
            user_id: s.user_id.clone(),
            linked_at: s.linked_at.map(to_rfc3339),
            member: s.member.clone(),
            state: s.state.clone(),
            last_polled_at: s.last_polled_at.map(to_rfc3339),
            backfill: s.backfill.as_ref().map(|b| BackfillView {
                state: b.state,
                from: to_rfc3339(b.from),
                to: to_rfc3339(b.to),
                steps: b.steps,
                percent: s.backfill_percent().unwrap_or(0),
                reason: b.reason.clone(),
                updated_at: to_rfc3339(b.updated_at),
            }),
        }
    }
}
