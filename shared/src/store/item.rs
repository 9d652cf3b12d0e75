//! How values become table items and back, and the small builders every part of the store uses.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Update};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::keys::{self, Key};

pub(crate) type Item = HashMap<String, AttributeValue>;

pub(crate) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub(crate) fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// A string attribute of an item, if it has one.
pub(crate) fn text(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

pub(crate) fn key_item(key: &Key) -> Item {
    HashMap::from([
        (keys::PK.to_owned(), s(&key.pk)),
        (keys::SK.to_owned(), s(&key.sk)),
    ])
}

pub(crate) fn with_key(key: Key, mut item: Item) -> Item {
    item.extend(key_item(&key));
    item
}

/// The table key of an item read from the table or an index.
pub(crate) fn key_of(item: &Item) -> Key {
    Key {
        pk: text(item, keys::PK).unwrap_or_default(),
        sk: text(item, keys::SK).unwrap_or_default(),
    }
}

pub(crate) fn to_item<T: Serialize>(value: &T) -> Result<Item> {
    serde_dynamo::to_item(value).map_err(|e| Error::Invalid(format!("cannot store value: {e}")))
}

pub(crate) fn to_attr<T: Serialize>(value: &T) -> Result<AttributeValue> {
    serde_dynamo::to_attribute_value(value)
        .map_err(|e| Error::Invalid(format!("cannot store value: {e}")))
}

pub(crate) fn from_item<T: DeserializeOwned>(item: Item) -> Result<T> {
    serde_dynamo::from_item(item).map_err(|e| Error::Aws {
        service: "DynamoDB",
        message: format!("stored item does not match its type: {e}"),
        retryable: false,
    })
}

/// A request part from an SDK builder, whose only failure is a missing required field.
pub(crate) fn built<T, E: std::fmt::Display>(r: std::result::Result<T, E>) -> Result<T> {
    r.map_err(|e| Error::Invalid(e.to_string()))
}

/// An update that sets every attribute of `item`; those named in `keep_first` keep an existing
/// value (`if_not_exists`), so the first write of them wins.
pub(crate) fn upsert(table: &str, key: Key, item: Item, keep_first: &[&str]) -> Result<Update> {
    let mut builder = Update::builder()
        .table_name(table)
        .set_key(Some(key_item(&key)));
    let mut sets = Vec::with_capacity(item.len());
    for (i, (name, value)) in item.into_iter().enumerate() {
        if name == keys::PK || name == keys::SK {
            continue;
        }
        let (n, v) = (format!("#a{i}"), format!(":v{i}"));
        if keep_first.contains(&name.as_str()) {
            sets.push(format!("{n} = if_not_exists({n}, {v})"));
        } else {
            sets.push(format!("{n} = {v}"));
        }
        builder = builder
            .expression_attribute_names(n, name)
            .expression_attribute_values(v, value);
    }
    built(
        builder
            .update_expression(format!("SET {}", sets.join(", ")))
            .build(),
    )
}
