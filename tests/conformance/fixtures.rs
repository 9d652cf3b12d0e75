//! Reading `tests/linkedin-reference/requests.json`, the simulator state its values name, and
//! the small Rest.li helpers the tests need (written here, apart from the client's and the
//! simulator's own, so that neither checks itself).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use linkedin_sim::{App, ExportSpec, Seat, Sim, SimConfig};
use serde::Deserialize;
use serde_json::Value;
use shared::linkedin::wire;

use crate::Sent;

pub const CLIENT_ID: &str = "conformance-client";
pub const CLIENT_SECRET: &str = "conformance-secret";
/// The partner (parent) application that provisions the customer's child application.
pub const PARTNER_ID: &str = "conformance-partner";
pub const PARTNER_SECRET: &str = "conformance-partner-secret";
/// Our id for the customer, as the provisioning fixtures spell it.
pub const UNIQUE_FOREIGN_ID: &str = "tenant-globex";
pub const ORGANIZATION: &str = "urn:li:organization:7";
pub const CONTRACT: &str = "urn:li:contract:77";
pub const SEAT: &str = "urn:li:seat:5";
pub const MEMBER: &str = "urn:li:person:abc";
pub const WINDOW_START: i64 = 1_700_000_000_000;
pub const WINDOW_END: i64 = 1_700_003_600_000;

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fixture {
    pub operation: String,
    pub source: String,
    /// `partner` for a request made with the partner application's token; else the customer's.
    #[serde(default)]
    pub token: Option<String>,
    pub method: String,
    /// `v2`, `rest` or `oauth`.
    pub base: String,
    pub path: String,
    /// Name and value pairs, in order, as LinkedIn writes them (not encoded).
    pub query: Vec<(String, String)>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Option<Value>,
    #[serde(default)]
    pub form: Vec<String>,
    /// Variable name -> JSON pointer into this request's answer.
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
}

impl Fixture {
    /// The path with its base's prefix, as the simulator records it.
    pub fn full_path(&self) -> String {
        let prefix = match self.base.as_str() {
            "oauth" => "/oauth/v2",
            "rest" => "/rest",
            _ => "/v2",
        };
        format!("{prefix}{}", self.path)
    }

    /// The values of a query parameter, as written.
    pub fn query_values(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// The bearer tokens requests are replayed with.
pub struct Tokens {
    customer: String,
    partner: String,
}

impl Tokens {
    pub fn of(&self, f: &Fixture) -> &str {
        match f.token.as_deref() {
            Some("partner") => &self.partner,
            None => &self.customer,
            Some(other) => panic!("{}: unknown token {other}", f.operation),
        }
    }
}

#[derive(Deserialize)]
struct File {
    requests: Vec<Fixture>,
}

pub fn load() -> Vec<Fixture> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/linkedin-reference/requests.json"
    );
    let text = std::fs::read_to_string(path).expect("the reference requests are readable");
    let file: File = serde_json::from_str(&text).expect("the reference requests parse");
    file.requests
}

/// A simulator with everything the fixtures' values name.
pub struct Seeded {
    pub sim: Sim,
    pub vars: HashMap<String, String>,
    http: reqwest::Client,
}

pub async fn seed() -> Seeded {
    let sim = Sim::start("127.0.0.1:0".parse().unwrap(), SimConfig::default())
        .await
        .unwrap();
    let callback = crate::callback_server(CLIENT_SECRET.to_owned()).await;
    let callback_url = format!("http://{callback}/callback");
    sim.register_app(App {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        organization: ORGANIZATION.into(),
        callback_url: Some(callback_url.clone()),
    });
    sim.register_partner(PARTNER_ID, PARTNER_SECRET);
    sim.add_seat(Seat {
        id: "5".into(),
        contract: CONTRACT.into(),
        member: "urn:li:person:holder".into(),
        first_name: "Rita".into(),
        last_name: "Recruiter".into(),
        state: "ACTIVE".into(),
        email: None,
    });
    let export = sim
        .export(ExportSpec {
            client_id: CLIENT_ID.into(),
            request_id: Some("req-1".into()),
            contract: CONTRACT.into(),
            exporter: SEAT.into(),
            ats_job_posting_id: "j-1".into(),
            candidate: serde_json::json!({
                "member": MEMBER, "firstName": "Ada", "lastName": "Lovelace",
                "location": "London", "currentEmployerNames": ["Analytical Engines"]
            }),
        })
        .await
        .unwrap();
    let status = sim
        .push_status_change(CLIENT_ID, CONTRACT, "ENABLED")
        .await
        .unwrap();
    sim.purge_member(ORGANIZATION, MEMBER, None);
    let vars = HashMap::from([
        ("exportRequestId".to_owned(), export.request_id),
        ("statusRequestId".to_owned(), status.request_id),
        ("callbackUrl".to_owned(), callback_url),
    ]);
    Seeded {
        sim,
        vars,
        http: reqwest::Client::new(),
    }
}

impl Seeded {
    /// The customer's and the partner's tokens.
    pub async fn tokens(&self) -> Tokens {
        Tokens {
            customer: self.token(CLIENT_ID, CLIENT_SECRET).await,
            partner: self.token(PARTNER_ID, PARTNER_SECRET).await,
        }
    }

    async fn token(&self, client_id: &str, client_secret: &str) -> String {
        let resp: Value = self
            .http
            .post(format!("{}/accessToken", self.sim.auth_url()))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", client_secret),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        resp["access_token"].as_str().unwrap().to_owned()
    }

    /// Sends a fixture as written (placeholders filled); its status and answer.
    pub async fn replay(&self, f: &Fixture, token: &str) -> (u16, Value) {
        let f = fill(f, &self.vars);
        let base = match f.base.as_str() {
            "rest" => self.sim.rest_url(),
            "oauth" => self.sim.auth_url(),
            _ => self.sim.api_url(),
        };
        let mut url = format!("{base}{}", f.path);
        if !f.query.is_empty() {
            url = format!("{url}?{}", encode_query(&f.query));
        }
        let method = reqwest::Method::from_bytes(f.method.as_bytes()).unwrap();
        let mut req = self.http.request(method, &url).bearer_auth(token);
        for (k, v) in &f.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        if let Some(body) = &f.body {
            req = req.json(body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub fn capture(&mut self, f: &Fixture, answer: &Value) {
        for (name, pointer) in &f.capture {
            let value = answer
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{}: no {pointer} in {answer}", f.operation));
            self.vars.insert(name.clone(), value.to_owned());
        }
    }

    /// The last request the client sent to the fixture's resource, as recorded.
    pub fn sent(&self, f: &Fixture) -> Sent {
        let path = fill(f, &self.vars).full_path();
        let call = self
            .sim
            .calls()
            .into_iter()
            .rev()
            .find(|c| percent_decode(&c.path) == path)
            .unwrap_or_else(|| panic!("{}: the client sent nothing to {path}", f.operation));
        let form_keys = match (&f.base[..], &call.body) {
            ("oauth", Some(b)) => b
                .split('&')
                .map(|p| p.split('=').next().unwrap_or_default().to_owned())
                .collect(),
            _ => Vec::new(),
        };
        Sent {
            method: call.method,
            path: percent_decode(&call.path),
            query: decoded_query(&parse_query(&call.query)),
            headers: call.headers,
            body: match (&f.base[..], call.body) {
                ("oauth", _) | (_, None) => None,
                (_, Some(b)) => Some(serde_json::from_str(&b).expect("the client sends JSON")),
            },
            form_keys,
        }
    }
}

/// The fixture with `{{name}}` replaced by the variable's value everywhere.
pub fn fill(f: &Fixture, vars: &HashMap<String, String>) -> Fixture {
    let sub = |s: &str| {
        let mut out = s.to_owned();
        for (k, v) in vars {
            out = out.replace(&format!("{{{{{k}}}}}"), v);
        }
        out
    };
    let mut f = f.clone();
    f.path = sub(&f.path);
    f.query = f.query.iter().map(|(k, v)| (sub(k), sub(v))).collect();
    f.body = f
        .body
        .as_ref()
        .map(|b| serde_json::from_str(&sub(&b.to_string())).expect("filling keeps JSON valid"));
    f
}

/// Query pairs with percent-escapes undone (the spelling LinkedIn compares).
pub fn decoded_query(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect()
}

fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (p.to_owned(), String::new()),
        })
        .collect()
}

/// A query string with what must be escaped escaped, and LinkedIn's literal characters (URN
/// colons, brackets of `ids[0]`, dots) kept.
pub fn encode_query(pairs: &[(String, String)]) -> String {
    let esc = |s: &str| {
        let mut out = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~:[]()".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", esc(k), esc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every key of a JSON body, as a path (`entities.<key>.firstName`, `elements[].title`): the
/// spelling of each key, entity keys included, is compared; the values are not.
pub fn body_keys(v: &Value) -> BTreeSet<String> {
    fn walk(v: &Value, at: &str, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let here = if at.is_empty() {
                        k.clone()
                    } else {
                        format!("{at}.{k}")
                    };
                    out.insert(here.clone());
                    walk(child, &here, out);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, &format!("{at}[]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(v, "", &mut out);
    out
}

/// The same request with its keys in Rest.li 2.0 syntax, as the client sent them before:
/// `ids=List((a:1,b:2))` in the query, `(a:1,b:2)` as body keys and path segments (URN colons
/// escaped), `ids=List(S1,S2)` for simple ids. `None` when the request carries no key.
pub fn to_restli2(f: &Fixture) -> Option<Fixture> {
    let two = |fields: &[(String, String)]| {
        let inner: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}:{}", v.replace(':', "%3A")))
            .collect();
        format!("({})", inner.join(","))
    };
    let one_to_fields = |key: &str| -> Vec<(String, String)> {
        key.split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    };
    let mut out = f.clone();
    let mut changed = false;
    // Query: compound keys grouped by index, or repeated simple ids.
    let mut groups: BTreeMap<usize, Vec<(String, String)>> = BTreeMap::new();
    let mut simple = Vec::new();
    let mut rest = Vec::new();
    for (k, v) in &f.query {
        if let Some(tail) = k.strip_prefix("ids[")
            && let Some((i, field)) = tail.split_once("].")
        {
            groups
                .entry(i.parse().unwrap())
                .or_default()
                .push((field.to_owned(), v.clone()));
        } else if k == "ids" {
            simple.push(v.clone());
        } else {
            rest.push((k.clone(), v.clone()));
        }
    }
    if !groups.is_empty() {
        let keys: Vec<String> = groups.values().map(|g| two(g)).collect();
        rest.push(("ids".into(), format!("List({})", keys.join(","))));
        changed = true;
    } else if !simple.is_empty() {
        rest.push(("ids".into(), format!("List({})", simple.join(","))));
        changed = true;
    }
    out.query = rest;
    // Path segments that are 1.0 keys.
    let segments: Vec<String> = f
        .path
        .split('/')
        .map(|seg| {
            if seg.contains('=') {
                changed = true;
                two(&one_to_fields(seg))
            } else {
                seg.to_owned()
            }
        })
        .collect();
    out.path = segments.join("/");
    // Body entity keys.
    if let Some(Value::Object(entities)) = f.body.as_ref().and_then(|b| b.get("entities")) {
        let renamed: serde_json::Map<String, Value> = entities
            .iter()
            .map(|(k, v)| {
                if k.contains('=') {
                    changed = true;
                    (two(&one_to_fields(k)), v.clone())
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect();
        out.body = Some(serde_json::json!({ "entities": renamed }));
    }
    changed.then_some(out)
}

pub fn job() -> wire::JobPosting {
    wire::JobPosting {
        integration_context: ORGANIZATION.into(),
        external_job_posting_id: "j-1".into(),
        title: "General Manager".into(),
        description: "Runs the place.".into(),
        location: Some("San Francisco, CA".into()),
        country_code: None,
        postal_code: None,
        state: "LISTED",
        listed_at: WINDOW_START,
        company_apply_url: "https://careers.example.com/jobs/j-1".into(),
        availability: wire::AVAILABILITY_PRIVATE,
    }
}

pub fn candidate() -> wire::AtsCandidate {
    wire::AtsCandidate {
        ats_created_at: WINDOW_START,
        ats_last_modified_at: WINDOW_START,
        first_name: "Ada".into(),
        last_name: Some("Lovelace".into()),
        email_addresses: vec!["ada@example.com".into()],
        phone_numbers: vec![wire::PhoneNumber {
            number: "555-555-5555".into(),
            extension: Some("1234".into()),
        }],
        addresses: Vec::new(),
        current_company_name: Some("Candidate Test Company".into()),
        current_job_title: Some("Quality Assurance".into()),
        external_profile_url: "https://ats.example.com/candidates/c-1".into(),
        do_not_contact: false,
    }
}

pub fn application() -> wire::AtsApplication {
    wire::AtsApplication {
        ats_candidate_id: "c-1".into(),
        ats_created_at: WINDOW_START,
        ats_last_modified_at: WINDOW_START,
        ats_job_posting_id: "j-1".into(),
        ats_job_posting_name: Some("General Manager".into()),
        candidate_email: Some("ada@example.com".into()),
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        source: Some("Referral".into()),
        disposition_reason: Some("Hired elsewhere".into()),
    }
}

fn rita() -> wire::Person {
    wire::Person {
        first_name: "Rita".into(),
        last_name: Some("Book".into()),
    }
}

pub fn note() -> wire::AtsNote {
    wire::AtsNote {
        ats_created_at: WINDOW_START,
        note: "Strong systems background.".into(),
        author: rita(),
    }
}

pub fn interview_feedback() -> wire::AtsInterviewFeedback {
    wire::AtsInterviewFeedback {
        ats_created_at: WINDOW_START,
        evaluations: vec![wire::Evaluation {
            attribute: "Problem solving".into(),
            result: "5/5".into(),
        }],
        feedback: Some("Clear and thorough.".into()),
        interviewer: rita(),
    }
}

/// The hiring team of job `j-1`, as the fixtures name it.
pub fn acl() -> wire::EntityAcl {
    wire::EntityAcl {
        acl_id: "team-j-1".into(),
        job_id: "j-1".into(),
    }
}

pub fn assignee() -> wire::AclAssignee {
    wire::AclAssignee {
        acl_id: "team-j-1".into(),
        assignee: MEMBER.into(),
    }
}
