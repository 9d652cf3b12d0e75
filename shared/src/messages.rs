//! The bodies of SQS messages passed between functions. Each is versioned by its shape: add
//! optional fields only, so messages already in flight keep parsing.

use serde::{Deserialize, Serialize};

/// What LinkedIn's push notification announced; LinkedIn names the kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotificationKind {
    #[serde(rename = "EXPORT_CANDIDATE_PROFILE")]
    ExportCandidateProfile,
    #[serde(rename = "INTEGRATION_STATUS_CHANGE")]
    IntegrationStatusChange,
}

/// A verified LinkedIn notification for one tenant, on the exports queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedInEvent {
    pub tenant_id: String,
    pub notification_id: String,
    pub kind: NotificationKind,
    pub request_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_context: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<i64>,
    pub received_at: i64,
}

/// "Poll this seat's activity now", from inmail-poll to inmail-import on the activity queue.
/// `enqueuedAt` is when the scheduled poll ran: a seat polled since is not polled again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatPoll {
    pub tenant_id: String,
    pub contract_id: String,
    pub seat_id: String,
    pub enqueued_at: i64,
    /// Set by the scheduled poll's fan-out: a quiet seat is polled one cycle in this many
    /// (`shared::budget`; 1: every cycle). Absent on a poll's continuation, which always runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiet_every: Option<u32>,
}

/// "Enqueue the linked seats of this shard of the index, from `nextToken`", on the activity
/// queue: the part of a poll's fan-out its run had no time for (`shared::fan_out`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShardFanOut {
    pub shard: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// When the scheduled poll ran: the seats get it as their `enqueuedAt`, so a seat enqueued
    /// twice for one poll is polled once.
    pub poll_started_at: i64,
}

/// A message of the activity queue: a shard of seats to enqueue, or a seat to poll (told apart
/// by `shard`, which only the first has).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ActivityMessage {
    Shard(ShardFanOut),
    Seat(SeatPoll),
}

impl<'de> Deserialize<'de> for ActivityMessage {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(d)?;
        // Each kind's own error names the field that is missing or wrong.
        if value.get("shard").is_some() {
            serde_json::from_value(value)
                .map(Self::Shard)
                .map_err(D::Error::custom)
        } else {
            serde_json::from_value(value)
                .map(Self::Seat)
                .map_err(D::Error::custom)
        }
    }
}

/// "Do the next bounded step of this seat's history back-fill", on the back-fill queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackfillStep {
    pub tenant_id: String,
    pub contract_id: String,
    pub seat_id: String,
}

/// A message on the ats-changes queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum OutboundMessage {
    /// "The tenant has changes for LinkedIn": wakes the sync (many nudges, one run).
    Changed { tenant_id: String },
    /// "Do the next bounded step of this full sync."
    FullSyncStep { tenant_id: String, run_id: String },
    /// "Queue the next bounded chunk of this clean-up's deletes."
    CleanupStep { tenant_id: String, run_id: String },
}

impl OutboundMessage {
    pub fn tenant_id(&self) -> &str {
        match self {
            OutboundMessage::Changed { tenant_id }
            | OutboundMessage::FullSyncStep { tenant_id, .. }
            | OutboundMessage::CleanupStep { tenant_id, .. } => tenant_id,
        }
    }
}

/// A message of the upkeep queue (`shared::upkeep`): one tenant's share of a scheduled review,
/// or the rest of a listing of tenants the scheduled run had no time to go through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum UpkeepMessage {
    /// The hourly review of one tenant's contracts: expiry, LinkedIn's status, seats, held
    /// exports, the outbound-sync nudge (contract-expiry's work for one tenant).
    Contracts { tenant_id: String },
    /// The hourly refresh of one tenant's onboarding checklist.
    Onboarding { tenant_id: String },
    /// The daily closed-profile review of one tenant (compliance-review's work for one tenant).
    Compliance { tenant_id: String },
    /// "List the tenants of `listing` from `nextToken` (after `lastTenant`) and queue `then`
    /// for each."
    Walk {
        listing: TenantListing,
        then: UpkeepJob,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_token: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_tenant: Option<String>,
    },
}

/// Which tenants a walk lists: those with a contract (gsi2 `CONTRACT`), or those onboarded with
/// the partner flow (gsi2 `ONBOARDING`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TenantListing {
    Contracts,
    Onboarded,
}

/// A per-tenant job, as a walk names the one it queues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UpkeepJob {
    Contracts,
    Onboarding,
    Compliance,
}

impl UpkeepJob {
    /// The message that does this job for `tenant_id`.
    pub fn for_tenant(self, tenant_id: String) -> UpkeepMessage {
        match self {
            Self::Contracts => UpkeepMessage::Contracts { tenant_id },
            Self::Onboarding => UpkeepMessage::Onboarding { tenant_id },
            Self::Compliance => UpkeepMessage::Compliance { tenant_id },
        }
    }
}
