//! Reads template.yaml: the table, the queues, the functions with their environment and events.
//! The local stack builds everything from this, so the template stays the single source of truth.

use std::collections::HashMap;
use std::path::Path;

use serde_yaml::{Mapping, Value};

pub type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Clone)]
pub struct Template {
    pub parameters: HashMap<String, Option<String>>,
    pub tables: Vec<Resource>,
    pub queues: Vec<Resource>,
    /// EventBridge buses (`AWS::Events::EventBus`).
    pub buses: Vec<Resource>,
    pub functions: Vec<FunctionSpec>,
    globals_env: Mapping,
}

/// A resource with its logical id and properties.
#[derive(Debug, Clone)]
pub struct Resource {
    pub logical_id: String,
    pub properties: Mapping,
}

#[derive(Debug, Clone)]
pub struct FunctionSpec {
    pub logical_id: String,
    /// The cargo binary (`Metadata.BuildProperties.Binary`), i.e. the function crate.
    pub binary: String,
    pub timeout_secs: u64,
    /// Environment variables, unresolved (they may hold `!Ref` and friends).
    pub env: Vec<(String, Value)>,
    pub events: Vec<EventSpec>,
    /// The DynamoDB actions its role allows (`GetItem`, ...), from its `Policies`; `None` when a
    /// SAM policy template grants them (the local stack then does not check).
    pub dynamodb_actions: Option<std::collections::BTreeSet<String>>,
}

/// The DynamoDB actions named in a function's `Policies`, wherever they sit (statements may be
/// wrapped in `!If`); `None` if a SAM DynamoDB policy template is used instead.
fn dynamodb_actions(policies: Option<&Value>) -> Option<std::collections::BTreeSet<String>> {
    fn walk(v: &Value, out: &mut std::collections::BTreeSet<String>, templated: &mut bool) {
        match v {
            Value::String(s) => {
                if let Some(action) = s.strip_prefix("dynamodb:") {
                    out.insert(action.to_owned());
                }
            }
            Value::Sequence(items) => items.iter().for_each(|i| walk(i, out, templated)),
            Value::Mapping(m) => {
                for (k, v) in m {
                    if k.as_str().is_some_and(|k| k.starts_with("DynamoDB")) {
                        *templated = true;
                    }
                    walk(v, out, templated);
                }
            }
            Value::Tagged(t) => walk(&t.value, out, templated),
            _ => {}
        }
    }
    let mut out = std::collections::BTreeSet::new();
    let mut templated = false;
    if let Some(p) = policies {
        walk(p, &mut out, &mut templated);
    }
    (!templated).then_some(out)
}

#[derive(Debug, Clone)]
pub enum EventSpec {
    Http {
        method: String,
        path: String,
        /// The route needs the API's authorization (AWS_IAM); `false` for `Authorizer: NONE`.
        authorized: bool,
    },
    Sqs {
        queue: Value,
        batch_size: usize,
        max_concurrency: usize,
    },
    Schedule {
        name: String,
        expression: Value,
    },
    /// A DynamoDB stream event source.
    Stream {
        stream: Value,
        batch_size: usize,
        /// The sort-key prefixes its `FilterCriteria` lets through (`None`: every record).
        sort_key_prefixes: Option<Vec<String>>,
    },
}

/// The sort-key prefixes a stream source's `FilterCriteria` lets through. Only the form the
/// template uses is understood locally (`{"dynamodb":{"Keys":{"sk":{"S":[{"prefix":..}|"exact"]}}}}`);
/// any other filter stops the stack rather than being ignored.
fn sort_key_prefixes(props: &Mapping) -> Result<Option<Vec<String>>, Error> {
    let Some(filters) = mapping(props, "FilterCriteria")
        .and_then(|f| get(f, "Filters"))
        .and_then(Value::as_sequence)
    else {
        return Ok(None);
    };
    let mut prefixes = Vec::new();
    for filter in filters {
        let pattern = filter
            .as_mapping()
            .and_then(|f| get(f, "Pattern"))
            .and_then(Value::as_str)
            .ok_or("a stream filter without a Pattern string")?;
        let json: serde_json::Value = serde_json::from_str(pattern)
            .map_err(|e| format!("stream filter pattern is not JSON: {e}"))?;
        let matchers = json
            .pointer("/dynamodb/Keys/sk/S")
            .and_then(serde_json::Value::as_array)
            .filter(|_| json.as_object().is_some_and(|o| o.len() == 1))
            .ok_or("only sort-key filters (dynamodb.Keys.sk.S) are understood locally")?;
        for m in matchers {
            match m {
                serde_json::Value::String(exact) => prefixes.push(exact.clone()),
                serde_json::Value::Object(o) => prefixes.push(
                    o.get("prefix")
                        .and_then(serde_json::Value::as_str)
                        .ok_or("only prefix matchers are understood locally")?
                        .to_owned(),
                ),
                _ => return Err("a stream filter matcher is neither a string nor a prefix".into()),
            }
        }
    }
    Ok(Some(prefixes))
}

fn get<'a>(m: &'a Mapping, key: &str) -> Option<&'a Value> {
    m.get(Value::String(key.to_owned()))
}

/// A number written as is, or as `!Ref` to a parameter (its default: the local stack reads the
/// event sources before any override is known).
fn number(v: &Value, parameters: &HashMap<String, Option<String>>) -> Option<u64> {
    if let Some(n) = v.as_u64() {
        return Some(n);
    }
    match intrinsic(v)? {
        (f, Value::String(name)) if f == "Ref" => {
            parameters.get(name.as_str())?.as_ref()?.parse().ok()
        }
        _ => None,
    }
}

fn mapping<'a>(m: &'a Mapping, key: &str) -> Option<&'a Mapping> {
    get(m, key).and_then(Value::as_mapping)
}

impl Template {
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, Error> {
        let doc: Mapping = serde_yaml::from_str(text)?;
        let empty = Mapping::new();
        let globals = mapping(&doc, "Globals")
            .and_then(|g| mapping(g, "Function"))
            .unwrap_or(&empty);
        let global_timeout = get(globals, "Timeout").and_then(Value::as_u64).unwrap_or(3);
        let globals_env = mapping(globals, "Environment")
            .and_then(|e| mapping(e, "Variables"))
            .cloned()
            .unwrap_or_default();

        let mut parameters = HashMap::new();
        for (name, spec) in mapping(&doc, "Parameters").unwrap_or(&empty) {
            let default = spec
                .as_mapping()
                .and_then(|m| get(m, "Default"))
                .and_then(scalar);
            parameters.insert(name.as_str().unwrap_or_default().to_owned(), default);
        }

        let (mut tables, mut queues, mut buses, mut functions) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (id, res) in mapping(&doc, "Resources").ok_or("template has no Resources")? {
            let logical_id = id.as_str().unwrap_or_default().to_owned();
            let res = res
                .as_mapping()
                .ok_or_else(|| format!("resource {logical_id} is not a mapping"))?;
            let kind = get(res, "Type").and_then(Value::as_str).unwrap_or_default();
            let properties = mapping(res, "Properties").cloned().unwrap_or_default();
            match kind {
                "AWS::DynamoDB::Table" => tables.push(Resource {
                    logical_id,
                    properties,
                }),
                "AWS::SQS::Queue" => queues.push(Resource {
                    logical_id,
                    properties,
                }),
                "AWS::Events::EventBus" => buses.push(Resource {
                    logical_id,
                    properties,
                }),
                "AWS::Serverless::Function" => {
                    let binary = mapping(res, "Metadata")
                        .and_then(|m| mapping(m, "BuildProperties"))
                        .and_then(|b| get(b, "Binary"))
                        .and_then(Value::as_str)
                        .ok_or_else(|| {
                            format!("function {logical_id} has no Metadata.BuildProperties.Binary")
                        })?
                        .to_owned();
                    let env = mapping(&properties, "Environment")
                        .and_then(|e| mapping(e, "Variables"))
                        .map(|vars| {
                            vars.iter()
                                .map(|(k, v)| {
                                    (k.as_str().unwrap_or_default().to_owned(), v.clone())
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let timeout_secs = get(&properties, "Timeout")
                        .and_then(Value::as_u64)
                        .unwrap_or(global_timeout);
                    let mut events = Vec::new();
                    for (name, event) in mapping(&properties, "Events").unwrap_or(&empty) {
                        let event = event.as_mapping().ok_or("event is not a mapping")?;
                        let props = mapping(event, "Properties").cloned().unwrap_or_default();
                        match get(event, "Type")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                        {
                            "HttpApi" | "Api" => events.push(EventSpec::Http {
                                method: get(&props, "Method")
                                    .and_then(Value::as_str)
                                    .unwrap_or("ANY")
                                    .to_uppercase(),
                                path: get(&props, "Path")
                                    .and_then(Value::as_str)
                                    .ok_or("HttpApi event without Path")?
                                    .to_owned(),
                                authorized: mapping(&props, "Auth")
                                    .and_then(|a| get(a, "Authorizer"))
                                    .and_then(Value::as_str)
                                    != Some("NONE"),
                            }),
                            "SQS" => events.push(EventSpec::Sqs {
                                queue: get(&props, "Queue")
                                    .cloned()
                                    .ok_or("SQS event without Queue")?,
                                batch_size: get(&props, "BatchSize")
                                    .and_then(Value::as_u64)
                                    .unwrap_or(10)
                                    as usize,
                                // Lambda runs up to this many batches at once.
                                max_concurrency: mapping(&props, "ScalingConfig")
                                    .and_then(|c| get(c, "MaximumConcurrency"))
                                    .and_then(|v| number(v, &parameters))
                                    .unwrap_or(5)
                                    as usize,
                            }),
                            "Schedule" | "ScheduleV2" => events.push(EventSpec::Schedule {
                                name: name.as_str().unwrap_or_default().to_owned(),
                                expression: get(&props, "ScheduleExpression")
                                    .cloned()
                                    .ok_or("schedule without ScheduleExpression")?,
                            }),
                            "DynamoDB" => events.push(EventSpec::Stream {
                                stream: get(&props, "Stream")
                                    .cloned()
                                    .ok_or("DynamoDB event without Stream")?,
                                batch_size: get(&props, "BatchSize")
                                    .and_then(Value::as_u64)
                                    .unwrap_or(100)
                                    as usize,
                                sort_key_prefixes: sort_key_prefixes(&props)
                                    .map_err(|e| format!("function {logical_id}: {e}"))?,
                            }),
                            other => return Err(format!(
                                "function {logical_id}: event type {other} is not supported locally"
                            )
                            .into()),
                        }
                    }
                    functions.push(FunctionSpec {
                        logical_id,
                        binary,
                        timeout_secs,
                        env,
                        events,
                        dynamodb_actions: dynamodb_actions(get(&properties, "Policies")),
                    });
                }
                _ => {}
            }
        }
        Ok(Self {
            parameters,
            tables,
            queues,
            buses,
            functions,
            globals_env,
        })
    }

    /// A function's environment: the globals overlaid with its own variables, unresolved.
    pub fn environment(&self, function: &FunctionSpec) -> Vec<(String, Value)> {
        let mut env: Vec<(String, Value)> = self
            .globals_env
            .iter()
            .map(|(k, v)| (k.as_str().unwrap_or_default().to_owned(), v.clone()))
            .filter(|(k, _)| !function.env.iter().any(|(f, _)| f == k))
            .collect();
        env.extend(function.env.iter().cloned());
        env
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An intrinsic function call, in short (`!Ref X`) or long (`{Ref: X}`) form.
fn intrinsic(v: &Value) -> Option<(String, &Value)> {
    match v {
        Value::Tagged(t) => Some((
            t.tag.to_string().trim_start_matches('!').to_owned(),
            &t.value,
        )),
        Value::Mapping(m) if m.len() == 1 => {
            let (k, arg) = m.iter().next()?;
            let k = k.as_str()?;
            (k == "Ref" || k.starts_with("Fn::"))
                .then(|| (k.trim_start_matches("Fn::").to_owned(), arg))
        }
        _ => None,
    }
}

/// What names and attributes resolve to in this deployment.
pub struct Resolver<'a> {
    pub refs: &'a HashMap<String, String>,
    /// `(logical id, attribute)` → value, e.g. `("ExportsQueue", "Arn")`.
    pub attributes: &'a HashMap<(String, String), String>,
}

impl Resolver<'_> {
    pub fn resolve(&self, v: &Value) -> Result<String, Error> {
        if let Some((f, arg)) = intrinsic(v) {
            return match f.as_str() {
                "Ref" => self.reference(arg.as_str().ok_or("Ref takes a name")?),
                "GetAtt" => {
                    let (id, attr) = match arg {
                        Value::String(s) => s
                            .split_once('.')
                            .map(|(a, b)| (a.to_owned(), b.to_owned()))
                            .ok_or("GetAtt needs X.Attr")?,
                        Value::Sequence(seq) if seq.len() == 2 => (
                            seq[0].as_str().unwrap_or_default().to_owned(),
                            seq[1].as_str().unwrap_or_default().to_owned(),
                        ),
                        _ => return Err("GetAtt needs X.Attr or [X, Attr]".into()),
                    };
                    self.attribute(&id, &attr)
                }
                "Sub" => self.substitute(
                    arg.as_str()
                        .ok_or("only the string form of Sub is supported locally")?,
                ),
                other => Err(format!("intrinsic {other} is not supported locally").into()),
            };
        }
        scalar(v).ok_or_else(|| format!("cannot resolve {v:?}").into())
    }

    fn reference(&self, name: &str) -> Result<String, Error> {
        self.refs
            .get(name)
            .cloned()
            .ok_or_else(|| format!("Ref {name} is unknown locally").into())
    }

    fn attribute(&self, id: &str, attr: &str) -> Result<String, Error> {
        self.attributes
            .get(&(id.to_owned(), attr.to_owned()))
            .cloned()
            .ok_or_else(|| format!("GetAtt {id}.{attr} is unknown locally").into())
    }

    fn substitute(&self, s: &str) -> Result<String, Error> {
        let mut out = String::new();
        let mut rest = s;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find('}').ok_or("unclosed ${ in Sub")? + start;
            let name = &rest[start + 2..end];
            match name.split_once('.') {
                Some((id, attr)) => out.push_str(&self.attribute(id, attr)?),
                None => out.push_str(&self.reference(name)?),
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_projects_template_is_understood() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let t = Template::load(&path).unwrap();
        assert_eq!(t.tables.len(), 1);
        assert!(t.queues.iter().any(|q| q.logical_id == "ExportsQueue"));
        let webhook = t
            .functions
            .iter()
            .find(|f| f.binary == "export-webhook")
            .unwrap();
        assert!(webhook.events.iter().any(|e| matches!(e, EventSpec::Http { method, path, authorized: false } if method == "POST" && path == "/linkedin/{tenantId}/events")));
        let env = t.environment(webhook);
        assert!(env.iter().any(|(k, _)| k == "TABLE_NAME"));
        assert!(env.iter().any(|(k, _)| k == "EXPORTS_QUEUE_URL"));
        // A concurrency given as a parameter runs at the parameter's default.
        let sync = t.functions.iter().find(|f| f.binary == "ats-sync").unwrap();
        let default: usize = t.parameters["SyncConcurrency"]
            .as_deref()
            .unwrap()
            .parse()
            .unwrap();
        assert!(sync.events.iter().any(
            |e| matches!(e, EventSpec::Sqs { max_concurrency, .. } if *max_concurrency == default)
        ));
    }

    /// The publisher's stream filter lets through exactly the items whose changes can be
    /// events: a prefix missing from the template would drop those events in AWS.
    #[test]
    fn the_publishers_stream_filter_matches_the_items_events_come_from() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let t = Template::load(&path).unwrap();
        let publisher = t
            .functions
            .iter()
            .find(|f| f.binary == "event-publisher")
            .unwrap();
        let Some(EventSpec::Stream {
            sort_key_prefixes: Some(prefixes),
            ..
        }) = publisher.events.first()
        else {
            panic!("event-publisher has no filtered stream source");
        };
        let mut from_template = prefixes.clone();
        from_template.sort();
        let mut from_code: Vec<String> = shared::events::changes::SORT_KEY_PREFIXES
            .iter()
            .map(|p| p.to_string())
            .collect();
        from_code.sort();
        assert_eq!(from_template, from_code);
    }

    /// The webhook for ATSs outside AWS: only with `EventsWebhookUrl`, every event of the
    /// integration to an API destination with its connection's key, retried for a day and then
    /// kept in a dead-letter queue that EventBridge may write to.
    #[test]
    fn the_events_webhook_retries_and_keeps_what_it_could_not_deliver() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let doc: Mapping = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let resources = mapping(&doc, "Resources").unwrap();
        let resource = |id: &str| mapping(resources, id).unwrap_or_else(|| panic!("no {id}"));
        let tag = |v: Option<&Value>| match v {
            Some(Value::Tagged(t)) => format!("{} {}", t.tag, scalar(&t.value).unwrap_or_default()),
            other => format!("{other:?}"),
        };
        for id in [
            "EventsWebhookConnection",
            "EventsWebhookDestination",
            "EventsWebhookRole",
            "EventsWebhookRule",
            "EventsWebhookDeadLetterQueue",
            "EventsWebhookDeadLetterQueuePolicy",
        ] {
            assert_eq!(
                get(resource(id), "Condition").and_then(Value::as_str),
                Some("UseEventsWebhook"),
                "{id} exists only with a webhook"
            );
        }
        let connection = mapping(resource("EventsWebhookConnection"), "Properties").unwrap();
        assert_eq!(
            get(connection, "AuthorizationType").and_then(Value::as_str),
            Some("API_KEY")
        );
        let rule = mapping(resource("EventsWebhookRule"), "Properties").unwrap();
        assert_eq!(tag(get(rule, "EventBusName")), "!Ref EventBus");
        let source = mapping(rule, "EventPattern")
            .and_then(|p| get(p, "source"))
            .and_then(Value::as_sequence)
            .unwrap();
        assert_eq!(
            source[0].as_str(),
            Some(shared::events::SOURCE),
            "the rule takes every event of the integration"
        );
        let target = get(rule, "Targets").and_then(Value::as_sequence).unwrap()[0]
            .as_mapping()
            .unwrap()
            .clone();
        assert_eq!(
            tag(get(&target, "Arn")),
            "!GetAtt EventsWebhookDestination.Arn"
        );
        let retry = mapping(&target, "RetryPolicy").unwrap();
        assert_eq!(
            get(retry, "MaximumEventAgeInSeconds").and_then(Value::as_u64),
            Some(86_400)
        );
        assert_eq!(
            tag(mapping(&target, "DeadLetterConfig").and_then(|d| get(d, "Arn"))),
            "!GetAtt EventsWebhookDeadLetterQueue.Arn"
        );
    }

    /// docs/openapi.yaml documents exactly the routes the template deploys.
    #[test]
    fn openapi_documents_every_route_and_nothing_else() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let t = Template::load(&root.join("template.yaml")).unwrap();
        let mut deployed: Vec<String> = t
            .functions
            .iter()
            .flat_map(|f| f.events.iter())
            .filter_map(|e| match e {
                EventSpec::Http { method, path, .. } => Some(format!("{method} {path}")),
                _ => None,
            })
            .collect();
        let doc: Mapping =
            serde_yaml::from_str(&std::fs::read_to_string(root.join("docs/openapi.yaml")).unwrap())
                .unwrap();
        let mut documented = Vec::new();
        for (path, ops) in mapping(&doc, "paths").unwrap() {
            for (method, _) in ops.as_mapping().unwrap() {
                let method = method.as_str().unwrap();
                if ["get", "put", "post", "delete", "patch"].contains(&method) {
                    documented.push(format!(
                        "{} {}",
                        method.to_uppercase(),
                        path.as_str().unwrap()
                    ));
                }
            }
        }
        deployed.sort();
        documented.sort();
        assert_eq!(deployed, documented);
    }

    #[test]
    fn intrinsics_resolve() {
        let refs = HashMap::from([
            ("AWS::StackName".to_owned(), "s".to_owned()),
            ("Q".to_owned(), "http://q".to_owned()),
        ]);
        let attributes = HashMap::from([(("Q".to_owned(), "Arn".to_owned()), "arn:q".to_owned())]);
        let r = Resolver {
            refs: &refs,
            attributes: &attributes,
        };
        let v: Value = serde_yaml::from_str("!Sub \"${AWS::StackName}/t/${Q.Arn}\"").unwrap();
        assert_eq!(r.resolve(&v).unwrap(), "s/t/arn:q");
        let v: Value = serde_yaml::from_str("{\"Fn::GetAtt\": [Q, Arn]}").unwrap();
        assert_eq!(r.resolve(&v).unwrap(), "arn:q");
        let v: Value = serde_yaml::from_str("!Ref Q").unwrap();
        assert_eq!(r.resolve(&v).unwrap(), "http://q");
    }
}
