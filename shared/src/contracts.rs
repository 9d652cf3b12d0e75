//! Contract status changes, each kept with its time, cause and reason (the audit trail).
//!
//! Every change goes through [`change_status`]: it reads the contract, decides whether the
//! change applies, and writes the new state together with its event in one transaction that is
//! conditional on the state it read, retrying when another writer got there first.

use crate::domain::{Contract, ContractEvent, ContractStatus, StatusCause};
use crate::error::{Error, Result};
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
pub async fn linkedin_status_change(
    store: &Store,
    tenant_id: &str,
    contract_id: &str,
    enabled: bool,
    now: i64,
) -> Result<Option<Contract>> {
    change_status(store, tenant_id, contract_id, now, &|c| {
        let c = c?;
        match (enabled, c.status, c.status_cause) {
            (false, ContractStatus::Active, _) => Some((
                Contract {
                    status: ContractStatus::Disabled,
                    ..c.clone()
                },
                StatusCause::LinkedIn,
                "LinkedIn disabled the integration".into(),
            )),
            (true, ContractStatus::Disabled, Some(StatusCause::LinkedIn) | None) => {
                let status = if c.expires_at.is_some_and(|e| e <= now) {
                    ContractStatus::Expired
                } else {
                    ContractStatus::Active
                };
                Some((
                    Contract {
                        status,
                        ..c.clone()
                    },
                    StatusCause::LinkedIn,
                    "LinkedIn enabled the integration again".into(),
                ))
            }
            _ => None,
        }
    })
    .await
}
