//! `/tenants/{tenantId}/seats` and `.../contracts/{contractId}/seats/{seatId}`: Recruiter seats,
//! their link to an ATS user, and the history back-fill a link (or a re-import) starts.

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use serde::Deserialize;
use shared::http::{self, Answer, Refusal};
use shared::ids;

use crate::AdminApi;
use crate::request::{date, paging};
use crate::views::{SeatView, list};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct LinkInput {
    user_id: String,
}

/// A window of a seat's history to read again, RFC 3339 (`to` is capped at now).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ReimportInput {
    from: String,
    to: String,
}

impl AdminApi {
    pub(crate) async fn list_seats(
        &self,
        tenant_id: &str,
        req: &ApiGatewayV2httpRequest,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let (limit, token) = paging(req)?;
        let linked = match http::query_param(req, "linked") {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => return Err(Refusal::invalid("linked must be true or false")),
        };
        let mut page = self.store.list_seats(tenant_id, limit, token).await?;
        // The filter applies within the page, so a page may hold fewer than `limit` seats.
        page.items
            .retain(|s| linked.is_none_or(|l| s.user_id.is_some() == l));
        list(&page, SeatView::from)
    }

    /// Links a Recruiter seat to an existing ATS user; live polling starts from now.
    pub(crate) async fn link_seat(
        &self,
        tenant_id: &str,
        contract_id: &str,
        seat_id: &str,
        body: LinkInput,
    ) -> Answer {
        self.registered(tenant_id).await?;
        ids::check("userId", &body.user_id)?;
        if self
            .store
            .get_contract(tenant_id, contract_id)
            .await?
            .is_none()
        {
            return Err(Refusal::not_found("no such contract"));
        }
        if self
            .store
            .get_user(tenant_id, &body.user_id)
            .await?
            .is_none()
        {
            return Err(Refusal::not_found(
                "no such user: seat holders are linked to existing ATS users only",
            ));
        }
        let now = self.clock.now_ms();
        let link = || {
            self.store
                .link_seat(tenant_id, contract_id, seat_id, &body.user_id, now)
        };
        let mut seat = match link().await? {
            Some(seat) => seat,
            None => {
                // Not listed yet (the hourly seat sync has not run since LinkedIn added it):
                // ask LinkedIn now, and link only what it lists.
                let creds = self.secrets.get(tenant_id).await?;
                shared::seats::sync_contract_seats(
                    &self.store,
                    &self.linkedin,
                    &creds,
                    tenant_id,
                    contract_id,
                    now,
                )
                .await?;
                link().await?.ok_or_else(|| {
                    Refusal::not_found(format!(
                        "LinkedIn does not list seat {seat_id} on contract {contract_id}; only \
                         seats LinkedIn lists can be linked"
                    ))
                })?
            }
        };
        // The first link starts the history back-fill, up to the link time where live polling
        // starts; a relinked seat's live cursors resume where they stopped instead.
        if seat.backfill.is_none() {
            let backfill = shared::domain::Backfill::for_link(
                seat.linked_at.unwrap_or(now),
                self.backfill_horizon_days,
                now,
            );
            let key = (tenant_id, contract_id, seat_id);
            if self.store.start_backfill(key, &backfill).await? {
                seat.backfill = Some(backfill);
            }
        }
        // Every link gets a step: it imports the seat's pending leads and goes on with the
        // back-fill if one is due.
        let step = shared::messages::BackfillStep {
            tenant_id: tenant_id.to_owned(),
            contract_id: contract_id.to_owned(),
            seat_id: seat_id.to_owned(),
        };
        self.backfills.send(&step).await?;
        Ok(http::json(200, &SeatView::from(&seat)))
    }

    /// Reads a window of a linked seat's history again (a back-fill over it): what is missing is
    /// imported, what is there is rewritten unchanged (records are keyed by LinkedIn's ids).
    pub(crate) async fn reimport_seat(
        &self,
        tenant_id: &str,
        contract_id: &str,
        seat_id: &str,
        body: ReimportInput,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let now = self.clock.now_ms();
        let from = date("from", &body.from)?;
        let to = date("to", &body.to)?.min(now);
        if from >= to {
            return Err(Refusal::invalid("from must be before to (and before now)"));
        }
        // No further back than a newly linked seat's history goes (BACKFILL_HORIZON_DAYS).
        let horizon = self.backfill_horizon_days;
        if from < now - (horizon as i64) * 86_400_000 {
            return Err(Refusal::invalid(format!(
                "from may be at most {horizon} days ago (the back-fill horizon, \
                 BackfillHorizonDays)"
            )));
        }
        // And within the share of LinkedIn's daily call limit that re-imports may use.
        let calls = shared::domain::Backfill::least_calls(from, to);
        let day = shared::budget::utc_day(now);
        let max = shared::linkedin::REIMPORT_DAILY_CALLS;
        if !self
            .store
            .reserve_calls(tenant_id, &day, "reimportCalls", calls, max, now)
            .await?
        {
            return Err(Refusal::invalid(format!(
                "this re-import takes at least {calls} LinkedIn calls, more than is left of the \
                 {max} that re-imports may use per UTC day ({}% of LinkedIn's {} a day); choose \
                 a shorter window or retry tomorrow",
                max * 100 / shared::linkedin::DAILY_CALL_LIMIT,
                shared::linkedin::DAILY_CALL_LIMIT
            )));
        }
        let backfill = shared::domain::Backfill {
            state: shared::domain::BackfillState::Queued,
            from,
            to,
            steps: 0,
            reason: Some("re-import requested by an administrator".into()),
            updated_at: now,
        };
        let key = (tenant_id, contract_id, seat_id);
        if !self.store.restart_backfill(key, &backfill).await? {
            return Err(Refusal::conflict(
                "the seat is not linked, or its back-fill is running; retry when it is done",
            ));
        }
        self.backfills
            .send(&shared::messages::BackfillStep {
                tenant_id: tenant_id.to_owned(),
                contract_id: contract_id.to_owned(),
                seat_id: seat_id.to_owned(),
            })
            .await?;
        let seat = self
            .store
            .get_seat(tenant_id, contract_id, seat_id)
            .await?
            .ok_or_else(|| Refusal::not_found("no such seat"))?;
        Ok(http::json(202, &SeatView::from(&seat)))
    }

    /// Unlinks a seat: its imports stop; everything imported stays.
    pub(crate) async fn unlink_seat(
        &self,
        tenant_id: &str,
        contract_id: &str,
        seat_id: &str,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let seat = self
            .store
            .unlink_seat(tenant_id, contract_id, seat_id, self.clock.now_ms())
            .await?
            .ok_or_else(|| Refusal::not_found("no such seat"))?;
        Ok(http::json(200, &SeatView::from(&seat)))
    }
}
