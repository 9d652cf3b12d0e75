//! The deployed template's protections (security issue 18): the public API is throttled, the
//! webhook cannot take the account's whole concurrency, access logs leave out query strings and
//! bodies, and the alarm topic's key lets CloudWatch publish.

use std::path::{Path, PathBuf};

use local_stack::template::Template;
use serde_yaml::{Mapping, Value};

const WEBHOOK_PATH: &str = "/linkedin/{tenantId}/events";

fn template_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml")
}

fn template() -> Mapping {
    let text = std::fs::read_to_string(template_path()).expect("template.yaml is readable");
    serde_yaml::from_str(&text).expect("template.yaml parses")
}

fn get<'a>(m: &'a Mapping, key: &str) -> Option<&'a Value> {
    m.get(Value::String(key.to_owned()))
}

fn mapping<'a>(m: &'a Mapping, key: &str) -> &'a Mapping {
    get(m, key)
        .and_then(Value::as_mapping)
        .unwrap_or_else(|| panic!("{key} is missing or not a mapping"))
}

fn resources(doc: &Mapping) -> impl Iterator<Item = (&str, &Mapping)> {
    mapping(doc, "Resources")
        .iter()
        .map(|(id, r)| (id.as_str().unwrap(), r.as_mapping().unwrap()))
}

fn of_type<'a>(doc: &'a Mapping, kind: &str) -> Vec<(&'a str, &'a Mapping)> {
    resources(doc)
        .filter(|(_, r)| get(r, "Type").and_then(Value::as_str) == Some(kind))
        .collect()
}

fn resource<'a>(doc: &'a Mapping, id: &str) -> &'a Mapping {
    resources(doc)
        .find(|(rid, _)| *rid == id)
        .map(|(_, r)| r)
        .unwrap_or_else(|| panic!("no resource {id}"))
}

fn properties(resource: &Mapping) -> &Mapping {
    mapping(resource, "Properties")
}

/// The logical id named by `!Ref X`, `{Ref: X}`, `!GetAtt X.Arn` or `{Fn::GetAtt: [X, Arn]}`.
fn referenced(v: &Value) -> Option<String> {
    let (f, arg) = match v {
        Value::Tagged(t) => (
            t.tag.to_string().trim_start_matches('!').to_owned(),
            &t.value,
        ),
        Value::Mapping(m) if m.len() == 1 => {
            let (k, arg) = m.iter().next()?;
            (k.as_str()?.trim_start_matches("Fn::").to_owned(), arg)
        }
        _ => return None,
    };
    match (f.as_str(), arg) {
        ("Ref", Value::String(name)) => Some(name.clone()),
        ("GetAtt", Value::String(s)) => s.split_once('.').map(|(id, _)| id.to_owned()),
        ("GetAtt", Value::Sequence(seq)) => seq.first()?.as_str().map(str::to_owned),
        _ => None,
    }
}

/// A parameter with a numeric default of at least 1 and `MinValue` 1 or more.
fn assert_positive_number_parameter(doc: &Mapping, name: &str) {
    let p = get(mapping(doc, "Parameters"), name)
        .and_then(Value::as_mapping)
        .unwrap_or_else(|| panic!("no parameter {name}"));
    assert_eq!(
        get(p, "Type").and_then(Value::as_str),
        Some("Number"),
        "{name}"
    );
    let default = get(p, "Default").and_then(Value::as_f64);
    assert!(
        default.is_some_and(|d| d >= 1.0),
        "{name} needs a default of at least 1"
    );
    let min = get(p, "MinValue").and_then(Value::as_f64);
    assert!(min.is_some_and(|m| m >= 1.0), "{name} needs MinValue 1");
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Sequence(seq)) => seq
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn http_api(doc: &Mapping) -> &Mapping {
    let apis = of_type(doc, "AWS::Serverless::HttpApi");
    assert_eq!(apis.len(), 1, "one HTTP API");
    properties(apis[0].1)
}

#[test]
fn the_http_api_throttles_every_route_by_parameters() {
    let doc = template();
    let settings = mapping(http_api(&doc), "DefaultRouteSettings");
    for (property, parameter) in [
        ("ThrottlingRateLimit", "ApiThrottleRateLimit"),
        ("ThrottlingBurstLimit", "ApiThrottleBurstLimit"),
    ] {
        assert_eq!(
            get(settings, property).and_then(referenced).as_deref(),
            Some(parameter),
            "{property}"
        );
        assert_positive_number_parameter(&doc, parameter);
    }
}

#[test]
fn the_public_webhook_function_has_reserved_concurrency() {
    let doc = template();
    let webhook = of_type(&doc, "AWS::Serverless::Function")
        .into_iter()
        .find(|(_, f)| {
            get(properties(f), "Events")
                .and_then(Value::as_mapping)
                .into_iter()
                .flatten()
                .any(|(_, e)| {
                    e.as_mapping()
                        .and_then(|e| get(e, "Properties"))
                        .and_then(Value::as_mapping)
                        .and_then(|p| get(p, "Path"))
                        .and_then(Value::as_str)
                        == Some(WEBHOOK_PATH)
                })
        })
        .map(|(_, f)| properties(f))
        .expect("a function serves the webhook");
    assert_eq!(
        get(webhook, "ReservedConcurrentExecutions")
            .and_then(referenced)
            .as_deref(),
        Some("WebhookReservedConcurrency")
    );
    assert_positive_number_parameter(&doc, "WebhookReservedConcurrency");
}

#[test]
fn access_logs_leave_out_query_strings_and_bodies() {
    let doc = template();
    let logs = mapping(http_api(&doc), "AccessLogSettings");
    let group = get(logs, "DestinationArn")
        .and_then(referenced)
        .expect("DestinationArn names a log group of the template");
    let group = resource(&doc, &group);
    assert_eq!(
        get(group, "Type").and_then(Value::as_str),
        Some("AWS::Logs::LogGroup")
    );
    assert!(
        get(properties(group), "RetentionInDays").is_some(),
        "the access log group has a retention period"
    );
    let format = get(logs, "Format")
        .and_then(Value::as_str)
        .expect("Format is a string");
    let lower = format.to_lowercase();
    for forbidden in ["querystring", "requestoverride", "body"] {
        assert!(
            !lower.contains(forbidden),
            "the format logs {forbidden}: {format}"
        );
    }
    for wanted in ["$context.status", "$context.routeKey", "$context.requestId"] {
        assert!(
            format.contains(wanted),
            "the format lacks {wanted}: {format}"
        );
    }
    serde_json::from_str::<serde_json::Value>(format).expect("the format is JSON");
}

#[test]
fn cloudwatch_can_publish_to_the_encrypted_alarm_topic() {
    let doc = template();
    let topics = of_type(&doc, "AWS::SNS::Topic");
    assert!(!topics.is_empty(), "an alarm topic");
    for (id, topic) in topics {
        let key_id =
            get(properties(topic), "KmsMasterKeyId").unwrap_or_else(|| panic!("{id} is encrypted"));
        assert_ne!(
            key_id.as_str(),
            Some("alias/aws/sns"),
            "{id}: CloudWatch cannot use the AWS managed key"
        );
        let mut key_id =
            referenced(key_id).unwrap_or_else(|| panic!("{id}: a key of the template"));
        // An alias of the template stands for its target key.
        let alias = resource(&doc, &key_id);
        if get(alias, "Type").and_then(Value::as_str) == Some("AWS::KMS::Alias") {
            key_id = get(properties(alias), "TargetKeyId")
                .and_then(referenced)
                .expect("the alias targets a key of the template");
        }
        let key = resource(&doc, &key_id);
        assert_eq!(
            get(key, "Type").and_then(Value::as_str),
            Some("AWS::KMS::Key")
        );
        let policy = mapping(properties(key), "KeyPolicy");
        let grants_cloudwatch = get(policy, "Statement")
            .and_then(Value::as_sequence)
            .expect("the key policy has statements")
            .iter()
            .filter_map(Value::as_mapping)
            .filter(|s| get(s, "Effect").and_then(Value::as_str) == Some("Allow"))
            .filter(|s| {
                get(s, "Principal")
                    .and_then(Value::as_mapping)
                    .is_some_and(|p| {
                        strings(get(p, "Service")).contains(&"cloudwatch.amazonaws.com".to_owned())
                    })
            })
            .any(|s| {
                let actions = strings(get(s, "Action"));
                ["kms:Decrypt", "kms:GenerateDataKey*"]
                    .iter()
                    .all(|a| actions.iter().any(|x| x == a))
            });
        assert!(
            grants_cloudwatch,
            "{key_id} lets cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*"
        );
    }
}

/// The local stack still reads the template, and every new parameter has a default.
#[test]
fn the_local_stack_reads_the_template_with_its_defaults() {
    let t = Template::load(&template_path()).expect("the local stack reads template.yaml");
    for name in [
        "ApiThrottleRateLimit",
        "ApiThrottleBurstLimit",
        "WebhookReservedConcurrency",
    ] {
        assert!(
            t.parameters.get(name).is_some_and(Option::is_some),
            "{name} has a default"
        );
    }
}
