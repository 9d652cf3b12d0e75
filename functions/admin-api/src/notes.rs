//! What the ATS team writes about a person: notes on a candidate or on one of its applications,
//! and interview feedback on an application. Each is the ATS's record: a PUT creates or replaces
//! it, a DELETE removes it, and the outbound sync sends either to LinkedIn. Authors and
//! interviewers are ATS users (LinkedIn gets their names).

use serde::Deserialize;
use shared::domain::{Evaluation, InterviewFeedback, Note};
use shared::http::{self, Answer, Refusal};
use shared::ids;

use crate::AdminApi;
use crate::request::{date, long_text, objects, text};
use crate::views::{InterviewFeedbackView, NoteView};

/// The longest note or free-text feedback, in characters.
const MAX_NOTE_CHARS: usize = 10_000;
const MAX_EVALUATIONS: usize = 50;
/// The longest evaluation attribute or result, in characters.
const MAX_EVALUATION_CHARS: usize = 200;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct NoteInput {
    text: String,
    author_user_id: String,
    /// RFC 3339; now when absent. Used when the note is created; an update keeps the stored one.
    #[serde(default)]
    created_at: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FeedbackInput {
    #[serde(default, deserialize_with = "objects")]
    evaluations: Vec<EvaluationInput>,
    #[serde(default)]
    feedback: Option<String>,
    interviewer_user_id: String,
    /// As for notes.
    #[serde(default)]
    created_at: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvaluationInput {
    attribute: String,
    result: String,
}

/// A note's fields once checked; nothing has been read yet.
#[derive(Debug, PartialEq)]
struct NoteFields {
    text: String,
    author_user_id: String,
    created_at: Option<i64>,
}

impl NoteInput {
    fn check(self) -> Result<NoteFields, Refusal> {
        ids::check("authorUserId", &self.author_user_id)?;
        Ok(NoteFields {
            text: long_text("text", &self.text, MAX_NOTE_CHARS)?,
            author_user_id: self.author_user_id,
            created_at: self
                .created_at
                .as_deref()
                .map(|s| date("createdAt", s))
                .transpose()?,
        })
    }
}

/// An interview feedback's fields once checked.
#[derive(Debug, PartialEq)]
struct FeedbackFields {
    evaluations: Vec<Evaluation>,
    feedback: Option<String>,
    interviewer_user_id: String,
    created_at: Option<i64>,
}

impl FeedbackInput {
    fn check(self) -> Result<FeedbackFields, Refusal> {
        ids::check("interviewerUserId", &self.interviewer_user_id)?;
        if self.evaluations.len() > MAX_EVALUATIONS {
            return Err(Refusal::invalid(format!(
                "an interview feedback has at most {MAX_EVALUATIONS} evaluations"
            )));
        }
        let evaluations = self
            .evaluations
            .iter()
            .map(|e| {
                Ok(Evaluation {
                    attribute: text(
                        "evaluations[].attribute",
                        &e.attribute,
                        MAX_EVALUATION_CHARS,
                    )?,
                    result: text("evaluations[].result", &e.result, MAX_EVALUATION_CHARS)?,
                })
            })
            .collect::<Result<Vec<_>, Refusal>>()?;
        let feedback = match self.feedback.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(f) => Some(long_text("feedback", f, MAX_NOTE_CHARS)?),
        };
        if evaluations.is_empty() && feedback.is_none() {
            return Err(Refusal::invalid(
                "an interview feedback needs evaluations, a feedback text, or both",
            ));
        }
        Ok(FeedbackFields {
            evaluations,
            feedback,
            interviewer_user_id: self.interviewer_user_id,
            created_at: self
                .created_at
                .as_deref()
                .map(|s| date("createdAt", s))
                .transpose()?,
        })
    }
}

/// What a note hangs on, as its path names it.
pub(crate) enum NoteParent {
    Candidate(String),
    Application(String),
}

impl AdminApi {
    /// Creates (201) or replaces (200) a note. Its parent must exist (404) and its author be an
    /// ATS user (400).
    pub(crate) async fn put_note(
        &self,
        tenant_id: &str,
        parent: &NoteParent,
        note_id: &str,
        body: NoteInput,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let fields = body.check()?;
        let (candidate_id, application_id) = self.note_parent(tenant_id, parent).await?;
        self.ats_user("authorUserId", tenant_id, &fields.author_user_id)
            .await?;
        let now = self.clock.now_ms();
        let existing = self
            .store
            .get_note(tenant_id, &candidate_id, application_id.as_deref(), note_id)
            .await?;
        let note = Note {
            tenant_id: tenant_id.to_owned(),
            note_id: note_id.to_owned(),
            candidate_id,
            application_id,
            text: fields.text,
            author_user_id: fields.author_user_id,
            created_at: existing
                .as_ref()
                .map_or(fields.created_at.unwrap_or(now), |n| n.created_at),
            updated_at: now,
        };
        self.store.save_note(&note, now).await?;
        self.nudge(tenant_id).await;
        Ok(http::json(
            if existing.is_some() { 200 } else { 201 },
            &NoteView::from(&note),
        ))
    }

    pub(crate) async fn get_note(
        &self,
        tenant_id: &str,
        parent: &NoteParent,
        note_id: &str,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let note = self.stored_note(tenant_id, parent, note_id).await?;
        Ok(http::json(200, &NoteView::from(&note)))
    }

    /// Deletes a note here and, through the outbound sync, at LinkedIn.
    pub(crate) async fn delete_note(
        &self,
        tenant_id: &str,
        parent: &NoteParent,
        note_id: &str,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let note = self.stored_note(tenant_id, parent, note_id).await?;
        self.store.delete_note(&note, self.clock.now_ms()).await?;
        self.nudge(tenant_id).await;
        Ok(http::empty(204))
    }

    /// Creates (201) or replaces (200) an interview feedback on an application (404 when there
    /// is no such application); its interviewer must be an ATS user (400).
    pub(crate) async fn put_interview_feedback(
        &self,
        tenant_id: &str,
        application_id: &str,
        feedback_id: &str,
        body: FeedbackInput,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let fields = body.check()?;
        let app = self.existing_application(tenant_id, application_id).await?;
        self.ats_user("interviewerUserId", tenant_id, &fields.interviewer_user_id)
            .await?;
        let now = self.clock.now_ms();
        let existing = self
            .store
            .get_interview_feedback(tenant_id, &app.candidate_id, application_id, feedback_id)
            .await?;
        let feedback = InterviewFeedback {
            tenant_id: tenant_id.to_owned(),
            feedback_id: feedback_id.to_owned(),
            candidate_id: app.candidate_id,
            application_id: application_id.to_owned(),
            evaluations: fields.evaluations,
            feedback: fields.feedback,
            interviewer_user_id: fields.interviewer_user_id,
            created_at: existing
                .as_ref()
                .map_or(fields.created_at.unwrap_or(now), |f| f.created_at),
            updated_at: now,
        };
        self.store.save_interview_feedback(&feedback, now).await?;
        self.nudge(tenant_id).await;
        Ok(http::json(
            if existing.is_some() { 200 } else { 201 },
            &InterviewFeedbackView::from(&feedback),
        ))
    }

    pub(crate) async fn get_interview_feedback(
        &self,
        tenant_id: &str,
        application_id: &str,
        feedback_id: &str,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let feedback = self
            .stored_feedback(tenant_id, application_id, feedback_id)
            .await?;
        Ok(http::json(200, &InterviewFeedbackView::from(&feedback)))
    }

    /// Deletes an interview feedback here and, through the outbound sync, at LinkedIn.
    pub(crate) async fn delete_interview_feedback(
        &self,
        tenant_id: &str,
        application_id: &str,
        feedback_id: &str,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let feedback = self
            .stored_feedback(tenant_id, application_id, feedback_id)
            .await?;
        self.store
            .delete_interview_feedback(&feedback, self.clock.now_ms())
            .await?;
        self.nudge(tenant_id).await;
        Ok(http::empty(204))
    }

    /// The candidate and (for an application's note) the application a note hangs on; 404 when
    /// the path names none.
    async fn note_parent(
        &self,
        tenant_id: &str,
        parent: &NoteParent,
    ) -> Result<(String, Option<String>), Refusal> {
        match parent {
            NoteParent::Candidate(c) => {
                self.store
                    .get_candidate(tenant_id, c)
                    .await?
                    .ok_or_else(|| Refusal::not_found("no such candidate"))?;
                Ok((c.clone(), None))
            }
            NoteParent::Application(a) => {
                let app = self.existing_application(tenant_id, a).await?;
                Ok((app.candidate_id, Some(a.clone())))
            }
        }
    }

    async fn stored_note(
        &self,
        tenant_id: &str,
        parent: &NoteParent,
        note_id: &str,
    ) -> Result<Note, Refusal> {
        let (candidate_id, application_id) = self.note_parent(tenant_id, parent).await?;
        self.store
            .get_note(tenant_id, &candidate_id, application_id.as_deref(), note_id)
            .await?
            .ok_or_else(|| Refusal::not_found("no such note"))
    }

    async fn stored_feedback(
        &self,
        tenant_id: &str,
        application_id: &str,
        feedback_id: &str,
    ) -> Result<InterviewFeedback, Refusal> {
        let app = self.existing_application(tenant_id, application_id).await?;
        self.store
            .get_interview_feedback(tenant_id, &app.candidate_id, application_id, feedback_id)
            .await?
            .ok_or_else(|| Refusal::not_found("no such interview feedback"))
    }

    async fn existing_application(
        &self,
        tenant_id: &str,
        application_id: &str,
    ) -> Result<shared::domain::Application, Refusal> {
        self.store
            .get_application(tenant_id, application_id)
            .await?
            .ok_or_else(|| Refusal::not_found("no such application"))
    }

    /// 400 unless `user_id` (the body's `field`) names an ATS user of the tenant.
    pub(crate) async fn ats_user(
        &self,
        field: &str,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<(), Refusal> {
        if self.store.get_user(tenant_id, user_id).await?.is_none() {
            return Err(Refusal::invalid(format!(
                "{field} {user_id} names no ATS user of this tenant; PUT the user first"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn note(body: Value) -> Result<NoteFields, Refusal> {
        serde_json::from_value::<NoteInput>(body).unwrap().check()
    }

    fn feedback(body: Value) -> Result<FeedbackFields, Refusal> {
        serde_json::from_value::<FeedbackInput>(body)
            .unwrap()
            .check()
    }

    fn refusal<T: std::fmt::Debug>(r: Result<T, Refusal>) -> (u16, String) {
        let e = r.unwrap_err();
        (e.status, e.message)
    }

    #[test]
    fn a_note_is_trimmed_keeps_its_lines_and_takes_an_optional_creation_time() {
        let n =
            note(json!({"text": "  Strong Rust.\nCall back in May.\t ", "authorUserId": "u-1"}))
                .unwrap();
        assert_eq!(n.text, "Strong Rust.\nCall back in May.");
        assert_eq!(n.created_at, None);
        let n = note(json!({"text": "x", "authorUserId": "u-1",
                            "createdAt": "2026-01-10T14:00:00Z"}))
        .unwrap();
        assert_eq!(n.created_at, Some(1_768_053_600_000));
        assert_eq!(
            note(json!({"text": "ä".repeat(10_000), "authorUserId": "u-1"}))
                .unwrap()
                .text
                .chars()
                .count(),
            10_000
        );
    }

    #[test]
    fn bad_notes_are_refused_naming_the_field() {
        for (body, field) in [
            (json!({"text": " \n ", "authorUserId": "u-1"}), "text"),
            (
                json!({"text": "x".repeat(10_001), "authorUserId": "u-1"}),
                "text",
            ),
            (json!({"text": "a\u{7}b", "authorUserId": "u-1"}), "text"),
            (json!({"text": "x", "authorUserId": "u/1"}), "authorUserId"),
            (json!({"text": "x", "authorUserId": ""}), "authorUserId"),
            (
                json!({"text": "x", "authorUserId": "u-1", "createdAt": "soon"}),
                "createdAt",
            ),
            (
                json!({"text": "x", "authorUserId": "u-1", "createdAt": "9999-01-01T00:00:00Z"}),
                "createdAt",
            ),
        ] {
            let (status, message) = refusal(note(body.clone()));
            assert_eq!(status, 400, "{body}");
            assert!(message.starts_with(field), "{body}: {message}");
        }
        // Unknown and missing fields are refused when the body is read.
        assert!(serde_json::from_value::<NoteInput>(json!({"text": "x"})).is_err());
        assert!(
            serde_json::from_value::<NoteInput>(
                json!({"text": "x", "authorUserId": "u", "author": "u"})
            )
            .is_err()
        );
    }

    #[test]
    fn feedback_needs_evaluations_or_text_within_limits() {
        let f = feedback(json!({"interviewerUserId": "u-1",
            "evaluations": [{"attribute": " Rust ", "result": "4/5"}], "feedback": "  "}))
        .unwrap();
        assert_eq!(
            f.evaluations,
            [Evaluation {
                attribute: "Rust".into(),
                result: "4/5".into()
            }]
        );
        assert_eq!(f.feedback, None);
        let f =
            feedback(json!({"interviewerUserId": "u-1", "feedback": "Hire.\nClearly."})).unwrap();
        assert!(f.evaluations.is_empty());
        assert_eq!(f.feedback.as_deref(), Some("Hire.\nClearly."));

        let evaluation = json!({"attribute": "a", "result": "r"});
        for (body, says) in [
            (json!({"interviewerUserId": "u-1"}), "needs evaluations"),
            (
                json!({"interviewerUserId": "u-1", "evaluations": [], "feedback": " "}),
                "needs evaluations",
            ),
            (
                json!({"interviewerUserId": "u-1", "evaluations": vec![evaluation; 51]}),
                "at most 50 evaluations",
            ),
            (
                json!({"interviewerUserId": "u-1",
                       "evaluations": [{"attribute": "", "result": "r"}]}),
                "evaluations[].attribute",
            ),
            (
                json!({"interviewerUserId": "u-1",
                       "evaluations": [{"attribute": "a", "result": "r".repeat(201)}]}),
                "evaluations[].result",
            ),
            (
                json!({"interviewerUserId": "u-1", "feedback": "f".repeat(10_001)}),
                "feedback",
            ),
            (
                json!({"interviewerUserId": "a b", "feedback": "f"}),
                "interviewerUserId",
            ),
        ] {
            let (status, message) = refusal(feedback(body.clone()));
            assert_eq!(status, 400, "{body}");
            assert!(message.contains(says), "{body}: {message}");
        }
        // Evaluations are objects of exactly two fields.
        for evaluations in [
            json!([["a", "r"]]),
            json!([{"attribute": "a"}]),
            json!([{"attribute": "a", "result": "r", "score": 4}]),
        ] {
            assert!(
                serde_json::from_value::<FeedbackInput>(
                    json!({"interviewerUserId": "u", "evaluations": evaluations})
                )
                .is_err()
            );
        }
    }
}
