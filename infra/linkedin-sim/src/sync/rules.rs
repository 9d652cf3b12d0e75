//! The per-record rules of the sync: which fields a job, candidate, application or stage must
//! have (linkedin-rsc.md "ATS → LinkedIn sync"; the collection's example bodies). Every broken
//! rule is reported with the field's name.
//!
//! A field sent as JSON `null` is refused, anywhere in a record: LinkedIn wants a field it does
//! not get omitted (doc), and Rest.li does not take `null` for a field.

use serde_json::{Map, Value};

use crate::sync::{MAX_TITLE_CHARS, UNAVAILABLE_STAGE};

/// Checks the fields of one entity, collecting a message naming the field for each broken rule.
/// A `null` field is one problem (see the module doc) and otherwise counts as absent.
pub(crate) struct Check<'a> {
    fields: &'a Map<String, Value>,
    problems: Vec<String>,
}

fn null_paths(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Null => out.push(path.to_string()),
        Value::Object(fields) => {
            for (name, v) in fields {
                let inner = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                null_paths(v, &inner, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                null_paths(v, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

impl<'a> Check<'a> {
    /// A check of `entity`, or the one problem that it is not a JSON object.
    pub fn of(entity: &'a Value) -> Result<Check<'a>, Vec<String>> {
        let Value::Object(fields) = entity else {
            return Err(vec!["the record must be a JSON object".to_string()]);
        };
        let mut nulls = Vec::new();
        null_paths(entity, "", &mut nulls);
        let problems = nulls
            .into_iter()
            .map(|path| format!("{path} is null: omit a field instead of sending null"))
            .collect();
        Ok(Check { fields, problems })
    }

    pub fn problem(&mut self, message: String) {
        self.problems.push(message);
    }

    fn present(&self, name: &str) -> Option<&'a Value> {
        self.fields.get(name).filter(|v| !v.is_null())
    }

    fn required(&mut self, name: &str) -> Option<&'a Value> {
        let value = self.present(name);
        if value.is_none() {
            self.problem(format!("{name} is required"));
        }
        value
    }

    fn text(&mut self, name: &str, value: &'a Value) -> Option<&'a str> {
        let text = value.as_str();
        if text.is_none() {
            self.problem(format!("{name} must be a string"));
        }
        text
    }

    /// A required string with something besides spaces.
    pub fn required_text(&mut self, name: &str) -> Option<&'a str> {
        let text = self.required(name).and_then(|v| self.text(name, v))?;
        if text.trim().is_empty() {
            self.problem(format!("{name} must not be empty"));
            return None;
        }
        Some(text)
    }

    /// An optional string; `None` when absent, null or not a string.
    pub fn optional_text(&mut self, name: &str) -> Option<&'a str> {
        self.present(name).and_then(|v| self.text(name, v))
    }

    /// A required epoch-ms integer > 0.
    pub fn required_ms(&mut self, name: &str) -> Option<i64> {
        let value = self.required(name)?;
        match value.as_i64() {
            Some(ms) if ms > 0 => Some(ms),
            _ => {
                self.problem(format!("{name} must be epoch ms > 0, got {value}"));
                None
            }
        }
    }

    /// `later` is not before `earlier` (both read already; skipped when one is missing).
    pub fn not_before(&mut self, later: (&str, Option<i64>), earlier: (&str, Option<i64>)) {
        if let ((later_name, Some(l)), (earlier_name, Some(e))) = (later, earlier)
            && l < e
        {
            self.problem(format!(
                "{later_name} ({l}) must not be before {earlier_name} ({e})"
            ));
        }
    }

    fn array(&mut self, name: &str, value: &'a Value) -> Option<&'a Vec<Value>> {
        let array = value.as_array();
        if array.is_none() {
            self.problem(format!("{name} must be an array"));
        }
        array
    }

    /// A required array, possibly empty.
    pub fn required_array(&mut self, name: &str) -> Option<&'a Vec<Value>> {
        self.required(name).and_then(|v| self.array(name, v))
    }

    pub fn optional_array(&mut self, name: &str) -> Option<&'a Vec<Value>> {
        self.present(name).and_then(|v| self.array(name, v))
    }

    pub fn optional_bool(&mut self, name: &str) {
        if self.present(name).is_some_and(|v| !v.is_boolean()) {
            self.problem(format!("{name} must be true or false"));
        }
    }

    pub fn one_of(&mut self, name: &str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.problem(format!(
                "{name} must be one of {}, got {value:?}",
                allowed.join(", ")
            ));
        }
    }

    pub fn email(&mut self, name: &str, value: &str) {
        if !looks_like_email(value) {
            self.problem(format!("{name} {value:?} is not an email address (X@X.X)"));
        }
    }

    /// A required `http(s)://` URL.
    pub fn required_url(&mut self, name: &str) {
        if let Some(url) = self.required_text(name)
            && !is_http_url(url)
        {
            self.problem(format!("{name} must be an http(s):// URL, got {url:?}"));
        }
    }

    pub fn into_problems(self) -> Vec<String> {
        self.problems
    }
}

/// `X@X.X`: something, `@`, something, `.`, something; no spaces, one `@`.
pub(crate) fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let dotted = domain
        .rsplit_once('.')
        .is_some_and(|(host, top)| !host.is_empty() && !top.is_empty());
    !local.is_empty() && dotted && !domain.contains('@') && !s.chars().any(char::is_whitespace)
}

/// `http://..` or `https://..`, without spaces.
pub(crate) fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.chars().any(char::is_whitespace))
}

/// The rules of a `simpleJobPostings` element (collection's example; `companyApplyUrl` required
/// and the two `availability` values from the doc).
pub(crate) fn job_problems(element: &Value) -> Vec<String> {
    let mut c = match Check::of(element) {
        Ok(c) => c,
        Err(problems) => return problems,
    };
    c.required_text("integrationContext");
    c.required_text("externalJobPostingId");
    if let Some(title) = c.required_text("title") {
        let chars = title.chars().count();
        if chars > MAX_TITLE_CHARS {
            c.problem(format!(
                "title must be at most {MAX_TITLE_CHARS} characters, got {chars}"
            ));
        }
    }
    c.required_text("description");
    let location = c.optional_text("location").filter(|l| !l.trim().is_empty());
    let country = c
        .optional_text("countryCode")
        .filter(|s| !s.trim().is_empty());
    let postal = c
        .optional_text("postalCode")
        .filter(|s| !s.trim().is_empty());
    if location.is_none() && (country.is_none() || postal.is_none()) {
        c.problem("location is required unless countryCode and postalCode are both given".into());
    }
    if let Some(state) = c.required_text("state") {
        c.one_of("state", state, &["LISTED", "CLOSED"]);
    }
    c.required_ms("listedAt");
    c.required_url("companyApplyUrl");
    if let Some(availability) = c.optional_text("availability") {
        c.one_of(
            "availability",
            availability,
            &["PUBLIC", "PRIVATE_TO_ATS_INTEGRATION"],
        );
    }
    c.into_problems()
}

/// The rules of an `atsCandidates` entity (collection's example and the doc's field list).
pub(crate) fn candidate_problems(entity: &Value) -> Vec<String> {
    let mut c = match Check::of(entity) {
        Ok(c) => c,
        Err(problems) => return problems,
    };
    let created = c.required_ms("atsCreatedAt");
    let modified = c.required_ms("atsLastModifiedAt");
    c.not_before(("atsLastModifiedAt", modified), ("atsCreatedAt", created));
    c.required_text("firstName");
    c.optional_text("lastName");
    if let Some(emails) = c.optional_array("emailAddresses") {
        for (i, email) in emails.iter().enumerate() {
            let name = format!("emailAddresses[{i}]");
            if let Some(email) = c.text(&name, email) {
                c.email(&name, email);
            }
        }
    }
    if let Some(phones) = c.required_array("phoneNumbers") {
        for (i, phone) in phones.iter().enumerate() {
            phone_problems(&mut c, i, phone);
        }
    }
    c.required_array("addresses");
    c.required_url("externalProfileUrl");
    for name in [
        "currentCompanyName",
        "currentJobTitle",
        "linkedInProfileUrl",
        "middleInitial",
        "prefix",
        "suffix",
    ] {
        c.optional_text(name);
    }
    c.optional_bool("doNotContact");
    c.into_problems()
}

/// `phoneNumbers[i]` must be `{"number": "..", "extension"?: ".."}` (collection); any other field
/// (such as a `type`) is unknown to LinkedIn.
fn phone_problems(c: &mut Check<'_>, i: usize, phone: &Value) {
    let name = format!("phoneNumbers[{i}]");
    let Some(fields) = phone.as_object() else {
        c.problem(format!("{name} must be {{\"number\", \"extension\"}}"));
        return;
    };
    let number = fields.get("number").and_then(Value::as_str);
    if number.is_none_or(|n| n.trim().is_empty()) {
        c.problem(format!("{name}.number is required (a non-empty string)"));
    }
    if let Some(ext) = fields.get("extension")
        && !ext.is_string()
        && !ext.is_null()
    {
        c.problem(format!("{name}.extension must be a string"));
    }
    for unknown in fields
        .keys()
        .filter(|k| !["number", "extension"].contains(&k.as_str()))
    {
        c.problem(format!(
            "{name}.{unknown} is an unknown field (a phone is {{number, extension}})"
        ));
    }
}

/// The rules of an `atsApplications` entity.
pub(crate) fn application_problems(entity: &Value) -> Vec<String> {
    let mut c = match Check::of(entity) {
        Ok(c) => c,
        Err(problems) => return problems,
    };
    c.required_text("atsCandidateId");
    c.required_text("atsJobPostingId");
    let created = c.required_ms("atsCreatedAt");
    let modified = c.required_ms("atsLastModifiedAt");
    c.not_before(("atsLastModifiedAt", modified), ("atsCreatedAt", created));
    if let Some(email) = c.optional_text("candidateEmail") {
        c.email("candidateEmail", email);
    }
    for name in [
        "atsJobPostingName",
        "firstName",
        "lastName",
        "source",
        "dispositionReason",
    ] {
        c.optional_text(name);
    }
    c.into_problems()
}

/// The rules of a stage entity.
pub(crate) fn stage_problems(entity: &Value) -> Vec<String> {
    let mut c = match Check::of(entity) {
        Ok(c) => c,
        Err(problems) => return problems,
    };
    c.required_ms("atsCreatedAt");
    if let Some(stage) = c.required_text("stage")
        && stage.trim().eq_ignore_ascii_case(UNAVAILABLE_STAGE)
    {
        c.problem(format!(
            "stage {stage:?} is not accepted; name the actual stage"
        ));
    }
    c.into_problems()
}
