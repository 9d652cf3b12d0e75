//! The simulator's control routes, `/_sim/...` (JSON, camelCase), for scripts and outside tools:
//!
//! - apps and pushes: `POST /_sim/apps` ([`crate::App`]), `POST /_sim/apps/{clientId}/validate`
//!   (→ `{"valid"}`), `POST /_sim/exports` ([`crate::ExportSpec`], → [`crate::PushResult`]),
//!   `POST /_sim/status-changes` `{"clientId","integrationContext","status","requestId"?}`,
//!   `POST /_sim/notifications/{id}/resend`;
//! - onboarding: `POST /_sim/partners` ([`crate::Partner`]), `GET /_sim/provisioned-apps`
//!   (→ [`crate::ProvisionedApp`]s), `POST /_sim/apps/{clientId}/enable-integrations`
//!   (→ `{"enabled": n}`: the customer switching on what the app named),
//!   `PUT /_sim/integrations/status` `{"integrationContext","integrationType","status"}` (404 when
//!   nobody named it);
//! - `GET|POST /_sim/receiver/{clientId}`: a callback endpoint answering LinkedIn's challenge
//!   with the application's secret and taking notifications (for manual runs, e.g. newman);
//! - calls, faults, contracts, tokens: `GET|DELETE /_sim/calls`, `POST|DELETE /_sim/faults`,
//!   `PUT /_sim/contracts/{urn}` `{"status"}`, `POST /_sim/tokens/expire`;
//! - activity: `POST /_sim/seats` (a seat or an array), `POST /_sim/inmails` (an array or one),
//!   `PUT /_sim/notes`, `POST /_sim/notes/{id}/edit` `{"text","atMs"}`,
//!   `POST /_sim/notes/{id}/delete` `{"atMs"}` (404 for an unknown note), `POST /_sim/stubs`,
//!   `POST /_sim/generate` (→ the seat URNs), `POST /_sim/purged`
//!   `{"organization","member","atMs"?}`;
//! - sync: `GET /_sim/sync?organization=urn:li:organization:N` (→ [`crate::Synced`]),
//!   `DELETE /_sim/sync`, `POST|DELETE /_sim/sync/rejections` `{"id","message"}`,
//!   `POST /_sim/sync/task-failures` `{"id","message"}`,
//!   `POST /_sim/sync/task-processed` `{"id","errorCode"?}`.

use std::collections::HashMap;

use axum::{
    Json, Router,
    extract::{Path, Query as QueryParams, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use serde::Deserialize;
use serde_json::json;

use crate::{
    App, ContractState, ExportSpec, Fault, InMail, Note, Partner, Seat, Sim, SimError, Stub,
    challenge_response,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContractBody {
    status: ContractState,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusChangeBody {
    client_id: String,
    integration_context: String,
    status: String,
    #[serde(default)]
    request_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IntegrationStatusBody {
    integration_context: String,
    integration_type: String,
    status: String,
}

#[derive(Deserialize)]
struct OrganizationParam {
    organization: String,
}

/// `{"id": "..", "message": ".."}`
#[derive(Deserialize)]
struct IdMessage {
    id: String,
    message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProcessedBody {
    id: String,
    #[serde(default)]
    error_code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PurgeBody {
    organization: String,
    member: String,
    #[serde(default)]
    at_ms: Option<i64>,
}

/// A JSON body holding one item or an array of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    Many(Vec<T>),
    One(T),
}

impl<T> OneOrMany<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::Many(items) => items,
            OneOrMany::One(item) => vec![item],
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EditBody {
    text: String,
    at_ms: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeleteBody {
    at_ms: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenerateBody {
    contract: String,
    base_seat: u64,
    seats: u64,
    inmails_per_seat: u64,
    members: u64,
    from_ms: i64,
    to_ms: i64,
}

fn note_outcome(found: bool, id: i64) -> Response {
    if found {
        StatusCode::NO_CONTENT.into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": format!("unknown note {id}") })),
        )
            .into_response()
    }
}

/// The built-in callback receiver: answers a challenge with the application's secret (doc), takes
/// a notification with 200.
async fn receiver_challenge(
    State(sim): State<Sim>,
    Path(client_id): Path<String>,
    QueryParams(q): QueryParams<HashMap<String, String>>,
) -> Response {
    let Some(app) = sim.app(&client_id) else {
        return SimError::UnknownApp(client_id).into_response();
    };
    let code = q.get("challengeCode").cloned().unwrap_or_default();
    Json(json!({
        "challengeCode": code,
        "challengeResponse": challenge_response(&app.client_secret, &code),
    }))
    .into_response()
}

pub(crate) fn routes() -> Router<Sim> {
    Router::new()
        .route(
            "/_sim/apps",
            post(|State(sim): State<Sim>, Json(app): Json<App>| async move {
                sim.register_app(app);
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/_sim/apps/{client_id}/validate",
            post(
                |State(sim): State<Sim>, Path(client_id): Path<String>| async move {
                    let valid = sim.validate_callback(&client_id).await?;
                    Ok::<_, SimError>(Json(json!({ "valid": valid })))
                },
            ),
        )
        .route(
            "/_sim/receiver/{client_id}",
            get(receiver_challenge).post(|| async { StatusCode::OK }),
        )
        .route(
            "/_sim/exports",
            post(
                |State(sim): State<Sim>, Json(spec): Json<ExportSpec>| async move {
                    sim.export(spec).await.map(Json)
                },
            ),
        )
        .route(
            "/_sim/status-changes",
            post(
                |State(sim): State<Sim>, Json(b): Json<StatusChangeBody>| async move {
                    sim.push_status_change_with_id(
                        &b.client_id,
                        &b.integration_context,
                        &b.status,
                        b.request_id.as_deref(),
                    )
                    .await
                    .map(Json)
                },
            ),
        )
        .route(
            "/_sim/notifications/{id}/resend",
            post(
                |State(sim): State<Sim>, Path(id): Path<String>| async move {
                    sim.resend(&id).await.map(Json)
                },
            ),
        )
        .route(
            "/_sim/calls",
            get(|State(sim): State<Sim>| async move { Json(sim.calls()) }).delete(
                |State(sim): State<Sim>| async move {
                    sim.clear_calls();
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .route(
            "/_sim/faults",
            post(|State(sim): State<Sim>, Json(fault): Json<Fault>| async move {
                sim.inject_fault(fault);
                StatusCode::NO_CONTENT
            })
            .delete(|State(sim): State<Sim>| async move {
                sim.clear_faults();
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/_sim/contracts/{urn}",
            put(
                |State(sim): State<Sim>, Path(urn): Path<String>, Json(b): Json<ContractBody>| async move {
                    sim.set_contract_status(&urn, b.status);
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .route(
            "/_sim/tokens/expire",
            post(|State(sim): State<Sim>| async move {
                sim.expire_tokens();
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/_sim/purged",
            post(|State(sim): State<Sim>, Json(b): Json<PurgeBody>| async move {
                sim.purge_member(&b.organization, &b.member, b.at_ms);
                StatusCode::NO_CONTENT
            }),
        )
        .merge(activity_routes())
        .merge(sync_routes())
        .merge(onboarding_routes())
}

fn onboarding_routes() -> Router<Sim> {
    Router::new()
        .route(
            "/_sim/partners",
            post(
                |State(sim): State<Sim>, Json(p): Json<Partner>| async move {
                    sim.register_partner(&p.client_id, &p.client_secret);
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .route(
            "/_sim/provisioned-apps",
            get(|State(sim): State<Sim>| async move { Json(sim.provisioned_apps()) }),
        )
        .route(
            "/_sim/apps/{client_id}/enable-integrations",
            post(
                |State(sim): State<Sim>, Path(client_id): Path<String>| async move {
                    Json(json!({ "enabled": sim.enable_integrations(&client_id) }))
                },
            ),
        )
        .route(
            "/_sim/integrations/status",
            put(
                |State(sim): State<Sim>, Json(b): Json<IntegrationStatusBody>| async move {
                    if sim.set_integration_status(
                        &b.integration_context,
                        &b.integration_type,
                        &b.status,
                    ) {
                        StatusCode::NO_CONTENT
                    } else {
                        StatusCode::NOT_FOUND
                    }
                },
            ),
        )
}

fn activity_routes() -> Router<Sim> {
    Router::new()
        .route(
            "/_sim/seats",
            post(
                |State(sim): State<Sim>, Json(b): Json<OneOrMany<Seat>>| async move {
                    for seat in b.into_vec() {
                        sim.add_seat(seat);
                    }
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .route(
            "/_sim/inmails",
            post(
                |State(sim): State<Sim>, Json(b): Json<OneOrMany<InMail>>| async move {
                    sim.add_inmails(b.into_vec());
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .route(
            "/_sim/notes",
            put(|State(sim): State<Sim>, Json(n): Json<Note>| async move {
                sim.upsert_note(n);
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/_sim/notes/{id}/edit",
            post(
                |State(sim): State<Sim>, Path(id): Path<i64>, Json(b): Json<EditBody>| async move {
                    note_outcome(sim.edit_note(id, &b.text, b.at_ms), id)
                },
            ),
        )
        .route(
            "/_sim/notes/{id}/delete",
            post(
                |State(sim): State<Sim>, Path(id): Path<i64>, Json(b): Json<DeleteBody>| async move {
                    note_outcome(sim.delete_note(id, b.at_ms), id)
                },
            ),
        )
        .route(
            "/_sim/stubs",
            post(
                |State(sim): State<Sim>, Json(b): Json<OneOrMany<Stub>>| async move {
                    for stub in b.into_vec() {
                        sim.add_stub(stub);
                    }
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .route(
            "/_sim/generate",
            post(
                |State(sim): State<Sim>, Json(b): Json<GenerateBody>| async move {
                    Json(sim.generate_activity(
                        &b.contract,
                        b.base_seat,
                        b.seats,
                        b.inmails_per_seat,
                        b.members,
                        b.from_ms,
                        b.to_ms,
                    ))
                },
            ),
        )
}

fn sync_routes() -> Router<Sim> {
    Router::new()
        .route(
            "/_sim/sync",
            get(
                |State(sim): State<Sim>, params: QueryParams<OrganizationParam>| async move {
                    Json(sim.synced(&params.organization))
                },
            )
            .delete(|State(sim): State<Sim>| async move {
                sim.clear_synced();
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/_sim/sync/rejections",
            post(
                |State(sim): State<Sim>, Json(b): Json<IdMessage>| async move {
                    sim.reject_sync_record(&b.id, &b.message);
                    StatusCode::NO_CONTENT
                },
            )
            .delete(|State(sim): State<Sim>| async move {
                sim.clear_sync_rejections();
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/_sim/sync/task-failures",
            post(
                |State(sim): State<Sim>, Json(b): Json<IdMessage>| async move {
                    sim.fail_job_task(&b.id, &b.message);
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .route(
            "/_sim/sync/task-processed",
            post(
                |State(sim): State<Sim>, Json(b): Json<ProcessedBody>| async move {
                    sim.process_job_task(&b.id, b.error_code.as_deref());
                    StatusCode::NO_CONTENT
                },
            ),
        )
}
