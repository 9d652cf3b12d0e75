//! Recruiter activity import: walks a linked seat's three streams (InMails, notes, contact
//! stubs) from their cursors up to a point in time, in windows of at most 12 hours, reading every
//! page of each window, and stores what it finds on the member's candidate.
//!
//! A window's records are written before its cursor moves, and the cursor moves with a
//! conditional update on its old value: a crash re-reads at most one window, whose records are
//! keyed by LinkedIn's ids and so are written identically again; two runs can never both move
//! past the same window.

use std::collections::HashMap;
use std::time::Instant;

use crate::domain::{
    Activity, ActivityDetail, ActivityStream, Application, Candidate, ContactShare, CursorMove,
    CursorSet, Phone, Seat, UnprocessedActivity,
};
use crate::error::{Error, Result};
use crate::linkedin::{ActivityPage, LinkedIn, Paging, Undecoded, wire};
use crate::secrets::LinkedInCredentials;
use crate::store::{ActivityWrites, DeletedNote, Store};

pub use crate::domain::MAX_WINDOW_MS;

/// Records newer than this are left for the next poll, so that late-indexed records at LinkedIn
/// are not skipped by a cursor that already moved past them.
pub const SETTLE_DELAY_MS: i64 = 2 * 60 * 1000;

/// What one seat poll did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeatReport {
    pub inmails: usize,
    pub notes: usize,
    pub deleted_notes: usize,
    pub contact_shares: usize,
    /// Records about members who are not candidates yet.
    pub pending: usize,
    /// Records that could not be decoded or attributed, kept as they came (see
    /// [`UnprocessedActivity`]) instead of imported.
    pub unprocessed: usize,
    pub windows: usize,
    pub linkedin_calls: usize,
    pub write_calls: usize,
    /// False when the time budget ran out before every stream reached the target time.
    pub complete: bool,
}

/// A long run stores its cursors at least this often, so a crash re-reads little.
pub const CURSOR_SAVE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);

/// The outcome of one seat run: what it did, the cursor moves still to store, and the error that
/// stopped it, if any (the moves are valid either way).
#[derive(Debug)]
pub struct SeatRun {
    pub report: SeatReport,
    pub moves: Vec<CursorMove>,
    pub error: Option<Error>,
}

/// Where a member's records go: the application chosen for this contract, or pending.
#[derive(Clone, Debug)]
struct Placement {
    candidate_id: String,
    application_id: Option<String>,
}

/// The most recent application made under `contract_id`, else the most recent one.
pub fn choose_application<'a>(
    applications: &'a [Application],
    contract_id: &str,
) -> Option<&'a Application> {
    let latest = |apps: &mut dyn Iterator<Item = &'a Application>| {
        apps.max_by(|a, b| {
            (a.created_at, &a.application_id).cmp(&(b.created_at, &b.application_id))
        })
    };
    latest(
        &mut applications
            .iter()
            .filter(|a| a.contract_id.as_deref() == Some(contract_id)),
    )
    .or_else(|| latest(&mut applications.iter()))
}

pub struct ActivityImport<'a> {
    pub store: &'a Store,
    pub linkedin: &'a LinkedIn,
    pub creds: &'a LinkedInCredentials,
    /// Work stops (between windows) once this instant passes.
    pub deadline: Instant,
    /// ... or once this many windows were read (a bounded step of a back-fill).
    pub max_windows: usize,
    /// Whose read positions this run uses.
    pub set: CursorSet,
}

/// One window of one stream, every page of it, as LinkedIn answered: the records that decoded
/// (each with its JSON as it came) and those that did not.
#[derive(Default)]
struct Fetched {
    inmails: Vec<(wire::InMailElement, serde_json::Value)>,
    notes: Vec<(wire::NoteElement, serde_json::Value)>,
    stubs: Vec<(wire::StubElement, serde_json::Value)>,
    undecoded: Vec<(ActivityStream, Undecoded)>,
}

impl Fetched {
    fn add<T>(
        all: &mut Vec<(T, serde_json::Value)>,
        undecoded: &mut Vec<(ActivityStream, Undecoded)>,
        stream: ActivityStream,
        page: ActivityPage<T>,
    ) {
        all.extend(page.elements.into_iter().zip(page.raw));
        undecoded.extend(page.malformed.into_iter().map(|u| (stream, u)));
    }

    /// Records kept earlier, decoded again with today's decoder.
    fn from_kept(kept: &[UnprocessedActivity]) -> Self {
        let mut f = Fetched::default();
        for k in kept {
            let raw: serde_json::Value = match serde_json::from_str(&k.raw) {
                Ok(v) => v,
                Err(e) => {
                    f.undecoded.push((
                        k.stream,
                        Undecoded {
                            raw: serde_json::Value::String(k.raw.clone()),
                            reason: e.to_string(),
                        },
                    ));
                    continue;
                }
            };
            let page = wire::Elements {
                elements: vec![raw],
                paging: None,
            };
            match k.stream {
                ActivityStream::InMails => Self::add(
                    &mut f.inmails,
                    &mut f.undecoded,
                    k.stream,
                    ActivityPage::decode(page),
                ),
                ActivityStream::Notes => Self::add(
                    &mut f.notes,
                    &mut f.undecoded,
                    k.stream,
                    ActivityPage::decode(page),
                ),
                ActivityStream::Stubs => Self::add(
                    &mut f.stubs,
                    &mut f.undecoded,
                    k.stream,
                    ActivityPage::decode(page),
                ),
            }
        }
        f
    }
}

impl ActivityImport<'_> {
    /// Imports the seat's activity up to `until` (exclusive), from the cursors as stored
    /// (streams without a cursor start at the link time).
    ///
    /// Cursor moves are returned, not written, so that the caller can store them together with
    /// the lease release in one request ([`Store::finish_poll`]); a run that lasts longer than
    /// [`CURSOR_SAVE_INTERVAL`] also stores them on the way. A cursor only ever covers records
    /// already written, so losing the moves (a crash) means re-reading, never losing.
    pub async fn run(&self, seat: &Seat, until: i64) -> SeatRun {
        let mut run = SeatRun {
            report: SeatReport {
                complete: true,
                ..SeatReport::default()
            },
            moves: Vec::new(),
            error: None,
        };
        let mut placements: HashMap<String, Placement> = HashMap::new();
        let mut last_save = Instant::now();
        for stream in ActivityStream::ALL {
            let start = match self.set {
                CursorSet::Live => stream.cursor(&seat.cursors).or(seat.linked_at),
                CursorSet::Backfill => stream
                    .cursor(&seat.backfill_cursors.as_cursors())
                    .or(seat.backfill.as_ref().map(|b| b.from)),
            };
            let Some(stored) = start else {
                continue;
            };
            let mut reached = stored;
            while reached < until {
                if Instant::now() >= self.deadline || run.report.windows >= self.max_windows {
                    run.report.complete = false;
                    break;
                }
                let end = (reached + MAX_WINDOW_MS).min(until);
                if let Err(e) = self
                    .import_window(
                        seat,
                        stream,
                        (reached, end),
                        &mut placements,
                        &mut run.report,
                    )
                    .await
                {
                    run.error = Some(e);
                    break;
                }
                run.report.windows += 1;
                reached = end;
                if last_save.elapsed() >= CURSOR_SAVE_INTERVAL {
                    self.save_moves(seat, &mut run.moves).await;
                    last_save = Instant::now();
                }
            }
            if reached > stored {
                run.moves.push(CursorMove {
                    stream,
                    field: stream.field(self.set),
                    stored,
                    reached,
                });
            }
            if run.error.is_some() || !run.report.complete {
                break;
            }
        }
        run
    }

    /// Reads one window (every page) and writes its records.
    async fn import_window(
        &self,
        seat: &Seat,
        stream: ActivityStream,
        window: (i64, i64),
        placements: &mut HashMap<String, Placement>,
        report: &mut SeatReport,
    ) -> Result<()> {
        let fetched = self.fetch_window(seat, stream, window, report).await?;
        let writes = to_writes(self.store, seat, fetched, placements, report, window.1).await?;
        if !writes.is_empty() {
            report.write_calls += self.store.write_activity(&writes).await?;
        }
        Ok(())
    }

    /// Stores the cursor moves so far, each on its own; a move another run overtook is dropped.
    async fn save_moves(&self, seat: &Seat, moves: &mut Vec<CursorMove>) {
        let key = (
            seat.tenant_id.as_str(),
            seat.contract_id.as_str(),
            seat.seat_id.as_str(),
        );
        for m in moves.drain(..) {
            match self
                .store
                .advance_cursor(key, m.field, m.stored, m.reached)
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(stream = m.stream.name(), "cursor moved by another run")
                }
                Err(e) => {
                    tracing::warn!(stream = m.stream.name(), error = %e, "cursor not saved; the window will be read again")
                }
            }
        }
    }

    /// Every page of one window of one stream.
    async fn fetch_window(
        &self,
        seat: &Seat,
        stream: ActivityStream,
        window: (i64, i64),
        report: &mut SeatReport,
    ) -> Result<Fetched> {
        let (seat_urn, contract_urn) =
            (seat.urn(), format!("urn:li:contract:{}", seat.contract_id));
        let mut f = Fetched::default();
        let size = match stream {
            ActivityStream::InMails => Paging::INMAILS,
            ActivityStream::Notes => Paging::NOTES,
            ActivityStream::Stubs => Paging::STUBS,
        };
        let mut page = Some(Paging::first(size));
        while let Some(p) = page {
            report.linkedin_calls += 1;
            let (li, creds) = (self.linkedin, self.creds);
            page = match stream {
                ActivityStream::InMails => {
                    let got = li.inmails(creds, &seat_urn, window, p).await?;
                    let next = p.next(&got);
                    Fetched::add(&mut f.inmails, &mut f.undecoded, stream, got);
                    next
                }
                ActivityStream::Notes => {
                    let got = li.notes(creds, &contract_urn, &seat_urn, window, p).await?;
                    let next = p.next(&got);
                    Fetched::add(&mut f.notes, &mut f.undecoded, stream, got);
                    next
                }
                ActivityStream::Stubs => {
                    let got = li.stubs(creds, &contract_urn, &seat_urn, window, p).await?;
                    let next = p.next(&got);
                    Fetched::add(&mut f.stubs, &mut f.undecoded, stream, got);
                    next
                }
            };
        }
        Ok(f)
    }
}

/// Turns a window's records into writes, placing each on its member's application; what cannot
/// be decoded or attributed is kept as it came, dated `now` (a poll passes its window's end).
async fn to_writes(
    store: &Store,
    seat: &Seat,
    fetched: Fetched,
    placements: &mut HashMap<String, Placement>,
    report: &mut SeatReport,
    now: i64,
) -> Result<ActivityWrites> {
    let seat_urn = seat.urn();
    let mut writes = ActivityWrites::default();
    let mut keep = |stream: ActivityStream, raw: serde_json::Value, reason: String| {
        report.unprocessed += 1;
        tracing::warn!(
            stream = stream.name(),
            reason = %crate::ids::truncate(&reason, 200),
            "activity record kept unprocessed"
        );
        UnprocessedActivity {
            tenant_id: seat.tenant_id.clone(),
            contract_id: seat.contract_id.clone(),
            seat_id: seat.seat_id.clone(),
            stream,
            record_id: UnprocessedActivity::record_id_of(&raw),
            raw: raw.to_string(),
            reason,
            seen_at: now,
        }
    };
    for (stream, u) in fetched.undecoded {
        writes.unprocessed.push(keep(stream, u.raw, u.reason));
    }

    // InMails: attributed from their author; a sent message without a recipient takes the member
    // of its conversation when another message of it names them.
    let mut conversations: HashMap<String, String> = HashMap::new();
    let mut attributed = Vec::with_capacity(fetched.inmails.len());
    let mut waiting = Vec::new();
    for (e, raw) in fetched.inmails {
        let id = e.id.to_string_lossy();
        if let Err(err) = crate::ids::check_external("InMail id", &id) {
            writes
                .unprocessed
                .push(keep(ActivityStream::InMails, raw, err.to_string()));
            continue;
        }
        let viewer = wire::Viewer {
            seat: &seat_urn,
            holder: seat.member.as_deref(),
            conversations: &conversations,
        };
        match e.attribute(&viewer) {
            wire::Attribution::Member(member, direction) => {
                if let Some(c) = &e.conversation {
                    conversations.insert(c.clone(), member.clone());
                }
                attributed.push((id, member, direction, e));
            }
            wire::Attribution::Unattributed(_) => waiting.push((id, e, raw)),
        }
    }
    for (id, e, raw) in waiting {
        let viewer = wire::Viewer {
            seat: &seat_urn,
            holder: seat.member.as_deref(),
            conversations: &conversations,
        };
        match e.attribute(&viewer) {
            wire::Attribution::Member(member, direction) => {
                attributed.push((id, member, direction, e))
            }
            wire::Attribution::Unattributed(why) => {
                writes
                    .unprocessed
                    .push(keep(ActivityStream::InMails, raw, why))
            }
        }
    }
    let members: Vec<&str> = attributed.iter().map(|(_, m, _, _)| m.as_str()).collect();
    place_all(store, seat, &members, placements).await?;
    for (id, member, direction, e) in attributed {
        let place = placements[&member].clone();
        report.inmails += 1;
        report.pending += usize::from(place.application_id.is_none());
        writes.activity.push(Activity {
            tenant_id: seat.tenant_id.clone(),
            activity_id: id,
            candidate_id: place.candidate_id,
            member,
            contract_id: seat.contract_id.clone(),
            seat: seat_urn.clone(),
            application_id: place.application_id,
            at: e.created_at,
            detail: ActivityDetail::InMail {
                direction,
                conversation: e.conversation,
                subject: e.subject.unwrap_or_default(),
                body: e.body.unwrap_or_default(),
            },
        });
    }

    let mut notes = Vec::with_capacity(fetched.notes.len());
    for (e, raw) in fetched.notes {
        let id = e.id.to_string_lossy();
        match crate::ids::check_external("note id", &id)
            .and_then(|()| crate::ids::check_member_urn(&e.member))
        {
            Ok(()) => notes.push((id, e)),
            Err(err) => writes
                .unprocessed
                .push(keep(ActivityStream::Notes, raw, err.to_string())),
        }
    }
    let members: Vec<&str> = notes.iter().map(|(_, e)| e.member.as_str()).collect();
    place_all(store, seat, &members, placements).await?;
    for (id, e) in notes {
        let place = placements[&e.member].clone();
        if !e.active {
            report.deleted_notes += 1;
            writes.deleted_notes.push(DeletedNote {
                tenant_id: seat.tenant_id.clone(),
                candidate_id: place.candidate_id,
                created_at: e.created,
                note_id: id,
            });
            continue;
        }
        report.notes += 1;
        report.pending += usize::from(place.application_id.is_none());
        writes.activity.push(Activity {
            tenant_id: seat.tenant_id.clone(),
            activity_id: id,
            candidate_id: place.candidate_id,
            member: e.member,
            contract_id: seat.contract_id.clone(),
            seat: e.owner.unwrap_or_else(|| seat_urn.clone()),
            application_id: place.application_id,
            at: e.created,
            detail: ActivityDetail::Note {
                text: e.note.unwrap_or_default(),
                last_modified: e.last_modified,
            },
        });
    }

    for (e, raw) in fetched.stubs {
        let id = e.id.to_string_lossy();
        if let Err(err) = crate::ids::check_external("stub id", &id)
            .and_then(|()| crate::ids::check_member_urn(&e.member))
        {
            writes
                .unprocessed
                .push(keep(ActivityStream::Stubs, raw, err.to_string()));
            continue;
        }
        report.contact_shares += 1;
        writes.contacts.push(ContactShare {
            tenant_id: seat.tenant_id.clone(),
            share_id: id,
            candidate_id: Candidate::id_for_member(&e.member),
            member: e.member,
            contract_id: seat.contract_id.clone(),
            seat: seat_urn.clone(),
            emails: e
                .email_address
                .map(wire::OneOrMany::into_vec)
                .unwrap_or_default(),
            phones: e
                .phone_numbers
                .into_iter()
                .map(|p| Phone {
                    number: p.number,
                    extension: p.extension,
                })
                .collect(),
            shared_at: e.created,
        });
    }
    Ok(writes)
}

/// Finds where the records of members not seen yet in this run go: one BatchGetItem of
/// candidate items per hundred members (each item summarises its applications).
async fn place_all(
    store: &Store,
    seat: &Seat,
    members: &[&str],
    cache: &mut HashMap<String, Placement>,
) -> Result<()> {
    let mut new: Vec<&str> = members
        .iter()
        .copied()
        .filter(|m| !cache.contains_key(*m))
        .collect();
    new.sort_unstable();
    new.dedup();
    if new.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = new.iter().map(|m| Candidate::id_for_member(m)).collect();
    let found = store.application_summaries(&seat.tenant_id, &ids).await?;
    for (member, candidate_id) in new.into_iter().zip(ids) {
        let application_id = found
            .get(&candidate_id)
            .and_then(|apps| choose_application(apps, &seat.contract_id))
            .map(|a| a.application_id.clone());
        cache.insert(
            member.to_owned(),
            Placement {
                candidate_id,
                application_id,
            },
        );
    }
    Ok(())
}

/// What a re-process of kept records did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reprocessed {
    /// Kept records imported now.
    pub imported: usize,
    /// Kept records that still cannot be imported (their reason is brought up to date).
    pub still_unprocessed: usize,
}

/// Imports the activity records kept for a tenant, with today's decoder and what is known now
/// (a seat's holder learnt since, the member of a conversation). No LinkedIn call is made.
pub async fn reprocess(store: &Store, tenant_id: &str, now: i64) -> Result<Reprocessed> {
    let kept = store.unprocessed_activity(tenant_id).await?;
    let mut by_seat: std::collections::BTreeMap<(String, String), Vec<UnprocessedActivity>> =
        std::collections::BTreeMap::new();
    for k in kept {
        by_seat
            .entry((k.contract_id.clone(), k.seat_id.clone()))
            .or_default()
            .push(k);
    }
    let mut out = Reprocessed::default();
    for ((contract_id, seat_id), kept) in by_seat {
        let seat = store
            .get_seat(tenant_id, &contract_id, &seat_id)
            .await?
            .unwrap_or_else(|| Seat::unlisted(tenant_id, &contract_id, &seat_id));
        let mut report = SeatReport::default();
        let mut writes = to_writes(
            store,
            &seat,
            Fetched::from_kept(&kept),
            &mut HashMap::new(),
            &mut report,
            now,
        )
        .await?;
        let still: std::collections::HashSet<(ActivityStream, String)> = writes
            .unprocessed
            .iter()
            .map(|u| (u.stream, u.record_id.clone()))
            .collect();
        for k in kept {
            if !still.contains(&(k.stream, k.record_id.clone())) {
                writes.reprocessed.push(k);
                out.imported += 1;
            }
        }
        out.still_unprocessed += writes.unprocessed.len();
        store.write_activity(&writes).await?;
    }
    Ok(out)
}

/// Attaches activity stored while the member was not a candidate to the application just
/// created for them. Returns how many records were attached.
pub async fn attach_pending(
    store: &Store,
    tenant_id: &str,
    candidate_id: &str,
    application_id: &str,
) -> Result<usize> {
    let mut pending = store.pending_activity(tenant_id, candidate_id).await?;
    if pending.is_empty() {
        return Ok(0);
    }
    for a in &mut pending {
        a.application_id = Some(application_id.to_owned());
    }
    let n = pending.len();
    store
        .write_activity(&ActivityWrites {
            activity: pending,
            ..ActivityWrites::default()
        })
        .await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Source;

    fn app(id: &str, contract: &str, at: i64) -> Application {
        Application {
            tenant_id: "t".into(),
            application_id: id.into(),
            candidate_id: "c".into(),
            job_id: "j".into(),
            source: Source::LinkedIn,
            contract_id: Some(contract.into()),
            exported_by: None,
            source_name: None,
            disposition_reason: None,
            stages: Vec::new(),
            created_at: at,
            updated_at: None,
        }
    }

    #[test]
    fn activity_goes_to_the_latest_application_of_the_same_contract() {
        let apps = [app("a", "1", 10), app("b", "2", 30), app("c", "1", 20)];
        assert_eq!(choose_application(&apps, "1").unwrap().application_id, "c");
        assert_eq!(choose_application(&apps, "9").unwrap().application_id, "b");
        assert!(choose_application(&[], "1").is_none());
    }
}
