//! A tenant at a glance: the health report (JSON) and the administrators' integration page
//! (HTML), which shows the same report beside the onboarding checklist, contracts, seat holders
//! and recent imports.

use shared::domain::Contract;
use shared::http::{self, Answer};

use crate::views::{BudgetView, HealthView};
use crate::{AdminApi, page};

impl AdminApi {
    /// What is flowing and what is not, with reasons: contracts, seats, dead letters.
    pub(crate) async fn health(&self, tenant_id: &str) -> Answer {
        self.registered(tenant_id).await?;
        let now = self.clock.now_ms();
        let contracts = self.store.list_contracts(tenant_id).await?;
        let seats = self.store.all_seats(tenant_id).await?;
        let letters = self.store.recent_dead_letters(tenant_id, 20).await?;
        let sync_errors = self
            .store
            .list_sync_errors(tenant_id, 20, None)
            .await?
            .items;
        let unprocessed = self.store.unprocessed_activity(tenant_id).await?;
        let budget = self.linkedin_budget(tenant_id, now).await?;
        Ok(http::json(
            200,
            &HealthView::new(
                &contracts,
                &seats,
                &letters,
                &sync_errors,
                &unprocessed,
                budget,
                now,
            ),
        ))
    }

    /// Today's LinkedIn calls and the poll's plan (one read of today's and yesterday's items).
    async fn linkedin_budget(&self, tenant_id: &str, now: i64) -> shared::Result<BudgetView> {
        let (today, yesterday) = self.store.plan_days_of(tenant_id, now).await?;
        Ok(BudgetView::new(
            &today,
            &yesterday,
            self.polling_allowance,
            now,
        ))
    }

    /// The administrators' integration page (HTML): the onboarding checklist, contracts, seat
    /// holders, health, recent imports. Its actions call the JSON routes.
    /// `csrf_token`: the token of the browser session the page is served to, for its script.
    pub(crate) async fn integration_page(
        &self,
        tenant_id: &str,
        live_only: bool,
        csrf_token: Option<String>,
    ) -> Answer {
        /// How many of the latest exports and InMails/notes the page lists.
        const RECENT: i32 = 10;
        /// Transitions shown per contract (oldest first).
        const HISTORY: i32 = 50;
        let tenant = self.tenant(tenant_id).await?;
        let now = self.clock.now_ms();
        let stored = self.store.list_contracts(tenant_id).await?;
        let counts = self.store.contract_counts(tenant_id).await?;
        let mut contracts = Vec::with_capacity(stored.len());
        for c in stored {
            let events = self
                .store
                .list_contract_events(tenant_id, &c.contract_id, HISTORY, None)
                .await?
                .items;
            let imported = counts.get(&c.contract_id).cloned().unwrap_or_default();
            contracts.push((c, events, imported));
        }
        let seats = self.store.all_seats(tenant_id).await?;
        let users = self.store.all_users(tenant_id).await?;
        let letters = self.store.recent_dead_letters(tenant_id, 20).await?;
        let sync_errors = self
            .store
            .list_sync_errors(tenant_id, 20, None)
            .await?
            .items;
        let plain: Vec<Contract> = contracts.iter().map(|(c, _, _)| c.clone()).collect();
        let unprocessed = self.store.unprocessed_activity(tenant_id).await?;
        let budget = self.linkedin_budget(tenant_id, now).await?;
        let health = HealthView::new(
            &plain,
            &seats,
            &letters,
            &sync_errors,
            &unprocessed,
            budget,
            now,
        );
        let sync = self.store.sync_state(tenant_id).await?;
        let onboarding = self.store.get_onboarding(tenant_id).await?;
        let exports = self
            .store
            .list_exports(tenant_id, RECENT, None)
            .await?
            .items;
        let activity = self.store.recent_activity(tenant_id, RECENT).await?;
        let named: Vec<String> = exports
            .iter()
            .filter_map(|e| e.candidate_id.clone())
            .chain(activity.iter().map(|a| a.candidate_id.clone()))
            .collect();
        let candidates = self.store.candidates_by_id(tenant_id, &named).await?;
        let data = page::PageData {
            tenant,
            contracts,
            seats,
            users,
            health,
            sync,
            onboarding,
            exports,
            activity,
            candidates,
            backfill_days: self.backfill_horizon_days,
            candidate_page_url: self.candidate_page_url.clone(),
            csrf_token,
            now,
        };
        let nonce = page::nonce();
        let body = if live_only {
            page::render_live(&data)
        } else {
            page::render(&data, &nonce)
        };
        Ok(http::html(200, body, &page::policy(&nonce)))
    }
}
