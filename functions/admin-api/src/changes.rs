//! The change feed: `GET /tenants/{t}/changes?after=<cursor>&limit=<n>`, the tenant's events in
//! the order they were appended, with the same payloads as on the bus (docs/events.md).

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use serde::Serialize;
use shared::events::Event;
use shared::http::{self, Answer, Refusal};
use shared::keys::MAX_CHANGE_SEQ;
use shared::store::{ChangesPage, MAX_PAGE_SIZE};

use crate::AdminApi;

impl AdminApi {
    pub(crate) async fn list_changes(
        &self,
        tenant_id: &str,
        req: &ApiGatewayV2httpRequest,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let after = match http::query_param(req, "after") {
            None | Some("") => 0,
            Some(cursor) => cursor
                .parse::<u64>()
                .ok()
                .filter(|n| *n < MAX_CHANGE_SEQ)
                .ok_or_else(|| Refusal::invalid("after must be a cursor this feed returned"))?,
        };
        let limit = match http::query_param(req, "limit") {
            None => MAX_PAGE_SIZE,
            Some(l) => l
                .parse::<i32>()
                .ok()
                .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
                .ok_or_else(|| {
                    Refusal::invalid(format!("limit must be a number from 1 to {MAX_PAGE_SIZE}"))
                })?,
        };
        let page = self.store.changes_after(tenant_id, after, limit).await?;
        Ok(http::json(200, &ChangesView::of(after, page)))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChangesView {
    changes: Vec<ChangeView>,
    /// Where the next page starts: the last change's cursor, or the one asked with.
    cursor: String,
    /// Changes after the cursor asked with that the feed no longer keeps.
    expired: u64,
}

#[derive(Serialize)]
struct ChangeView {
    cursor: String,
    event: Event,
}

impl ChangesView {
    fn of(after: u64, page: ChangesPage) -> Self {
        let last = page.changes.last().map_or(after, |c| c.seq);
        Self {
            changes: page
                .changes
                .into_iter()
                .map(|c| ChangeView {
                    cursor: c.seq.to_string(),
                    event: c.event,
                })
                .collect(),
            cursor: last.to_string(),
            expired: page.expired,
        }
    }
}
