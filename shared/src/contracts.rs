//! Contract status changes, each kept with its time, cause and reason (the audit trail).
//!
//! Every change goes through [`change_status`]: it reads the contract, decides whether the
//! change applies, and writes the new state together with its event in one transaction that is
//! conditional on the state it read, retrying when another writer got there first.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::domain::{ChangeOrder, Contract, ContractEvent, ContractStatus, StatusCause};
use crate::error::{Error, Result};
use crate::linkedin::LinkedIn;
use crate::secrets::LinkedInCredentials;
use crate::store::{Store, retry_lost_races};

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
    let settled = retry_lost_races(5, || async move {
        let current = store.get_contract(tenant_id, contract_id).await?;
        let Some((mut next, cause, reason)) = decide(current.as_ref()) else {
            return Ok(Some(current));
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
        if !store
            .save_contract(&next, current.as_ref(), event.as_ref())
            .await?
        {
            return Ok(None);
        }
        if let Some(e) = &event {
            tracing::info!(contract = %contract_id, from = ?e.from, to = ?e.to, cause = ?e.cause, "contract status changed");
        }
        Ok::<_, Error>(Some(Some(next)))
    })
    .await?;
    settled.ok_or_else(|| Error::Aws {
        service: "DynamoDB",
        message: "contract kept changing under us".into(),
        retryable: true,
    })
}

/// An administrator's PUT of a contract: connected, or its expiry date updated (see
/// [`connect`]). Answers the contract as stored, and whether it existed before.
pub async fn connect_by_admin(
    store: &Store,
    tenant_id: &str,
    contract_id: &str,
    expires_at: Option<i64>,
    now: i64,
) -> Result<Option<(Contract, bool)>> {
    // What the last decision saw: `decide` is a shared `Fn`, so it records it in an atomic.
    let existed = AtomicBool::new(false);
    let decide = |current: Option<&Contract>| {
        existed.store(current.is_some(), Ordering::Relaxed);
        Some(connect(tenant_id, contract_id, current, expires_at, now))
    };
    let stored = change_status(store, tenant_id, contract_id, now, &decide).await?;
    Ok(stored.map(|c| (c, existed.load(Ordering::Relaxed))))
}

/// What an admin's PUT makes of a contract: connected (or updated) with its expiry date. The
/// date decides Active or Expired, except that a contract LinkedIn disabled stays Disabled until
/// LinkedIn enables it again. An admin-disconnected contract is connected again.
pub fn connect(
    tenant_id: &str,
    contract_id: &str,
    current: Option<&Contract>,
    expires_at: Option<i64>,
    now: i64,
) -> (Contract, StatusCause, String) {
    let by_date = if expires_at.is_some_and(|e| e <= now) {
        ContractStatus::Expired
    } else {
        ContractStatus::Active
    };
    let Some(c) = current else {
        let contract = Contract {
            tenant_id: tenant_id.to_owned(),
            contract_id: contract_id.to_owned(),
            status: by_date,
            status_cause: None,
            events: 0,
            expires_at,
            connected_at: now,
            updated_at: now,
            linkedin_changes: Default::default(),
        };
        let (cause, reason) = match by_date {
            ContractStatus::Expired => (
                StatusCause::ExpiryDate,
                "connected by an administrator; its expiry date has passed",
            ),
            _ => (StatusCause::Admin, "connected by an administrator"),
        };
        return (contract, cause, reason.to_owned());
    };
    let linkedin_disabled =
        c.status == ContractStatus::Disabled && c.status_cause == Some(StatusCause::LinkedIn);
    let status = if linkedin_disabled {
        ContractStatus::Disabled
    } else {
        by_date
    };
    let (cause, reason) = match (c.status, status) {
        (ContractStatus::Disabled, ContractStatus::Active | ContractStatus::Expired) => {
            (StatusCause::Admin, "connected again by an administrator")
        }
        (ContractStatus::Expired, ContractStatus::Active) => (
            StatusCause::ExpiryDate,
            "renewed: its expiry date is in the future again",
        ),
        (_, ContractStatus::Expired) => (StatusCause::ExpiryDate, "its expiry date has passed"),
        _ => (StatusCause::Admin, "updated by an administrator"),
    };
    (
        Contract {
            status,
            expires_at,
            ..c.clone()
        },
        cause,
        reason.to_owned(),
    )
}

/// An administrator disconnects a contract (see [`disconnect`]). Answers it as stored, `None`
/// when there is no such contract.
pub async fn disconnect_by_admin(
    store: &Store,
    tenant_id: &str,
    contract_id: &str,
    now: i64,
) -> Result<Option<Contract>> {
    change_status(store, tenant_id, contract_id, now, &disconnect).await
}

/// What an admin's DELETE makes of a contract: Disabled by the admin, so nothing is imported or
/// sent for it (everything imported stays). Nothing changes for a contract the admin already
/// disconnected, or one that is not there.
pub fn disconnect(current: Option<&Contract>) -> Option<(Contract, StatusCause, String)> {
    let c = current?;
    (c.status != ContractStatus::Disabled || c.status_cause != Some(StatusCause::Admin)).then(
        || {
            (
                Contract {
                    status: ContractStatus::Disabled,
                    ..c.clone()
                },
                StatusCause::Admin,
                "disconnected by an administrator".to_owned(),
            )
        },
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000_000;
    const DAY: i64 = 86_400_000;

    fn stored(
        status: ContractStatus,
        cause: Option<StatusCause>,
        expires_at: Option<i64>,
    ) -> Contract {
        Contract {
            tenant_id: "acme".into(),
            contract_id: "7".into(),
            status,
            status_cause: cause,
            events: 3,
            expires_at,
            connected_at: NOW - 30 * DAY,
            updated_at: NOW - DAY,
            linkedin_changes: Default::default(),
        }
    }

    fn put(
        current: Option<&Contract>,
        expires_at: Option<i64>,
    ) -> (ContractStatus, StatusCause, String) {
        let (c, cause, reason) = connect("acme", "7", current, expires_at, NOW);
        assert_eq!(c.expires_at, expires_at, "the PUT's expiry date is kept");
        (c.status, cause, reason)
    }

    #[test]
    fn a_new_contract_is_active_unless_its_date_has_passed() {
        let (c, cause, reason) = connect("acme", "7", None, Some(NOW + DAY), NOW);
        assert_eq!(
            (c.status, cause),
            (ContractStatus::Active, StatusCause::Admin)
        );
        assert_eq!(reason, "connected by an administrator");
        assert_eq!((c.connected_at, c.events), (NOW, 0));
        assert_eq!(
            put(None, Some(NOW)),
            (
                ContractStatus::Expired,
                StatusCause::ExpiryDate,
                "connected by an administrator; its expiry date has passed".into()
            )
        );
        assert_eq!(put(None, None).0, ContractStatus::Active);
    }

    #[test]
    fn a_date_in_the_future_renews_and_a_past_one_expires() {
        let expired = stored(
            ContractStatus::Expired,
            Some(StatusCause::ExpiryDate),
            Some(NOW - DAY),
        );
        assert_eq!(
            put(Some(&expired), Some(NOW + DAY)),
            (
                ContractStatus::Active,
                StatusCause::ExpiryDate,
                "renewed: its expiry date is in the future again".into()
            )
        );
        let active = stored(ContractStatus::Active, Some(StatusCause::Admin), None);
        assert_eq!(
            put(Some(&active), Some(NOW - 1)),
            (
                ContractStatus::Expired,
                StatusCause::ExpiryDate,
                "its expiry date has passed".into()
            )
        );
        assert_eq!(
            put(Some(&active), Some(NOW + DAY)),
            (
                ContractStatus::Active,
                StatusCause::Admin,
                "updated by an administrator".into()
            )
        );
    }

    #[test]
    fn a_contract_linkedin_disabled_stays_disabled_and_an_admin_disconnected_one_reconnects() {
        let by_linkedin = stored(ContractStatus::Disabled, Some(StatusCause::LinkedIn), None);
        let (c, _, _) = connect("acme", "7", Some(&by_linkedin), Some(NOW + DAY), NOW);
        assert_eq!(c.status, ContractStatus::Disabled);
        assert_eq!(
            c.connected_at, by_linkedin.connected_at,
            "still the same connection"
        );
        let by_admin = stored(ContractStatus::Disabled, Some(StatusCause::Admin), None);
        assert_eq!(
            put(Some(&by_admin), None),
            (
                ContractStatus::Active,
                StatusCause::Admin,
                "connected again by an administrator".into()
            )
        );
        assert_eq!(
            put(Some(&by_admin), Some(NOW - 1)).0,
            ContractStatus::Expired
        );
    }

    #[test]
    fn a_disconnect_disables_once_and_only_what_is_there() {
        assert!(disconnect(None).is_none());
        let active = stored(
            ContractStatus::Active,
            Some(StatusCause::Admin),
            Some(NOW + DAY),
        );
        let (c, cause, reason) = disconnect(Some(&active)).expect("disconnected");
        assert_eq!(
            (c.status, cause),
            (ContractStatus::Disabled, StatusCause::Admin)
        );
        assert_eq!(reason, "disconnected by an administrator");
        assert_eq!(c.expires_at, active.expires_at);
        let by_admin = stored(ContractStatus::Disabled, Some(StatusCause::Admin), None);
        assert!(
            disconnect(Some(&by_admin)).is_none(),
            "already disconnected"
        );
        let by_linkedin = stored(ContractStatus::Disabled, Some(StatusCause::LinkedIn), None);
        assert_eq!(
            disconnect(Some(&by_linkedin)).map(|(_, cause, _)| cause),
            Some(StatusCause::Admin),
            "decided (its status stays, so change_status writes no event)"
        );
    }
}
