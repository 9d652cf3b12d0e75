//! `/tenants/{tenantId}/contracts`: the Recruiter contracts a tenant connected, their status
//! and its history. The status changes themselves are `shared::contracts`'.

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use serde::Deserialize;
use shared::clock;
use shared::contracts;
use shared::http::{self, Answer, Refusal};
use shared::store::Page;

use crate::AdminApi;
use crate::request::{date, paging};
use crate::views::{ContractEventView, ContractView, last_successful_poll, list};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ContractInput {
    #[serde(default)]
    expires_at: Option<String>,
}

impl AdminApi {
    pub(crate) async fn put_contract(
        &self,
        tenant_id: &str,
        contract_id: &str,
        body: ContractInput,
    ) -> Answer {
        let tenant = self.tenant(tenant_id).await?;
        let expires_at = match body.expires_at.as_deref() {
            None => None,
            Some(s) => Some(date("expiresAt", s)?),
        };
        let now = self.clock.now_ms();
        let (contract, existed) =
            contracts::connect_by_admin(&self.store, tenant_id, contract_id, expires_at, now)
                .await?
                .ok_or_else(|| {
                    Refusal::new(
                        503,
                        "unavailable",
                        "the contract could not be stored; retry",
                    )
                })?;
        let status = if existed { 200 } else { 201 };
        if !existed {
            // A tenant onboarded with the partner flow names the new contract's CSA_API now.
            self.name_new_contract(&tenant).await;
        }
        if contract.is_active_at(now) {
            // A renewal: what the ATS changed while no contract was active goes out now.
            self.nudge(tenant_id).await;
        }
        Ok(http::json(status, &ContractView::from(&contract)))
    }

    /// Disconnects a contract: it becomes Disabled (by the admin) and nothing is imported or
    /// sent for it; everything imported stays.
    pub(crate) async fn disconnect_contract(&self, tenant_id: &str, contract_id: &str) -> Answer {
        self.registered(tenant_id).await?;
        let now = self.clock.now_ms();
        let contract = contracts::disconnect_by_admin(&self.store, tenant_id, contract_id, now)
            .await?
            .ok_or_else(|| Refusal::not_found("no such contract"))?;
        Ok(http::json(200, &ContractView::from(&contract)))
    }

    pub(crate) async fn list_contract_events(
        &self,
        tenant_id: &str,
        contract_id: &str,
        req: &ApiGatewayV2httpRequest,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let (limit, token) = paging(req)?;
        if self
            .store
            .get_contract(tenant_id, contract_id)
            .await?
            .is_none()
        {
            return Err(Refusal::not_found("no such contract"));
        }
        let page = self
            .store
            .list_contract_events(tenant_id, contract_id, limit, token)
            .await?;
        list(&page, ContractEventView::from)
    }

    /// Contracts with their last successful poll (the latest of their seats') and counts of
    /// what was imported under them.
    pub(crate) async fn list_contracts(&self, tenant_id: &str) -> Answer {
        self.registered(tenant_id).await?;
        let contracts = self.store.list_contracts(tenant_id).await?;
        let counts = self.store.contract_counts(tenant_id).await?;
        let seats = self.store.all_seats(tenant_id).await?;
        // All of them, on one page.
        let all = Page {
            items: contracts,
            next_token: None,
        };
        list(&all, |c| ContractView {
            last_successful_poll: last_successful_poll(&seats, &c.contract_id)
                .map(clock::to_rfc3339),
            imported: Some(counts.get(&c.contract_id).cloned().unwrap_or_default()),
            ..ContractView::from(c)
        })
    }
}
