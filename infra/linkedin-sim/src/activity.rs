//! Recruiter activity (the contract-level `CSA_API` integration) and seats:
//!
//! - `GET /v2/conversationEvents?q=criteria&viewer=..&timeRange.start=..&timeRange.end=..` (InMails),
//! - `GET /v2/prospectNotes?q=criteria&contract=..&owners=..&cutoffDate=..&beforeDate=..` (notes),
//! - `GET /v2/mailStubs?q=contract&contract=..&owners=..&createdDateStart=..&createdDateEnd=..`
//!   (shared contact details),
//! - `GET /v2/seatsV2?q=attributes&contracts=..&states=..&start=..` (seats of a contract),
//!
//! plus the seeding methods on [`Sim`] and their `/_sim/...` control routes.
//!
//! Data is kept sorted by (time, id) so that a window query walks only its range and pages are
//! stable; only the elements of the requested page are turned into JSON.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, Method, StatusCode},
    response::{IntoResponse, Response},
    routing::{post, put},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{ApiErr, CODE_CONTRACT_INACTIVE, ContractState, Sim, SimState};

/// The longest activity window LinkedIn accepts per call: 12 hours, in ms.
pub const MAX_WINDOW_MS: i64 = 43_200_000;
/// The largest `count` the activity and seat finders accept.
pub const MAX_PAGE_COUNT: usize = 100;

// ---------------------------------------------------------------------------------------------
// Public data types
// ---------------------------------------------------------------------------------------------

/// A Recruiter seat, served by `/v2/seatsV2`. Its URN is `urn:li:seat:<id>`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Seat {
    /// `N` of `urn:li:seat:N` (a full URN is accepted and shortened).
    pub id: String,
    /// `urn:li:contract:N`
    pub contract: String,
    /// `urn:li:person:X`
    pub member: String,
    pub first_name: String,
    pub last_name: String,
    /// `ACTIVE`, `INACTIVE`, `INVITED` or `PARKED` (default `ACTIVE` in JSON).
    #[serde(default = "active_state")]
    pub state: String,
    #[serde(default)]
    pub email: Option<String>,
}

fn active_state() -> String {
    "ACTIVE".to_string()
}

/// An InMail as one seat (the viewer) sees it, served by `/v2/conversationEvents`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InMail {
    /// Unique per seat; adding the same id again replaces the InMail.
    pub id: String,
    /// `urn:li:seat:N`: the viewer.
    pub seat: String,
    /// `urn:li:person:X`: the other party.
    pub member: String,
    /// `SENT` (seat → member) or `RECEIVED` (member → seat).
    pub direction: String,
    pub subject: String,
    pub body: String,
    /// Epoch ms.
    pub created_at: i64,
    /// `urn:li:conversation:N` (a bare `N` is prefixed); when `None`, a stable one is derived from
    /// the seat and the member.
    #[serde(default)]
    pub conversation: Option<String>,
}

/// A prospect note, served by `/v2/prospectNotes` (filtered on `last_modified`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: i64,
    /// `urn:li:contract:N`
    pub contract: String,
    /// `urn:li:seat:N`
    pub owner: String,
    /// `urn:li:person:X`
    pub member: String,
    pub note: String,
    /// `false` once deleted (default `true` in JSON).
    #[serde(default = "yes")]
    pub active: bool,
    pub created: i64,
    pub last_modified: i64,
}

fn yes() -> bool {
    true
}

/// A phone number of a stub profile.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Phone {
    pub number: String,
    #[serde(default)]
    pub extension: Option<String>,
}

/// Contact details a member shared in reply to an InMail, served by `/v2/mailStubs`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Stub {
    /// Adding the same id again replaces the stub.
    pub id: String,
    /// `urn:li:contract:N`
    pub contract: String,
    /// `urn:li:seat:N`
    pub owner: String,
    /// `urn:li:person:X`
    pub member: String,
    pub first_name: String,
    pub last_name: String,
    /// A string, or (as before March 2024) an array of strings: served exactly as given.
    #[serde(default)]
    pub email_address: Value,
    #[serde(default)]
    pub phone_numbers: Vec<Phone>,
    #[serde(default)]
    pub headline: Option<String>,
    pub created: i64,
}

// ---------------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------------

/// The InMails of one seat.
#[derive(Default)]
struct Inbox {
    by_time: BTreeMap<(i64, String), InMail>,
    /// id -> createdAt, to find the entry an insert replaces.
    created_by_id: HashMap<String, i64>,
}

impl Inbox {
    /// Inserts or replaces (by id); true when the id is new.
    fn insert(&mut self, m: InMail) -> bool {
        let new = match self.created_by_id.insert(m.id.clone(), m.created_at) {
            Some(old) => {
                self.by_time.remove(&(old, m.id.clone()));
                false
            }
            None => true,
        };
        self.by_time.insert((m.created_at, m.id.clone()), m);
        new
    }

    /// InMails with `start <= createdAt < end`, in (createdAt, id) order.
    fn window(&self, start: i64, end: i64) -> impl Iterator<Item = &InMail> {
        self.by_time
            .range((
                Bound::Included((start, String::new())),
                Bound::Excluded((end, String::new())),
            ))
            .map(|(_, m)| m)
    }
}

type NoteKey = (String, String, i64, i64);
type StubKey = (String, String, i64, String);

fn note_key(n: &Note) -> NoteKey {
    (n.contract.clone(), n.owner.clone(), n.last_modified, n.id)
}

fn stub_key(s: &Stub) -> StubKey {
    (s.contract.clone(), s.owner.clone(), s.created, s.id.clone())
}

/// Activity state, part of the simulator's state.
#[derive(Default)]
pub(crate) struct Activity {
    /// seat URN -> seat
    seats: HashMap<String, Seat>,
    /// seat URN -> its InMails
    inboxes: HashMap<String, Inbox>,
    inmail_count: usize,
    notes: HashMap<i64, Note>,
    /// (contract, owner, lastModified, id) -> note (in `notes`)
    note_index: BTreeSet<NoteKey>,
    stubs: HashMap<String, Stub>,
    /// (contract, owner, created, id) -> stub (in `stubs`)
    stub_index: BTreeSet<StubKey>,
}

impl Activity {
    fn add_inmail(&mut self, m: InMail) {
        if self.inboxes.entry(m.seat.clone()).or_default().insert(m) {
            self.inmail_count += 1;
        }
    }

    fn put_note(&mut self, n: Note) {
        if let Some(old) = self.notes.remove(&n.id) {
            self.note_index.remove(&note_key(&old));
        }
        self.note_index.insert(note_key(&n));
        self.notes.insert(n.id, n);
    }

    fn put_stub(&mut self, s: Stub) {
        if let Some(old) = self.stubs.remove(&s.id) {
            self.stub_index.remove(&stub_key(&old));
        }
        self.stub_index.insert(stub_key(&s));
        self.stubs.insert(s.id.clone(), s);
    }

    fn add_seat(&mut self, mut seat: Seat) {
        if let Some(id) = seat.id.strip_prefix("urn:li:seat:") {
            seat.id = id.to_string();
        }
        self.seats.insert(seat_urn(&seat.id), seat);
    }
}

fn seat_urn(id: &str) -> String {
    format!("urn:li:seat:{id}")
}

/// FNV-1a, 53 bits (safe as a JSON number anywhere): stable across runs and platforms.
fn stable_number(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash & ((1 << 53) - 1)
}

// ---------------------------------------------------------------------------------------------
// Seeding (library API)
// ---------------------------------------------------------------------------------------------

impl Sim {
    /// Registers (or replaces, by seat URN) a seat under its contract; served by `/v2/seatsV2`,
    /// and its contract decides the 403 of `/v2/conversationEvents` for that viewer.
    pub fn add_seat(&self, seat: Seat) {
        self.state().activity.add_seat(seat);
    }

    /// Adds (or replaces, by seat and id) one InMail.
    pub fn add_inmail(&self, m: InMail) {
        self.state().activity.add_inmail(m);
    }

    /// Adds (or replaces) many InMails under one lock.
    pub fn add_inmails(&self, ms: Vec<InMail>) {
        let mut state = self.state();
        for m in ms {
            state.activity.add_inmail(m);
        }
    }

    /// How many InMails are stored (over all seats).
    pub fn inmail_count(&self) -> usize {
        self.state().activity.inmail_count
    }

    /// Inserts or replaces (by id) a note.
    pub fn upsert_note(&self, n: Note) {
        self.state().activity.put_note(n);
    }

    /// A stored note (deleted ones included).
    pub fn note(&self, id: i64) -> Option<Note> {
        self.state().activity.notes.get(&id).cloned()
    }

    /// Replaces a note's text and sets its `lastModified`; false if the id is unknown.
    pub fn edit_note(&self, id: i64, text: &str, at_ms: i64) -> bool {
        let mut state = self.state();
        let Some(mut n) = state.activity.notes.get(&id).cloned() else {
            return false;
        };
        n.note = text.to_string();
        n.last_modified = at_ms;
        state.activity.put_note(n);
        true
    }

    /// Deletes a note the way LinkedIn shows it: it stays with `active: false` and
    /// `lastModified = at_ms`. False if the id is unknown.
    pub fn delete_note(&self, id: i64, at_ms: i64) -> bool {
        let mut state = self.state();
        let Some(mut n) = state.activity.notes.get(&id).cloned() else {
            return false;
        };
        n.active = false;
        n.last_modified = at_ms;
        state.activity.put_note(n);
        true
    }

    /// Adds (or replaces, by id) a stub profile.
    pub fn add_stub(&self, s: Stub) {
        self.state().activity.put_stub(s);
    }

    /// Deterministic scenario for load tests: registers `seats` ACTIVE seats with ids
    /// `base_seat..base_seat + seats` under `contract` (members `urn:li:person:seat-<id>`), and
    /// gives each `inmails_per_seat` InMails spread evenly over `[from_ms, to_ms)`, with members
    /// drawn round-robin from `urn:li:person:gen-<k>` (`k < members`), alternating SENT/RECEIVED
    /// (SENT first). InMail ids are `gen-<seatId>-<fromMs>-<i>`: unique, and the same for the same
    /// inputs (calling again replaces rather than duplicates). Returns the seat URNs in id order.
    #[allow(clippy::too_many_arguments)]
    pub fn generate_activity(
        &self,
        contract: &str,
        base_seat: u64,
        seats: u64,
        inmails_per_seat: u64,
        members: u64,
        from_ms: i64,
        to_ms: i64,
    ) -> Vec<String> {
        let members = members.max(1);
        let span = i128::from(to_ms.saturating_sub(from_ms).max(0));
        let mut urns = Vec::new();
        let mut state = self.state();
        for s in 0..seats {
            let id = base_seat.saturating_add(s);
            let urn = seat_urn(&id.to_string());
            state.activity.add_seat(Seat {
                id: id.to_string(),
                contract: contract.to_string(),
                member: format!("urn:li:person:seat-{id}"),
                first_name: "Seat".to_string(),
                last_name: id.to_string(),
                state: active_state(),
                email: Some(format!("seat-{id}@recruiter.example")),
            });
            for i in 0..inmails_per_seat {
                let offset = span * i128::from(i) / i128::from(inmails_per_seat);
                let created_at = from_ms.saturating_add(i64::try_from(offset).unwrap_or(i64::MAX));
                let k = (u128::from(s) * u128::from(inmails_per_seat) + u128::from(i))
                    % u128::from(members);
                let sent = i % 2 == 0;
                state.activity.add_inmail(InMail {
                    id: format!("gen-{id}-{from_ms}-{i}"),
                    seat: urn.clone(),
                    member: format!("urn:li:person:gen-{k}"),
                    direction: if sent { "SENT" } else { "RECEIVED" }.to_string(),
                    subject: format!("Opportunity {i} from seat {id}"),
                    body: format!("Generated InMail {i} of seat {id}."),
                    created_at,
                    conversation: None,
                });
            }
            urns.push(urn);
        }
        urns
    }
}

// ---------------------------------------------------------------------------------------------
// Query parsing
// ---------------------------------------------------------------------------------------------

type Query = HashMap<String, String>;

pub(crate) fn bad(message: impl Into<String>) -> ApiErr {
    ApiErr::new(400, 0, message)
}

/// A required, non-empty parameter.
pub(crate) fn required<'a>(query: &'a Query, name: &str) -> Result<&'a str, ApiErr> {
    match query.get(name).map(|v| v.trim()) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(bad(format!("Missing query parameter {name}"))),
    }
}

/// A list parameter: `a,b`, or Rest.li's `List(a,b)`.
pub(crate) fn list(value: &str) -> Vec<String> {
    let inner = value
        .strip_prefix("List(")
        .and_then(|v| v.strip_suffix(')'))
        .unwrap_or(value);
    let mut seen = BTreeSet::new();
    inner
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty() && seen.insert(v.to_string()))
        .map(str::to_string)
        .collect()
}

fn required_list(query: &Query, name: &str) -> Result<Vec<String>, ApiErr> {
    let items = list(required(query, name)?);
    if items.is_empty() {
        return Err(bad(format!("Missing query parameter {name}")));
    }
    Ok(items)
}

fn required_ms(query: &Query, name: &str) -> Result<i64, ApiErr> {
    let raw = required(query, name)?;
    raw.parse().map_err(|_| {
        bad(format!(
            "Query parameter {name} must be epoch ms, got {raw:?}"
        ))
    })
}

/// `lower < upper` and `upper - lower <= 12 h`.
fn check_window(lower_name: &str, lower: i64, upper_name: &str, upper: i64) -> Result<(), ApiErr> {
    if upper <= lower {
        return Err(bad(format!("{upper_name} must be after {lower_name}")));
    }
    if i128::from(upper) - i128::from(lower) > i128::from(MAX_WINDOW_MS) {
        return Err(bad(format!(
            "The window {lower_name}..{upper_name} exceeds 12 hours ({MAX_WINDOW_MS} ms)"
        )));
    }
    Ok(())
}

/// `start` (default 0, or mandatory) and `count` (default 10, at most 100).
fn paging(query: &Query, start_required: bool) -> Result<(usize, usize), ApiErr> {
    let start = match query.get("start") {
        Some(s) => s
            .trim()
            .parse()
            .map_err(|_| bad(format!("Invalid start {s:?}")))?,
        None if start_required => return Err(bad("Missing query parameter start")),
        None => 0,
    };
    let count = match query.get("count") {
        Some(c) => c
            .trim()
            .parse()
            .map_err(|_| bad(format!("Invalid count {c:?}")))?,
        None => 10,
    };
    if count > MAX_PAGE_COUNT {
        return Err(bad(format!(
            "count {count} exceeds the maximum of {MAX_PAGE_COUNT}"
        )));
    }
    Ok((start, count))
}

fn contract_active(state: &SimState, contract: &str) -> Result<(), ApiErr> {
    match state.contract_state(contract) {
        Some(status @ (ContractState::Expired | ContractState::Disabled)) => Err(ApiErr::new(
            403,
            CODE_CONTRACT_INACTIVE,
            format!("Contract {contract} is {}", status.as_str()),
        )),
        _ => Ok(()),
    }
}

/// One page of several sorted sources, merged by `cmp`.
fn merged_page<'a, T>(
    mut sources: Vec<Box<dyn Iterator<Item = &'a T> + 'a>>,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
    start: usize,
    count: usize,
) -> Vec<&'a T> {
    if sources.len() == 1 {
        return sources.remove(0).skip(start).take(count).collect();
    }
    let mut all: Vec<&T> = sources.into_iter().flatten().collect();
    all.sort_by(|a, b| cmp(a, b));
    all.into_iter().skip(start).take(count).collect()
}

fn page_response(elements: Vec<Value>, start: usize, count: usize) -> Response {
    Json(json!({
        "elements": elements,
        "paging": { "start": start, "count": count },
    }))
    .into_response()
}

// ---------------------------------------------------------------------------------------------
// JSON shapes
// ---------------------------------------------------------------------------------------------

fn conversation_urn(m: &InMail) -> String {
    match &m.conversation {
        Some(c) if c.starts_with("urn:") => c.clone(),
        Some(c) => format!("urn:li:conversation:{c}"),
        None => format!(
            "urn:li:conversation:{}",
            stable_number(&format!("{}|{}", m.seat, m.member))
        ),
    }
}

fn inmail_json(m: &InMail) -> Value {
    let received = m.direction.eq_ignore_ascii_case("RECEIVED");
    let (author, recipient, direction) = if received {
        (&m.member, &m.seat, "RECEIVED")
    } else {
        (&m.seat, &m.member, "SENT")
    };
    json!({
        "id": m.id,
        "conversation": conversation_urn(m),
        "author": author,
        "recipient": recipient,
        "direction": direction,
        "subject": m.subject,
        "body": m.body,
        "createdAt": m.created_at,
    })
}

fn note_json(n: &Note) -> Value {
    json!({
        "id": n.id,
        "contract": n.contract,
        "owner": n.owner,
        "member": n.member,
        "note": n.note,
        "visibility": "PUBLIC",
        "active": n.active,
        "created": n.created,
        "lastModified": n.last_modified,
    })
}

fn stub_json(s: &Stub) -> Value {
    let phones: Vec<Value> = s
        .phone_numbers
        .iter()
        .map(|p| match &p.extension {
            Some(ext) => json!({ "number": p.number, "extension": ext }),
            None => json!({ "number": p.number }),
        })
        .collect();
    let mut v = json!({
        "id": s.id,
        "member": s.member,
        "owner": s.owner,
        "firstName": s.first_name,
        "lastName": s.last_name,
        "emailAddress": s.email_address,
        "phoneNumbers": phones,
        "created": s.created,
    });
    if let Some(h) = &s.headline {
        v["headline"] = json!(h);
    }
    v
}

fn seat_json(s: &Seat) -> Value {
    let mut v = json!({
        "id": s.id,
        "contract": s.contract,
        "member": s.member,
        "firstName": s.first_name,
        "lastName": s.last_name,
        "state": s.state,
        "seatRoles": ["RECRUITER"],
    });
    if let Some(e) = &s.email {
        v["email"] = json!(e);
    }
    v
}

/// Seats sort by numeric id (then text).
fn seat_order(s: &Seat) -> (u64, &str) {
    (s.id.parse().unwrap_or(u64::MAX), s.id.as_str())
}

// ---------------------------------------------------------------------------------------------
// Endpoints
// ---------------------------------------------------------------------------------------------

impl Sim {
    /// Checks the method, the token and the finder name `q`.
    fn finder(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &Query,
        q: &str,
    ) -> Result<(), ApiErr> {
        if method != Method::GET {
            return Err(ApiErr::new(405, 0, format!("Method {method} not allowed")));
        }
        self.authenticate(headers)?;
        match query.get("q").map(String::as_str) {
            Some(found) if found == q => Ok(()),
            Some(other) => Err(bad(format!("Unsupported finder q={other}"))),
            None => Err(bad("Missing query parameter q")),
        }
    }

    pub(crate) fn conversation_events(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &Query,
    ) -> Response {
        self.try_conversation_events(method, headers, query)
            .unwrap_or_else(IntoResponse::into_response)
    }

    fn try_conversation_events(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &Query,
    ) -> Result<Response, ApiErr> {
        self.finder(method, headers, query, "criteria")?;
        let viewer = required(query, "viewer")?;
        let start_ms = required_ms(query, "timeRange.start")?;
        let end_ms = required_ms(query, "timeRange.end")?;
        check_window("timeRange.start", start_ms, "timeRange.end", end_ms)?;
        let (start, count) = paging(query, false)?;
        let state = self.state();
        if let Some(seat) = state.activity.seats.get(viewer) {
            contract_active(&state, &seat.contract)?;
        }
        let elements = state
            .activity
            .inboxes
            .get(viewer)
            .map(|inbox| {
                inbox
                    .window(start_ms, end_ms)
                    .skip(start)
                    .take(count)
                    .map(inmail_json)
                    .collect()
            })
            .unwrap_or_default();
        drop(state);
        Ok(page_response(elements, start, count))
    }

    pub(crate) fn prospect_notes(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &Query,
    ) -> Response {
        self.try_prospect_notes(method, headers, query)
            .unwrap_or_else(IntoResponse::into_response)
    }

    fn try_prospect_notes(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &Query,
    ) -> Result<Response, ApiErr> {
        self.finder(method, headers, query, "criteria")?;
        let contract = required(query, "contract")?;
        let owners = required_list(query, "owners")?;
        let cutoff = required_ms(query, "cutoffDate")?;
        let before = required_ms(query, "beforeDate")?;
        check_window("cutoffDate", cutoff, "beforeDate", before)?;
        let (start, count) = paging(query, false)?;
        let state = self.state();
        contract_active(&state, contract)?;
        let activity = &state.activity;
        // cutoffDate exclusive, beforeDate inclusive, on lastModified.
        let sources = owners
            .iter()
            .map(|owner| {
                let lower = (contract.to_string(), owner.clone(), cutoff + 1, i64::MIN);
                let upper = (contract.to_string(), owner.clone(), before, i64::MAX);
                Box::new(
                    activity
                        .note_index
                        .range(lower..=upper)
                        .filter_map(|key| activity.notes.get(&key.3)),
                ) as Box<dyn Iterator<Item = &Note>>
            })
            .collect();
        let elements = merged_page(
            sources,
            |a, b| (a.last_modified, a.id).cmp(&(b.last_modified, b.id)),
            start,
            count,
        )
        .into_iter()
        .map(note_json)
        .collect();
        drop(state);
        Ok(page_response(elements, start, count))
    }

    pub(crate) fn mail_stubs(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &Query,
    ) -> Response {
        self.try_mail_stubs(method, headers, query)
            .unwrap_or_else(IntoResponse::into_response)
    }

    fn try_mail_stubs(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &Query,
    ) -> Result<Response, ApiErr> {
        self.finder(method, headers, query, "contract")?;
        let contract = required(query, "contract")?;
        let owners = required_list(query, "owners")?;
        let from = required_ms(query, "createdDateStart")?;
        let to = required_ms(query, "createdDateEnd")?;
        check_window("createdDateStart", from, "createdDateEnd", to)?;
        let (start, count) = paging(query, false)?;
        let state = self.state();
        contract_active(&state, contract)?;
        let activity = &state.activity;
        // Start inclusive, end exclusive, on created.
        let sources = owners
            .iter()
            .map(|owner| {
                let lower = (contract.to_string(), owner.clone(), from, String::new());
                let upper = (contract.to_string(), owner.clone(), to, String::new());
                Box::new(
                    activity
                        .stub_index
                        .range(lower..upper)
                        .filter_map(|key| activity.stubs.get(&key.3)),
                ) as Box<dyn Iterator<Item = &Stub>>
            })
            .collect();
        let elements = merged_page(
            sources,
            |a, b| (a.created, &a.id).cmp(&(b.created, &b.id)),
            start,
            count,
        )
        .into_iter()
        .map(stub_json)
        .collect();
        drop(state);
        Ok(page_response(elements, start, count))
    }

    pub(crate) fn seats_v2(&self, method: &Method, headers: &HeaderMap, query: &Query) -> Response {
        self.try_seats_v2(method, headers, query)
            .unwrap_or_else(IntoResponse::into_response)
    }

    fn try_seats_v2(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &Query,
    ) -> Result<Response, ApiErr> {
        self.finder(method, headers, query, "attributes")?;
        let contracts = required_list(query, "contracts")?;
        let states: Option<Vec<String>> = query
            .get("states")
            .map(|s| list(s))
            .filter(|s| !s.is_empty());
        let (start, count) = paging(query, true)?;
        let state = self.state();
        for contract in &contracts {
            contract_active(&state, contract)?;
        }
        let mut seats: Vec<&Seat> = state
            .activity
            .seats
            .values()
            .filter(|s| contracts.contains(&s.contract))
            .filter(|s| {
                states
                    .as_ref()
                    .is_none_or(|wanted| wanted.iter().any(|w| w.eq_ignore_ascii_case(&s.state)))
            })
            .collect();
        seats.sort_by(|a, b| seat_order(a).cmp(&seat_order(b)));
        let elements = seats
            .into_iter()
            .skip(start)
            .take(count)
            .map(seat_json)
            .collect();
        drop(state);
        Ok(page_response(elements, start, count))
    }
}

// ---------------------------------------------------------------------------------------------
// Control routes
// ---------------------------------------------------------------------------------------------

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

/// `/_sim` routes seeding activity (all JSON, camelCase):
/// `POST /_sim/seats` (a seat or an array), `POST /_sim/inmails` (an array or one),
/// `PUT /_sim/notes` (a note), `POST /_sim/notes/{id}/edit` `{"text","atMs"}`,
/// `POST /_sim/notes/{id}/delete` `{"atMs"}` (404 for an unknown note),
/// `POST /_sim/stubs` (a stub or an array), `POST /_sim/generate` (→ the seat URNs).
pub(crate) fn routes() -> Router<Sim> {
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
