//! Recruiter activity (the contract-level `CSA_API` integration) and seats (linkedin-rsc.md
//! "Recruiter activity", "Contracts and seats"):
//!
//! - `GET /v2/conversationEvents?q=criteria&viewer=..&timeRange.start=..&timeRange.end=..`
//!   (InMails, [`conversation_events`]),
//! - `GET /v2/prospectNotes?q=criteria&contract=..&owners=..&cutoffDate=..&beforeDate=..`
//!   (notes, [`prospect_notes`]),
//! - `GET /v2/mailStubs?q=contract&contract=..&owners=..&createdDateStart=..&createdDateEnd=..`
//!   (shared contact details, [`mail_stubs`]),
//! - `GET /v2/seatsV2?q=attributes&contracts=..&states=..&start=..` (seats, [`seats`]),
//!
//! plus the seeding methods on [`Sim`] (their `/_sim` routes are in `control.rs`). Lists go
//! Rest.li 1.0 style: `owners=a&owners=b`.
//!
//! Data is kept sorted by (time, id) so that a window query walks only its range and pages are
//! stable; only the elements of the requested page are turned into JSON.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Sim;

pub(crate) mod conversation_events;
pub(crate) mod finders;
pub(crate) mod mail_stubs;
pub(crate) mod prospect_notes;
pub(crate) mod seats;

pub use finders::{MAX_PAGE_COUNT, MAX_WINDOW_MS};

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

pub(crate) fn active_state() -> String {
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
    /// `SENT` (seat → member) or `RECEIVED` (member → seat): decides the served `author` (the
    /// seat, or the member) and `recipient`; not served itself.
    pub direction: String,
    pub subject: String,
    pub body: String,
    /// Epoch ms.
    pub created_at: i64,
    /// `urn:li:conversation:N` (a bare `N` is prefixed); when `None`, a stable one is derived from
    /// the seat and the member.
    #[serde(default)]
    pub conversation: Option<String>,
    /// Serve only what LinkedIn documents of an event (author, time, content): no `recipient`.
    #[serde(default)]
    pub documented_only: bool,
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
    pub(crate) seats: HashMap<String, Seat>,
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

    /// A seeded seat by URN (a bare id is taken as `urn:li:seat:<id>`).
    pub(crate) fn seat(&self, urn: &str) -> Option<&Seat> {
        match urn.strip_prefix("urn:li:seat:") {
            Some(_) => self.seats.get(urn),
            None => self.seats.get(&seat_urn(urn)),
        }
    }

    fn add_seat(&mut self, mut seat: Seat) {
        if let Some(id) = seat.id.strip_prefix("urn:li:seat:") {
            seat.id = id.to_string();
        }
        self.seats.insert(seat_urn(&seat.id), seat);
    }
}

pub(crate) fn seat_urn(id: &str) -> String {
    format!("urn:li:seat:{id}")
}

/// FNV-1a, 53 bits (safe as a JSON number anywhere): stable across runs and platforms.
pub(crate) fn stable_number(text: &str) -> u64 {
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
                    documented_only: false,
                });
            }
            urns.push(urn);
        }
        urns
    }
}
