//! Creates the template's table, queues and event buses in moto, with the same properties as in
//! AWS.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TimeToLiveSpecification,
};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_yaml::{Mapping, Value};

use crate::template::{Error, Resolver, Template};

/// Names, URLs and ARNs of what was created, by logical id.
#[derive(Debug, Clone, Default)]
pub struct Resources {
    pub refs: HashMap<String, String>,
    pub attributes: HashMap<(String, String), String>,
    pub queue_urls: HashMap<String, String>,
    pub tables: HashMap<String, String>,
    /// Each table's stream ARN, by the table's logical id.
    pub streams: HashMap<String, String>,
    /// Each event bus's name, by logical id.
    pub buses: HashMap<String, String>,
}

impl Resources {
    pub fn resolver(&self) -> Resolver<'_> {
        Resolver {
            refs: &self.refs,
            attributes: &self.attributes,
        }
    }
}

fn get<'a>(m: &'a Mapping, key: &str) -> Option<&'a Value> {
    m.get(Value::String(key.to_owned()))
}

fn str_of<'a>(m: &'a Mapping, key: &str) -> Result<&'a str, Error> {
    get(m, key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("missing {key}").into())
}

fn key_schema(list: Option<&Value>) -> Result<Vec<KeySchemaElement>, Error> {
    let mut out = Vec::new();
    for k in list
        .and_then(Value::as_sequence)
        .ok_or("missing KeySchema")?
    {
        let k = k.as_mapping().ok_or("bad KeySchema")?;
        out.push(
            KeySchemaElement::builder()
                .attribute_name(str_of(k, "AttributeName")?)
                .key_type(KeyType::from(str_of(k, "KeyType")?))
                .build()?,
        );
    }
    Ok(out)
}

pub async fn create(
    template: &Template,
    stack_name: &str,
    region: &str,
    parameters: &HashMap<String, String>,
    dynamodb: &aws_sdk_dynamodb::Client,
    sqs: &aws_sdk_sqs::Client,
    events: &aws_sdk_eventbridge::Client,
) -> Result<Resources, Error> {
    let mut r = Resources::default();
    for (k, v) in [
        ("AWS::StackName", stack_name),
        ("AWS::Region", region),
        ("AWS::AccountId", "123456789012"),
        ("AWS::Partition", "aws"),
        ("AWS::URLSuffix", "amazonaws.com"),
    ] {
        r.refs.insert(k.to_owned(), v.to_owned());
    }
    for (name, default) in &template.parameters {
        let value = parameters.get(name).cloned().or_else(|| default.clone());
        if let Some(value) = value {
            r.refs.insert(name.clone(), value);
        }
    }

    for table in &template.tables {
        let p = &table.properties;
        let name = format!("{stack_name}-{}", table.logical_id);
        let mut req = dynamodb
            .create_table()
            .table_name(&name)
            .billing_mode(BillingMode::PayPerRequest);
        for a in get(p, "AttributeDefinitions")
            .and_then(Value::as_sequence)
            .ok_or("missing AttributeDefinitions")?
        {
            let a = a.as_mapping().ok_or("bad AttributeDefinitions")?;
            req = req.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(str_of(a, "AttributeName")?)
                    .attribute_type(ScalarAttributeType::from(str_of(a, "AttributeType")?))
                    .build()?,
            );
        }
        req = req.set_key_schema(Some(key_schema(get(p, "KeySchema"))?));
        for g in get(p, "GlobalSecondaryIndexes")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            let g = g.as_mapping().ok_or("bad GlobalSecondaryIndexes")?;
            let projection = get(g, "Projection").and_then(Value::as_mapping);
            let projection_type = projection
                .and_then(|m| get(m, "ProjectionType"))
                .and_then(Value::as_str)
                .unwrap_or("ALL");
            let non_key: Option<Vec<String>> = projection
                .and_then(|m| get(m, "NonKeyAttributes"))
                .and_then(Value::as_sequence)
                .map(|attrs| {
                    attrs
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                });
            req = req.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(str_of(g, "IndexName")?)
                    .set_key_schema(Some(key_schema(get(g, "KeySchema"))?))
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::from(projection_type))
                            .set_non_key_attributes(non_key)
                            .build(),
                    )
                    .build()?,
            );
        }
        if let Some(stream) = get(p, "StreamSpecification").and_then(Value::as_mapping) {
            req = req.stream_specification(
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(StreamViewType::from(str_of(stream, "StreamViewType")?))
                    .build()?,
            );
        }
        let created = req.send().await.map_err(|e| {
            format!(
                "create table {name}: {}",
                aws_sdk_dynamodb::error::DisplayErrorContext(e)
            )
        })?;
        if let Some(stream_arn) = created
            .table_description()
            .and_then(|d| d.latest_stream_arn())
        {
            r.attributes.insert(
                (table.logical_id.clone(), "StreamArn".into()),
                stream_arn.to_owned(),
            );
            r.streams
                .insert(table.logical_id.clone(), stream_arn.to_owned());
        }
        if let Some(ttl) = get(p, "TimeToLiveSpecification").and_then(Value::as_mapping) {
            dynamodb
                .update_time_to_live()
                .table_name(&name)
                .time_to_live_specification(
                    TimeToLiveSpecification::builder()
                        .attribute_name(str_of(ttl, "AttributeName")?)
                        .enabled(get(ttl, "Enabled").and_then(Value::as_bool).unwrap_or(true))
                        .build()?,
                )
                .send()
                .await
                .map_err(|e| {
                    format!(
                        "table TTL: {}",
                        aws_sdk_dynamodb::error::DisplayErrorContext(e)
                    )
                })?;
        }
        let arn = format!("arn:aws:dynamodb:{region}:123456789012:table/{name}");
        r.refs.insert(table.logical_id.clone(), name.clone());
        r.attributes
            .insert((table.logical_id.clone(), "Arn".into()), arn);
        r.tables.insert(table.logical_id.clone(), name);
    }

    for bus in &template.buses {
        let name = match get(&bus.properties, "Name") {
            Some(v) => r.resolver().resolve(v)?,
            None => format!("{stack_name}-{}", bus.logical_id),
        };
        let arn = events
            .create_event_bus()
            .name(&name)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "create event bus {name}: {}",
                    aws_sdk_eventbridge::error::DisplayErrorContext(e)
                )
            })?
            .event_bus_arn
            .unwrap_or_default();
        r.refs.insert(bus.logical_id.clone(), name.clone());
        r.attributes
            .insert((bus.logical_id.clone(), "Arn".into()), arn);
        r.attributes
            .insert((bus.logical_id.clone(), "Name".into()), name.clone());
        r.buses.insert(bus.logical_id.clone(), name);
    }

    // Queues first, redrive policies once every dead-letter queue exists.
    for q in &template.queues {
        let name = format!("{stack_name}-{}", q.logical_id);
        let mut req = sqs.create_queue().queue_name(&name);
        for (attr, key) in [
            (QueueAttributeName::VisibilityTimeout, "VisibilityTimeout"),
            (
                QueueAttributeName::MessageRetentionPeriod,
                "MessageRetentionPeriod",
            ),
            (QueueAttributeName::DelaySeconds, "DelaySeconds"),
        ] {
            if let Some(v) = get(&q.properties, key) {
                req = req.attributes(attr, r.resolver().resolve(v)?);
            }
        }
        let url = req
            .send()
            .await
            .map_err(|e| {
                format!(
                    "create queue {name}: {}",
                    aws_sdk_sqs::error::DisplayErrorContext(e)
                )
            })?
            .queue_url
            .unwrap_or_default();
        let arn = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(|e| format!("queue ARN: {}", aws_sdk_sqs::error::DisplayErrorContext(e)))?
            .attributes
            .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
            .ok_or("queue without ARN")?;
        r.refs.insert(q.logical_id.clone(), url.clone());
        r.attributes
            .insert((q.logical_id.clone(), "Arn".into()), arn);
        r.attributes
            .insert((q.logical_id.clone(), "QueueName".into()), name);
        r.attributes
            .insert((q.logical_id.clone(), "QueueUrl".into()), url.clone());
        r.queue_urls.insert(q.logical_id.clone(), url);
    }
    for q in &template.queues {
        let Some(redrive) = get(&q.properties, "RedrivePolicy").and_then(Value::as_mapping) else {
            continue;
        };
        let target = r.resolver().resolve(
            get(redrive, "deadLetterTargetArn")
                .ok_or("RedrivePolicy without deadLetterTargetArn")?,
        )?;
        let max = get(redrive, "maxReceiveCount")
            .and_then(Value::as_u64)
            .ok_or("RedrivePolicy without maxReceiveCount")?;
        let policy =
            serde_json::json!({"deadLetterTargetArn": target, "maxReceiveCount": max}).to_string();
        sqs.set_queue_attributes()
            .queue_url(&r.queue_urls[&q.logical_id])
            .attributes(QueueAttributeName::RedrivePolicy, policy)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "redrive policy: {}",
                    aws_sdk_sqs::error::DisplayErrorContext(e)
                )
            })?;
    }
    Ok(r)
}
