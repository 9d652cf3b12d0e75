//! Contract status changes, each kept with its time, cause and reason (the audit trail).
//!
//! Every change goes through [`change_status`]: it reads the contract, decides whether the
//! change applies, and writes the new state together with its event in one transaction that is
//! conditional on the state it read, retrying when another writer got there first.

use crate::domain::{ChangeOrder, Contract, ContractEvent, ContractStatus, StatusCause};
use crate::error::{Error, Result};
use crate::linkedin::LinkedIn;
use crate::secrets::LinkedInCredentials;
use crate::store::Store;

/// What to do with a contract, decided from its current state (`None`: not connected yet).
pub type Decide<'a> =
    &'a (dyn Fn(Option<&Contract>) -> Option<(Contract, StatusCause, String)> + Sync);

/// Applies `decide` to the stored contract and stores its answer, with an event when the
/// status changes. Answers the contract as stored afterwards (`None` if there is none).
pub async fn change_status(
    store: &Store,
    tenant_id: &str,
    contract_id: &str,
    now: i64,
    decide: Decide<'_>,
) -> Result<Option<Contract>> {
    for _ in 0..5 {
        let current = store.get_contract(tenant_id, contract_id).await?;
        let Some((mut next, cause, reason)) = decide(current.as_ref()) else {
            return Ok(current);
        };
        let from = current.as_ref().map(|c| c.status);
        let seq = current.as_ref().map_or(0, |c| c.events) + 1;
        let event = (from != Some(next.status)).then(|| ContractEvent {
            tenant_id: tenant_id.to_owned(),
            contract_id: contract_id.to_owned(),
            seq,
            at: now,
            from,
            to: next.status,
            cause,
            reason,
        });
        if event.is_some() {
            next.status_cause = Some(cause);
            next.events = seq;
        }
        next.updated_at = now;
        if store
            .save_contract(&next, current.as_ref(), event.as_ref())
            .await?
        {
            if let Some(e) = &event {
                tracing::info!(contract = %contract_id, from = ?e.from, to = ?e.to, cause = ?e.cause, "contract status changed");
            }
            return Ok(Some(next));
        }
    }
    Err(Error::Aws {
        service: "DynamoDB",
        message: "contract kept changing under us".into(),
        retryable: true,
    })
}

/// LinkedIn reports the contract expired or its integration off (a 403 answer): Active → Expired.
pub async fn expired_by_linkedin(
    store: &Store,
    tenant_id: &str,
    contract_id: &str,
    now: i64,
) -> Result<Option<Contract>> {
    change_status(store, tenant_id, contract_id, now, &|c| {
        let c = c.filter(|c| c.status == ContractStatus::Active)?;
        Some((
            Contract {
                status: ContractStatus::Expired,
                ..c.clone()
            },
            StatusCause::LinkedIn,
            "LinkedIn answered that the contract is expired or its integration is off".into(),
        ))
    })
    .await
}

/// An `INTEGRATION_STATUS_CHANGE` from LinkedIn: DISABLED turns an Active contract Disabled;
/// ENABLED re-activates a contract LinkedIn had disabled (not one an admin disconnected).
///
/// Each change is applied once per LinkedIn request id, and only if it happened after the
/// latest one applied: a notification posted again (by LinkedIn's retries or by someone
/// replaying a signed one) cannot undo a newer change. Every applied change is recorded on the
/// contract even when the status stays, and a status event names its request.
pub async fn linkedin_status_change(
    store: &Store,
    tenant_id: &str,
    contract_id: &str,
    change: &LinkedInStatusChange<'_>,
    now: i64,
) -> Result<Option<Contract>> {
    change_status(store, tenant_id, contract_id, now, &|c| {
        let c = c?;
        match c.linkedin_changes.order(change.request_id, change.occurred_at) {
            ChangeOrder::New => {}
            order => {
                tracing::info!(contract = %contract_id, ?order, "LinkedIn status change not applied again");
                return None;
            }
        }
        let linkedin_changes = c
            .linkedin_changes
            .with(change.request_id, change.occurred_at);
        let (status, reason) = match (change.enabled, c.status, c.status_cause) {
            (false, ContractStatus::Active, _) => (
                ContractStatus::Disabled,
                "LinkedIn disabled the integration",
            ),
            (true, ContractStatus::Disabled, Some(StatusCause::LinkedIn) | None) => {
                if c.expires_at.is_some_and(|e| e <= now) {
                    (
                        ContractStatus::Expired,
                        "LinkedIn enabled the integration again",
                    )
                } else {
                    (
                        ContractStatus::Active,
                        "LinkedIn enabled the integration again",
                    )
                }
            }
            _ => (c.status, "LinkedIn's status change left it as it was"),
        };
        let when = change
            .occurred_at
            .map(|at| format!(", at {}", crate::clock::to_rfc3339(at)))
            .unwrap_or_default();
        Some((
            Contract {
                status,
                linkedin_changes,
                ..c.clone()
            },
            StatusCause::LinkedIn,
            format!("{reason} (request {}{when})", change.request_id),
        ))
    })
    .await
}

/// One element of an `INTEGRATION_STATUS_CHANGE`, as it applies to one contract.
#[derive(Clone, Copy, Debug)]
pub struct LinkedInStatusChange<'a> {
    pub enabled: bool,
    /// LinkedIn's request id of the notification.
    pub request_id: &'a str,
    /// When it happened, by the notification's `occurredAt` (when it has one).
    pub occurred_at: Option<i64>,
}

/// What the hourly review did to one contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Review {
    Unchanged,
    ExpiredByDate,
    ExpiredByLinkedIn,
    /// LinkedIn serves again a contract it had reported expired.
    Renewed,
    /// LinkedIn could not be asked (throttled, unavailable): tried again next hour.
    ProbeFailed,
}

/// The hourly review of one contract: its expiry date, then one cheap LinkedIn call for an
/// active contract (is it still served?) or for one LinkedIn reported expired (was it renewed?).
/// Running it twice in a row changes nothing the second time.
pub async fn review(
    store: &Store,
    linkedin: &LinkedIn,
    creds: &LinkedInCredentials,
    tenant_id: &str,
    contract_id: &str,
    now: i64,
) -> Result<Review> {
    let Some(c) = store.get_contract(tenant_id, contract_id).await? else {
        return Ok(Review::Unchanged);
    };
    let past_date = c.expires_at.is_some_and(|e| e <= now);
    match (c.status, c.status_cause) {
        (ContractStatus::Active, _) if past_date => {
            change_status(store, tenant_id, contract_id, now, &|c| {
                let c = c.filter(|c| c.status == ContractStatus::Active)?;
                Some((
                    Contract {
                        status: ContractStatus::Expired,
                        ..c.clone()
                    },
                    StatusCause::ExpiryDate,
                    "its expiry date has passed".into(),
                ))
            })
            .await?;
            Ok(Review::ExpiredByDate)
        }
        (ContractStatus::Active, _) => match linkedin.probe_contract(creds, &c.urn()).await {
            Ok(()) => Ok(Review::Unchanged),
            Err(Error::IntegrationInactive(_)) => {
                expired_by_linkedin(store, tenant_id, contract_id, now).await?;
                Ok(Review::ExpiredByLinkedIn)
            }
            Err(e) => probe_failed(contract_id, &e),
        },
        (ContractStatus::Expired, Some(StatusCause::LinkedIn)) if !past_date => {
            match linkedin.probe_contract(creds, &c.urn()).await {
                Ok(()) => {
                    change_status(store, tenant_id, contract_id, now, &|c| {
                        let c = c.filter(|c| {
                            c.status == ContractStatus::Expired
                                && c.status_cause == Some(StatusCause::LinkedIn)
                        })?;
                        Some((
                            Contract {
                                status: ContractStatus::Active,
                                ..c.clone()
                            },
                            StatusCause::LinkedIn,
                            "renewed: LinkedIn serves the contract again".into(),
                        ))
                    })
                    .await?;
                    Ok(Review::Renewed)
                }
                Err(Error::IntegrationInactive(_)) => Ok(Review::Unchanged),
                Err(e) => probe_failed(contract_id, &e),
            }
        }
        _ => Ok(Review::Unchanged),
    }
}

fn probe_failed(contract_id: &str, e: &Error) -> Result<Review> {
    if e.is_retryable() {
        tracing::warn!(contract = %contract_id, error = %e, "contract probe failed; tried again next hour");
        Ok(Review::ProbeFailed)
    } else {
        tracing::error!(contract = %contract_id, error = %e, "contract probe refused");
        Ok(Review::ProbeFailed)
    }
}
