//! Sending what the ATS team wrote and who works on a job: notes (on a candidate or an
//! application), interview feedback, and hiring teams (one entity ACL per job, one assignee
//! per member). LinkedIn's paths name one owner, so notes and feedback go in one request per
//! candidate or application (at most 100 records each).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::run::{OutboundSync, Settled, from_outcome, isolate_updates};
use super::{Pending, records};
use crate::domain::{HiringTeam, InterviewFeedback, Note};
use crate::error::Result;
use crate::linkedin::{MAX_BATCH, NoteOwner, RecordOutcome, wire};

impl OutboundSync<'_> {
    pub(super) async fn send_notes(&self, pending: &[Pending]) -> Result<HashMap<String, Settled>> {
        let t = &self.tenant.tenant_id;
        let notes: HashMap<String, Note> = self
            .store
            .notes_to_send(t, pending)
            .await?
            .into_iter()
            .map(|n| (n.outbox_entry().1, n))
            .collect();
        let authors = self
            .store
            .users_by_id(t, notes.values().map(|n| n.author_user_id.as_str()))
            .await?;
        let mut out = HashMap::new();
        // Owner (candidate or application id, and which) -> the notes to send.
        let mut by_owner: BTreeMap<(bool, String), Vec<(String, wire::AtsNote)>> = BTreeMap::new();
        for p in pending {
            let Some(note) = notes.get(&p.record_id) else {
                out.insert(p.record_id.clone(), Settled::Gone);
                continue;
            };
            match records::note(note, authors.get(&note.author_user_id)) {
                Ok(w) => {
                    let owner = match &note.application_id {
                        None => (false, note.candidate_id.clone()),
                        Some(a) => (true, a.clone()),
                    };
                    by_owner
                        .entry(owner)
                        .or_default()
                        .push((p.record_id.clone(), w));
                }
                Err(problem) => {
                    out.insert(p.record_id.clone(), Settled::Invalid(problem));
                }
            }
        }
        let org = &self.tenant.organization;
        for ((on_application, owner_id), ready) in by_owner {
            let by_note_id: Vec<(String, wire::AtsNote, String)> = ready
                .into_iter()
                .map(|(record, w)| (note_id_of(&record), w, record))
                .collect();
            for chunk in by_note_id.chunks(MAX_BATCH) {
                let batch: Vec<(String, wire::AtsNote)> = chunk
                    .iter()
                    .map(|(id, w, _)| (id.clone(), w.clone()))
                    .collect();
                let owner_id = owner_id.as_str();
                let answers = isolate_updates(batch, |b| async move {
                    let owner = if on_application {
                        NoteOwner::Application(owner_id)
                    } else {
                        NoteOwner::Candidate(owner_id)
                    };
                    self.linkedin.update_notes(self.creds, org, owner, &b).await
                })
                .await?;
                settle_by_item(chunk.iter().map(|(id, _, r)| (id, r)), answers, &mut out);
            }
        }
        Ok(out)
    }

    pub(super) async fn send_interview_feedback(
        &self,
        pending: &[Pending],
    ) -> Result<HashMap<String, Settled>> {
        let t = &self.tenant.tenant_id;
        let feedback: HashMap<String, InterviewFeedback> = self
            .store
            .interview_feedback_to_send(t, pending)
            .await?
            .into_iter()
            .map(|f| (f.outbox_record_id(), f))
            .collect();
        let interviewers = self
            .store
            .users_by_id(t, feedback.values().map(|f| f.interviewer_user_id.as_str()))
            .await?;
        let mut out = HashMap::new();
        let mut by_application: BTreeMap<
            String,
            Vec<(String, wire::AtsInterviewFeedback, String)>,
        > = BTreeMap::new();
        for p in pending {
            let Some(f) = feedback.get(&p.record_id) else {
                out.insert(p.record_id.clone(), Settled::Gone);
                continue;
            };
            match records::interview_feedback(f, interviewers.get(&f.interviewer_user_id)) {
                Ok(w) => by_application
                    .entry(f.application_id.clone())
                    .or_default()
                    .push((f.feedback_id.clone(), w, p.record_id.clone())),
                Err(problem) => {
                    out.insert(p.record_id.clone(), Settled::Invalid(problem));
                }
            }
        }
        let org = &self.tenant.organization;
        for (application_id, ready) in by_application {
            for chunk in ready.chunks(MAX_BATCH) {
                let batch: Vec<(String, wire::AtsInterviewFeedback)> = chunk
                    .iter()
                    .map(|(id, w, _)| (id.clone(), w.clone()))
                    .collect();
                let application_id = application_id.as_str();
                let answers = isolate_updates(batch, |b| async move {
                    self.linkedin
                        .update_interview_feedback(self.creds, org, application_id, &b)
                        .await
                })
                .await?;
                settle_by_item(chunk.iter().map(|(id, _, r)| (id, r)), answers, &mut out);
            }
        }
        Ok(out)
    }

    /// Each team: the ACL on its job, assignees added for members who joined and removed for
    /// members who left (what LinkedIn holds is kept on the team); a team left empty loses its
    /// ACL. A user without a linked seat with a member is not sent (the admin API says so).
    pub(super) async fn send_hiring_teams(
        &self,
        pending: &[Pending],
    ) -> Result<HashMap<String, Settled>> {
        let t = &self.tenant.tenant_id;
        let teams: HashMap<String, HiringTeam> = self
            .store
            .hiring_teams_to_send(t, pending.iter().map(|p| p.record_id.as_str()))
            .await?
            .into_iter()
            .map(|h| (h.job_id.clone(), h))
            .collect();
        let members = self.members_of_users().await?;
        let mut out = HashMap::new();
        let mut plans = Vec::new();
        for p in pending {
            let Some(team) = teams.get(&p.record_id) else {
                out.insert(p.record_id.clone(), Settled::Gone);
                continue;
            };
            let wanted: BTreeSet<String> = team
                .user_ids
                .iter()
                .filter_map(|u| members.get(u).cloned())
                .collect();
            let drop_acl = wanted.is_empty() && !team.sent_members.is_empty();
            plans.push(TeamPlan {
                team: team.clone(),
                wanted,
                drop_acl,
            });
        }
        out.extend(self.send_teams(plans).await?);
        Ok(out)
    }

    /// Puts each job's ACL and assignees at LinkedIn as planned, from what LinkedIn holds now,
    /// in as few requests as LinkedIn's batches allow (one per kind of change and 100 records),
    /// and records what LinkedIn holds after. Settled by job id.
    pub(super) async fn send_teams(
        &self,
        plans: Vec<TeamPlan>,
    ) -> Result<HashMap<String, Settled>> {
        let org = &self.tenant.organization;
        // Each job's outcomes, and the members LinkedIn holds as the requests go.
        let mut outcomes: HashMap<String, Vec<RecordOutcome>> = HashMap::new();
        let mut held: HashMap<String, BTreeSet<String>> = plans
            .iter()
            .map(|p| {
                (
                    p.team.job_id.clone(),
                    p.team.sent_members.iter().cloned().collect(),
                )
            })
            .collect();
        let acl = |job: &str| wire::EntityAcl {
            acl_id: HiringTeam::acl_id(job),
            job_id: job.to_owned(),
        };
        let assignee = |job: &str, member: &str| wire::AclAssignee {
            acl_id: HiringTeam::acl_id(job),
            assignee: member.to_owned(),
        };
        // Label of an assignee in a batch: `<job> <member>` (job ids hold no space).
        let split = |label: &str| {
            let (job, member) = label.split_once(' ').unwrap_or((label, ""));
            (job.to_owned(), member.to_owned())
        };

        // 1. The ACLs of teams with members.
        let upserts: Vec<(String, wire::EntityAcl)> = plans
            .iter()
            .filter(|p| !p.wanted.is_empty())
            .map(|p| (p.team.job_id.clone(), acl(&p.team.job_id)))
            .collect();
        for chunk in upserts.chunks(MAX_BATCH) {
            for (job, o) in self
                .linkedin
                .upsert_entity_acls(self.creds, org, chunk)
                .await?
            {
                outcomes.entry(job).or_default().push(o);
            }
        }
        let acl_ok = |job: &str, outcomes: &HashMap<String, Vec<RecordOutcome>>| {
            outcomes
                .get(job)
                .is_none_or(|os| os.iter().all(|o| *o == RecordOutcome::Accepted))
        };
        // 2. Members who joined (on an ACL LinkedIn took), then 3. members who left.
        let added: Vec<(String, wire::AclAssignee)> = plans
            .iter()
            .filter(|p| acl_ok(&p.team.job_id, &outcomes))
            .flat_map(|p| {
                let job = &p.team.job_id;
                p.wanted
                    .difference(&held[job])
                    .map(|m| (format!("{job} {m}"), assignee(job, m)))
                    .collect::<Vec<_>>()
            })
            .collect();
        let removed: Vec<(String, wire::AclAssignee)> = plans
            .iter()
            .flat_map(|p| {
                let job = &p.team.job_id;
                held[job]
                    .difference(&p.wanted)
                    .map(|m| (format!("{job} {m}"), assignee(job, m)))
                    .collect::<Vec<_>>()
            })
            .collect();
        for chunk in added.chunks(MAX_BATCH) {
            for (label, o) in self
                .linkedin
                .upsert_acl_assignees(self.creds, org, chunk)
                .await?
            {
                let (job, member) = split(&label);
                if o == RecordOutcome::Accepted {
                    held.entry(job.clone()).or_default().insert(member);
                }
                outcomes.entry(job).or_default().push(o);
            }
        }
        for chunk in removed.chunks(MAX_BATCH) {
            for (label, o) in self
                .linkedin
                .delete_acl_assignees(self.creds, org, chunk)
                .await?
            {
                let (job, member) = split(&label);
                if o == RecordOutcome::Accepted {
                    held.entry(job.clone()).or_default().remove(&member);
                }
                outcomes.entry(job).or_default().push(o);
            }
        }
        // 4. The ACLs of emptied teams, once no member is left on them.
        let dropped: Vec<(String, wire::EntityAcl)> = plans
            .iter()
            .filter(|p| p.drop_acl && held[&p.team.job_id].is_empty())
            .map(|p| (p.team.job_id.clone(), acl(&p.team.job_id)))
            .collect();
        for chunk in dropped.chunks(MAX_BATCH) {
            for (job, o) in self
                .linkedin
                .delete_entity_acls(self.creds, org, chunk)
                .await?
            {
                outcomes.entry(job).or_default().push(o);
            }
        }
        let mut settled = HashMap::with_capacity(plans.len());
        for p in plans {
            let job = &p.team.job_id;
            let now_held: Vec<String> = held.remove(job).unwrap_or_default().into_iter().collect();
            if now_held != p.team.sent_members {
                self.store
                    .record_team_sent(&self.tenant.tenant_id, job, &now_held)
                    .await?;
            }
            let s = outcomes
                .remove(job)
                .unwrap_or_default()
                .into_iter()
                .map(|o| from_outcome(o, 0))
                .find(|s| !matches!(s, Settled::Sent(_)))
                .unwrap_or(Settled::Sent(1));
            settled.insert(job.clone(), s);
        }
        Ok(settled)
    }

    /// Each ATS user's member, from the seat linked to the user.
    pub(super) async fn members_of_users(&self) -> Result<HashMap<String, String>> {
        Ok(self
            .store
            .all_seats(&self.tenant.tenant_id)
            .await?
            .into_iter()
            .filter_map(|s| Some((s.user_id?, s.member?)))
            .collect())
    }
}

/// What to do with one job's hiring team at LinkedIn.
pub(super) struct TeamPlan {
    pub team: HiringTeam,
    /// The members LinkedIn should hold as the ACL's assignees.
    pub wanted: BTreeSet<String>,
    /// Delete the ACL once no assignee is left on it.
    pub drop_acl: bool,
}

/// The note id of an outbox record id (`<owner>#<note>`).
fn note_id_of(record_id: &str) -> String {
    record_id
        .split_once('#')
        .map_or(record_id, |(_, id)| id)
        .to_owned()
}

/// Answers keyed by item id (note or feedback id) settle the outbox records they belong to.
fn settle_by_item<'a>(
    items: impl Iterator<Item = (&'a String, &'a String)>,
    answers: Vec<(String, RecordOutcome)>,
    out: &mut HashMap<String, Settled>,
) {
    let mut answers: HashMap<String, RecordOutcome> = answers.into_iter().collect();
    for (item_id, record_id) in items {
        let outcome = answers
            .remove(item_id)
            .unwrap_or_else(|| RecordOutcome::NotDone("not answered".into()));
        out.insert(record_id.clone(), from_outcome(outcome, 1));
    }
}
