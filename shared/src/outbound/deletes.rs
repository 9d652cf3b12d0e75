//! Sending deletes: each outbox entry of a delete slot is a tombstone (`store::removals`).
//! A tombstone whose record exists again in the ATS is void (LinkedIn keeps the record, which
//! its own outbox entry updates), unless a clean-up forced it. LinkedIn's answer 404 counts as
//! deleted. Children go before their parents: the slots are in that order, and an
//! application's stages are deleted just before it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::annotations::TeamPlan;
use super::run::{OutboundSync, Outcome, Settled, from_outcome};
use super::{OutboxSlot, Pending, RecordKind};
use crate::domain::Tombstone;
use crate::error::Result;
use crate::linkedin::{MAX_BATCH, NoteOwner, RecordOutcome};

impl OutboundSync<'_> {
    pub(super) async fn send_deletes(
        &self,
        slot: OutboxSlot,
        pending: Vec<Pending>,
    ) -> Result<Vec<Outcome>> {
        let t = &self.tenant.tenant_id;
        let tombs: HashMap<String, Tombstone> = self
            .store
            .tombstones_to_send(t, slot, pending.iter().map(|p| p.record_id.clone()))
            .await?
            .into_iter()
            .map(|tomb| (tomb.record_id.clone(), tomb))
            .collect();
        let revived = self.revived(tombs.values()).await?;
        let mut out: HashMap<String, Settled> = HashMap::new();
        let mut live: Vec<&Tombstone> = Vec::new();
        for p in &pending {
            match tombs.get(&p.record_id) {
                None => {
                    out.insert(p.record_id.clone(), Settled::Gone);
                }
                Some(tomb) if revived.contains(&tomb.record_id) => {
                    out.insert(p.record_id.clone(), Settled::Gone);
                }
                Some(tomb) => live.push(tomb),
            }
        }
        match slot.kind {
            RecordKind::Candidate => {
                let ids: Vec<String> = live.iter().map(|t| t.item_id.clone()).collect();
                for chunk in ids.chunks(MAX_BATCH) {
                    let answers = self
                        .linkedin
                        .delete_candidates(self.creds, self.org(), chunk)
                        .await?;
                    settle(chunk, answers, &mut out);
                }
            }
            RecordKind::Application => {
                // Stages first (one request per application), then the applications.
                let mut ready = Vec::new();
                for tomb in &live {
                    let app = tomb.item_id.clone();
                    if tomb.stage_ids.is_empty() {
                        ready.push(app);
                        continue;
                    }
                    let mut stages_gone = Settled::Sent(0);
                    for chunk in tomb.stage_ids.chunks(MAX_BATCH) {
                        let answers = self
                            .linkedin
                            .delete_stages(self.creds, self.org(), &app, chunk)
                            .await?;
                        if let Some(s) = answers
                            .into_values()
                            .map(|o| from_outcome(o, 0))
                            .find(|s| !matches!(s, Settled::Sent(_)))
                        {
                            stages_gone = s;
                        }
                    }
                    match stages_gone {
                        Settled::Sent(_) => ready.push(app),
                        other => {
                            out.insert(tomb.record_id.clone(), other);
                        }
                    }
                }
                for chunk in ready.chunks(MAX_BATCH) {
                    let answers = self
                        .linkedin
                        .delete_applications(self.creds, self.org(), chunk)
                        .await?;
                    settle(chunk, answers, &mut out);
                }
            }
            RecordKind::Stage | RecordKind::InterviewFeedback => {
                // By application: LinkedIn's path names one.
                let mut by_app: BTreeMap<String, Vec<&Tombstone>> = BTreeMap::new();
                for tomb in live {
                    if let Some(a) = &tomb.application_id {
                        by_app.entry(a.clone()).or_default().push(tomb);
                    }
                }
                for (app, tombs) in by_app {
                    for chunk in tombs.chunks(MAX_BATCH) {
                        let ids: Vec<String> = chunk.iter().map(|t| t.item_id.clone()).collect();
                        let answers = if slot.kind == RecordKind::Stage {
                            self.linkedin
                                .delete_stages(self.creds, self.org(), &app, &ids)
                                .await?
                        } else {
                            self.linkedin
                                .delete_interview_feedback(self.creds, self.org(), &app, &ids)
                                .await?
                        };
                        settle_items(chunk, answers, &mut out);
                    }
                }
            }
            RecordKind::CandidateNote | RecordKind::ApplicationNote => {
                let mut by_owner: BTreeMap<String, Vec<&Tombstone>> = BTreeMap::new();
                for tomb in live {
                    let owner = match slot.kind {
                        RecordKind::CandidateNote => tomb.candidate_id.clone(),
                        _ => tomb.application_id.clone(),
                    };
                    if let Some(owner) = owner {
                        by_owner.entry(owner).or_default().push(tomb);
                    }
                }
                for (owner, tombs) in by_owner {
                    for chunk in tombs.chunks(MAX_BATCH) {
                        let ids: Vec<String> = chunk.iter().map(|t| t.item_id.clone()).collect();
                        let on = if slot.kind == RecordKind::CandidateNote {
                            NoteOwner::Candidate(&owner)
                        } else {
                            NoteOwner::Application(&owner)
                        };
                        let answers = self
                            .linkedin
                            .delete_notes(self.creds, self.org(), on, &ids)
                            .await?;
                        settle_items(chunk, answers, &mut out);
                    }
                }
            }
            RecordKind::HiringTeam => {
                // A clean-up's: every assignee LinkedIn holds, then the ACL.
                let teams = self
                    .store
                    .hiring_teams_to_send(t, live.iter().map(|tomb| tomb.item_id.as_str()))
                    .await?;
                let plans = teams
                    .into_iter()
                    .map(|team| TeamPlan {
                        team,
                        wanted: BTreeSet::new(),
                        drop_acl: true,
                    })
                    .collect();
                let mut removed = self.send_teams(plans).await?;
                for tomb in live {
                    let settled = removed.remove(&tomb.item_id).unwrap_or(Settled::Gone);
                    out.insert(tomb.record_id.clone(), settled);
                }
            }
            RecordKind::Job => {
                // A clean-up closes jobs (LinkedIn has no job delete).
                let as_pending: Vec<Pending> = live
                    .iter()
                    .map(|tomb| Pending {
                        kind: RecordKind::Job,
                        deleted: false,
                        record_id: tomb.item_id.clone(),
                        candidate_id: None,
                        rev: String::new(),
                        stages: false,
                    })
                    .collect();
                let closed = self.send_jobs(&as_pending, true).await?;
                for (job, settled) in closed {
                    out.insert(job, settled);
                }
            }
            RecordKind::Stages => {}
        }
        Ok(pending
            .into_iter()
            .map(|p| {
                let settled = out.remove(&p.record_id).unwrap_or(Settled::NotDone);
                (p, vec![(slot, settled)])
            })
            .collect())
    }

    /// The record ids of tombstones whose record exists again in the ATS (forced ones never).
    async fn revived<'a>(
        &self,
        tombs: impl Iterator<Item = &'a Tombstone>,
    ) -> Result<HashSet<String>> {
        let tombs: Vec<&Tombstone> = tombs.collect();
        self.store.revived(&self.tenant.tenant_id, &tombs).await
    }

    fn org(&self) -> &str {
        &self.tenant.organization
    }
}

/// Answers keyed by record id (candidates, applications: their tombstones' record ids).
fn settle(
    ids: &[String],
    answers: HashMap<String, RecordOutcome>,
    out: &mut HashMap<String, Settled>,
) {
    let mut answers = answers;
    for id in ids {
        let o = answers
            .remove(id)
            .unwrap_or_else(|| RecordOutcome::NotDone("not answered".into()));
        out.insert(id.clone(), from_outcome(o, 1));
    }
}

/// Answers keyed by item id (note, feedback, stage), settling their tombstones.
fn settle_items(
    tombs: &[&Tombstone],
    answers: HashMap<String, RecordOutcome>,
    out: &mut HashMap<String, Settled>,
) {
    let mut answers = answers;
    for tomb in tombs {
        let o = answers
            .remove(&tomb.item_id)
            .unwrap_or_else(|| RecordOutcome::NotDone("not answered".into()));
        out.insert(tomb.record_id.clone(), from_outcome(o, 1));
    }
}
