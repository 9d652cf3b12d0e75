//! Turning ATS records into LinkedIn's, and checking LinkedIn's rules first: a record that
//! breaks one is never sent with made-up values; the problem is reported instead.

use crate::domain::{
    Application, AtsUser, Candidate, InterviewFeedback, Job, JobAvailability, JobState, Note,
    Stage, Tenant,
};
use crate::linkedin::wire;

/// Why a record cannot be sent, in words an ATS administrator can act on.
pub type Problem = String;

/// Most characters LinkedIn takes in a job title.
pub const MAX_TITLE_CHARS: usize = 200;

/// A job's state at LinkedIn once closed.
pub const CLOSED: &str = "CLOSED";

/// Most characters of a note or of interview feedback we send (LinkedIn documents no limit;
/// the admin API takes no more).
pub const MAX_NOTE_CHARS: usize = 10_000;

/// The stage text LinkedIn refuses.
const UNAVAILABLE_STAGE: &str = "Not Available";

pub fn job(job: &Job, tenant: &Tenant) -> Result<wire::JobPosting, Problem> {
    let mut missing = Vec::new();
    if job.title.trim().is_empty() {
        missing.push("title");
    }
    if job.description.trim().is_empty() {
        missing.push("description");
    }
    let location = non_empty(&job.location);
    let (country, postal) = (
        job.country_code.as_deref().and_then(non_empty),
        job.postal_code.as_deref().and_then(non_empty),
    );
    if location.is_none() && (country.is_none() || postal.is_none()) {
        missing.push("location (or countryCode and postalCode)");
    }
    let apply_url = job.company_apply_url.as_deref().and_then(non_empty);
    if apply_url.is_none() {
        missing.push("companyApplyUrl");
    }
    if !missing.is_empty() {
        return Err(required(&missing));
    }
    if job.title.chars().count() > MAX_TITLE_CHARS {
        return Err(format!(
            "title is longer than LinkedIn's {MAX_TITLE_CHARS} characters"
        ));
    }
    let apply_url = apply_url.unwrap_or_default();
    if !(apply_url.starts_with("https://") || apply_url.starts_with("http://")) {
        return Err("companyApplyUrl must be an http(s) URL".into());
    }
    Ok(wire::JobPosting {
        integration_context: tenant.organization.clone(),
        external_job_posting_id: job.job_id.clone(),
        title: job.title.trim().to_owned(),
        description: job.description.clone(),
        location: location.map(str::to_owned),
        country_code: country.map(str::to_owned),
        postal_code: postal.map(str::to_owned),
        state: match job.state {
            JobState::Open => "LISTED",
            JobState::Closed => CLOSED,
        },
        listed_at: job.listed_at.unwrap_or(job.created_at),
        company_apply_url: apply_url.to_owned(),
        availability: match job.availability.unwrap_or(tenant.job_availability) {
            JobAvailability::Public => wire::AVAILABILITY_PUBLIC,
            JobAvailability::PrivateToAtsIntegration => wire::AVAILABILITY_PRIVATE,
        },
    })
}

/// Where a candidate's page in the ATS is: a URL template with `{candidateId}` in it, from the
/// deployment's settings (LinkedIn requires `externalProfileUrl`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileUrl(String);

impl ProfileUrl {
    pub const PLACEHOLDER: &'static str = "{candidateId}";

    /// Refuses a template that is not an http(s) URL or does not name the candidate.
    pub fn new(template: &str) -> Result<Self, String> {
        let t = template.trim();
        if !(t.starts_with("https://") || t.starts_with("http://")) {
            return Err(format!("expected an http(s) URL, got {t:?}"));
        }
        if !t.contains(Self::PLACEHOLDER) {
            return Err(format!(
                "must contain {} where the candidate's id goes, got {t:?}",
                Self::PLACEHOLDER
            ));
        }
        Ok(Self(t.to_owned()))
    }

    pub fn of(&self, candidate_id: &str) -> String {
        self.0.replace(
            Self::PLACEHOLDER,
            &crate::linkedin::restli::escape(candidate_id),
        )
    }
}

pub fn candidate(c: &Candidate, profile_url: &ProfileUrl) -> Result<wire::AtsCandidate, Problem> {
    if c.first_name.trim().is_empty() {
        return Err(required(&["firstName"]));
    }
    if let Some(bad) = c.emails.iter().find(|e| !looks_like_email(e)) {
        return Err(format!(
            "email {:?} is not an address LinkedIn accepts (X@X.X)",
            crate::ids::truncate(bad, 60)
        ));
    }
    Ok(wire::AtsCandidate {
        ats_created_at: c.created_at,
        ats_last_modified_at: c.updated_at.max(c.created_at),
        first_name: c.first_name.trim().to_owned(),
        last_name: non_empty(&c.last_name).map(str::to_owned),
        email_addresses: c.emails.clone(),
        phone_numbers: c
            .phones
            .iter()
            .map(|p| wire::PhoneNumber {
                number: p.number.clone(),
                extension: p
                    .extension
                    .as_deref()
                    .and_then(non_empty)
                    .map(str::to_owned),
            })
            .collect(),
        addresses: Vec::new(),
        current_company_name: c.current_company.clone(),
        current_job_title: c.title.clone(),
        external_profile_url: profile_url.of(&c.candidate_id),
        do_not_contact: c.do_not_contact,
    })
}

/// The complete application record. LinkedIn nulls what an update leaves out, so the candidate's
/// and the job's fields are filled in from their current records every time.
pub fn application(
    app: &Application,
    candidate: Option<&Candidate>,
    job: Option<&Job>,
) -> Result<wire::AtsApplication, Problem> {
    let Some(candidate) = candidate else {
        return Err(format!(
            "its candidate {} is not in the ATS, so the record would be incomplete",
            app.candidate_id
        ));
    };
    let email = candidate.emails.first().cloned();
    if let Some(bad) = email.as_deref().filter(|e| !looks_like_email(e)) {
        return Err(format!(
            "candidate email {:?} is not an address LinkedIn accepts (X@X.X)",
            crate::ids::truncate(bad, 60)
        ));
    }
    let source = app.source_name.clone().or_else(|| match app.source {
        crate::domain::Source::LinkedIn => Some("LinkedIn".to_owned()),
        crate::domain::Source::Ats => None,
    });
    Ok(wire::AtsApplication {
        ats_candidate_id: app.candidate_id.clone(),
        ats_created_at: app.created_at,
        ats_last_modified_at: app.updated_at.unwrap_or(app.created_at).max(app.created_at),
        ats_job_posting_id: app.job_id.clone(),
        ats_job_posting_name: job.map(|j| j.title.clone()),
        candidate_email: email,
        first_name: non_empty(&candidate.first_name).map(str::to_owned),
        last_name: non_empty(&candidate.last_name).map(str::to_owned),
        source,
        disposition_reason: app
            .disposition_reason
            .as_deref()
            .and_then(non_empty)
            .map(str::to_owned),
    })
}

pub fn stage(s: &Stage) -> Result<wire::AtsStage, Problem> {
    let text = s.stage.trim();
    if text.is_empty() {
        return Err(required(&["stage"]));
    }
    if text.eq_ignore_ascii_case(UNAVAILABLE_STAGE) {
        return Err(format!(
            "stage {UNAVAILABLE_STAGE:?} is refused by LinkedIn; name the actual stage"
        ));
    }
    if s.at <= 0 {
        return Err("the stage's time must be after 1970".into());
    }
    Ok(wire::AtsStage {
        ats_created_at: s.at,
        stage: text.to_owned(),
    })
}

/// An ATS user as LinkedIn names an author or interviewer.
fn person(user: Option<&AtsUser>, user_id: &str, role: &str) -> Result<wire::Person, Problem> {
    let Some(user) = user else {
        return Err(format!("its {role} {user_id} is not an ATS user any more"));
    };
    let Some(first) = non_empty(&user.first_name) else {
        return Err(format!(
            "its {role} {user_id} has no first name, which LinkedIn requires"
        ));
    };
    Ok(wire::Person {
        first_name: first.to_owned(),
        last_name: non_empty(&user.last_name).map(str::to_owned),
    })
}

pub fn note(n: &Note, author: Option<&AtsUser>) -> Result<wire::AtsNote, Problem> {
    let text = n.text.trim();
    if text.is_empty() {
        return Err(required(&["note"]));
    }
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(format!(
            "the note is longer than {MAX_NOTE_CHARS} characters"
        ));
    }
    Ok(wire::AtsNote {
        ats_created_at: n.created_at,
        note: text.to_owned(),
        author: person(author, &n.author_user_id, "author")?,
    })
}

pub fn interview_feedback(
    f: &InterviewFeedback,
    interviewer: Option<&AtsUser>,
) -> Result<wire::AtsInterviewFeedback, Problem> {
    let feedback = f.feedback.as_deref().and_then(non_empty).map(str::to_owned);
    if f.evaluations.is_empty() && feedback.is_none() {
        return Err(required(&["evaluations or feedback"]));
    }
    if let Some(bad) = f
        .evaluations
        .iter()
        .find(|e| e.attribute.trim().is_empty() || e.result.trim().is_empty())
    {
        return Err(format!(
            "evaluation {:?} needs both an attribute and a result",
            crate::ids::truncate(&bad.attribute, 60)
        ));
    }
    Ok(wire::AtsInterviewFeedback {
        ats_created_at: f.created_at,
        evaluations: f
            .evaluations
            .iter()
            .map(|e| wire::Evaluation {
                attribute: e.attribute.trim().to_owned(),
                result: e.result.trim().to_owned(),
            })
            .collect(),
        feedback,
        interviewer: person(interviewer, &f.interviewer_user_id, "interviewer")?,
    })
}

/// `X@X.X`: something, an at sign, something with a dot inside, no spaces.
pub fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let dot = domain
        .find('.')
        .is_some_and(|i| i > 0 && i < domain.len() - 1);
    !local.is_empty() && dot && !domain.contains('@') && !s.chars().any(char::is_whitespace)
}

fn non_empty(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

fn required(fields: &[&str]) -> Problem {
    format!(
        "LinkedIn requires {}, and the ATS record has none",
        fields.join(" and ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shape() {
        for ok in ["a@b.co", "first.last@sub.example.org"] {
            assert!(looks_like_email(ok), "{ok}");
        }
        for bad in ["", "a@b", "@b.co", "a@.co", "a@b.", "a b@c.de", "a@b@c.de"] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }

    fn tenant() -> Tenant {
        serde_json::from_value(serde_json::json!({
            "tenantId": "t", "name": "Acme", "organization": "urn:li:organization:7",
            "clientId": "c", "createdAt": 0, "updatedAt": 0
        }))
        .unwrap()
    }

    fn open_job() -> Job {
        serde_json::from_value(serde_json::json!({
            "tenantId": "t", "jobId": "j-1", "title": "Engineer", "description": "Builds",
            "location": "Dublin", "state": "OPEN", "companyApplyUrl": "https://acme.example/j-1",
            "createdAt": 5, "updatedAt": 5
        }))
        .unwrap()
    }

    #[test]
    fn jobs_are_private_to_the_integration_unless_said_otherwise() {
        let mut t = tenant();
        assert_eq!(t.job_availability, JobAvailability::PrivateToAtsIntegration);
        let mut j = open_job();
        assert_eq!(
            job(&j, &t).unwrap().availability,
            "PRIVATE_TO_ATS_INTEGRATION"
        );
        t.job_availability = JobAvailability::Public;
        assert_eq!(job(&j, &t).unwrap().availability, "PUBLIC");
        j.availability = Some(JobAvailability::PrivateToAtsIntegration);
        assert_eq!(
            job(&j, &t).unwrap().availability,
            "PRIVATE_TO_ATS_INTEGRATION"
        );
    }

    #[test]
    fn a_job_without_an_apply_url_is_not_sent() {
        let mut j = open_job();
        j.company_apply_url = None;
        let problem = job(&j, &tenant()).unwrap_err();
        assert!(problem.contains("companyApplyUrl"), "{problem}");
        j.company_apply_url = Some("javascript:alert(1)".into());
        assert!(job(&j, &tenant()).unwrap_err().contains("http(s)"));
    }

    #[test]
    fn candidates_carry_their_ats_page_and_untyped_phones() {
        let c: Candidate = serde_json::from_value(serde_json::json!({
            "tenantId": "t", "candidateId": "c 1/x", "firstName": "Ada", "lastName": "",
            "phones": [{"number": "+353 1", "extension": "12", "type": "WORK"}],
            "source": "Ats", "createdAt": 1, "updatedAt": 2
        }))
        .unwrap();
        let url = ProfileUrl::new("https://ats.example/c/{candidateId}").unwrap();
        let sent = serde_json::to_value(candidate(&c, &url).unwrap()).unwrap();
        assert_eq!(
            sent["externalProfileUrl"],
            "https://ats.example/c/c%201%2Fx"
        );
        assert_eq!(
            sent["phoneNumbers"],
            serde_json::json!([{"number": "+353 1", "extension": "12"}])
        );
        assert!(sent.get("lastName").is_none(), "absent, not null: {sent}");
        assert!(!sent.to_string().contains("null"), "{sent}");
        assert!(ProfileUrl::new("https://ats.example/candidates").is_err());
        assert!(ProfileUrl::new("ftp://ats.example/{candidateId}").is_err());
    }

    #[test]
    fn applications_leave_out_what_the_ats_does_not_have() {
        let app: Application = serde_json::from_value(serde_json::json!({
            "tenantId": "t", "applicationId": "a", "candidateId": "c", "jobId": "j",
            "source": "Ats", "dispositionReason": "  ", "createdAt": 1
        }))
        .unwrap();
        let c: Candidate = serde_json::from_value(serde_json::json!({
            "tenantId": "t", "candidateId": "c", "firstName": "Ada", "lastName": "L",
            "source": "Ats", "createdAt": 1, "updatedAt": 1
        }))
        .unwrap();
        let sent = serde_json::to_value(application(&app, Some(&c), None).unwrap()).unwrap();
        assert!(!sent.to_string().contains("null"), "{sent}");
        for absent in [
            "atsJobPostingName",
            "candidateEmail",
            "source",
            "dispositionReason",
        ] {
            assert!(sent.get(absent).is_none(), "{absent}: {sent}");
        }
    }

    #[test]
    fn not_available_is_not_a_stage() {
        assert!(stage(&Stage::new("Not Available", 5)).is_err());
        assert!(stage(&Stage::new("  ", 5)).is_err());
        assert_eq!(stage(&Stage::new("Hired", 5)).unwrap().stage, "Hired");
    }
}
