//! The two ways the store reads a partition: every item of it (all pages), or one page for an
//! API listing, whose token is checked against the listing it came from.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;

use super::item::{Item, from_item, s};
use super::{MAX_PAGE_SIZE, Page, Store};
use crate::error::{Error, Result};
use crate::keys;

/// A partition of the table or of an index, optionally narrowed to a sort-key prefix.
pub(crate) struct Partition {
    index: Option<&'static str>,
    key_attr: &'static str,
    value: String,
    sort_prefix: Option<&'static str>,
}

impl Partition {
    /// A partition of the table itself.
    pub(crate) fn table(pk: String) -> Self {
        Self {
            index: None,
            key_attr: keys::PK,
            value: pk,
            sort_prefix: None,
        }
    }

    /// A partition of a global secondary index.
    pub(crate) fn index(index: &'static str, key_attr: &'static str, value: String) -> Self {
        Self {
            index: Some(index),
            key_attr,
            value,
            sort_prefix: None,
        }
    }

    /// Only the items whose table sort key starts with `prefix`.
    pub(crate) fn prefix(mut self, prefix: &'static str) -> Self {
        self.sort_prefix = Some(prefix);
        self
    }
}

impl Store {
    fn query_on(&self, p: &Partition) -> QueryFluentBuilder {
        let q = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(p.index.map(str::to_owned))
            .expression_attribute_names("#pk", p.key_attr)
            .expression_attribute_values(":pk", s(&p.value));
        match p.sort_prefix {
            Some(prefix) => q
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", keys::SK)
                .expression_attribute_values(":prefix", s(prefix)),
            None => q.key_condition_expression("#pk = :pk"),
        }
    }

    /// Every item of the partition, in sort-key order, reading all pages.
    pub(crate) async fn query_all(&self, p: &Partition) -> Result<Vec<Item>> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let resp = self
                .query_on(p)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| Error::aws("DynamoDB", e))?;
            out.extend(resp.items.unwrap_or_default());
            match resp.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }

    /// `query_all`, decoded.
    pub(crate) async fn query_all_as<T: DeserializeOwned>(&self, p: &Partition) -> Result<Vec<T>> {
        self.query_all(p)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    /// One page of the partition for an API listing. A token from another listing is refused.
    pub(crate) async fn query_page<T: DeserializeOwned>(
        &self,
        p: &Partition,
        limit: i32,
        next_token: Option<&str>,
        ascending: bool,
    ) -> Result<Page<T>> {
        let page = self
            .query_page_items(p, limit, next_token, ascending)
            .await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(from_item)
                .collect::<Result<Vec<T>>>()?,
            next_token: page.next_token,
        })
    }

    /// `query_page`, undecoded.
    pub(crate) async fn query_page_items(
        &self,
        p: &Partition,
        limit: i32,
        next_token: Option<&str>,
        ascending: bool,
    ) -> Result<Page<Item>> {
        let start = next_token
            .map(|t| decode_token(t, p.key_attr, &p.value))
            .transpose()?;
        if let Some(prefix) = p.sort_prefix {
            check_sort_prefix(start.as_ref(), prefix)?;
        }
        let resp = self
            .query_on(p)
            .scan_index_forward(ascending)
            .limit(limit.clamp(1, MAX_PAGE_SIZE))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        let next_token = match resp.last_evaluated_key() {
            Some(k) if !k.is_empty() => Some(encode_token(k)),
            _ => None,
        };
        Ok(Page {
            items: resp.items.unwrap_or_default(),
            next_token,
        })
    }
}

/// Page tokens are the index's last evaluated key, as URL-safe base64 JSON of its string values.
fn encode_token(key: &Item) -> String {
    let map: HashMap<&str, &str> = key
        .iter()
        .filter_map(|(k, v)| v.as_s().ok().map(|s| (k.as_str(), s.as_str())))
        .collect();
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&map).unwrap_or_default())
}

/// Refuses a decoded page token whose sort key is outside the listing's prefix (a token of
/// another listing in the same partition).
fn check_sort_prefix(start: Option<&Item>, prefix: &str) -> Result<()> {
    match start {
        Some(key)
            if !key
                .get(keys::SK)
                .and_then(|v| v.as_s().ok())
                .is_some_and(|sk| sk.starts_with(prefix)) =>
        {
            Err(Error::Invalid(
                "nextToken is not a token this API returned".into(),
            ))
        }
        _ => Ok(()),
    }
}

/// Decodes a page token and checks it belongs to the listing it is used for.
fn decode_token(token: &str, partition_attr: &str, partition: &str) -> Result<Item> {
    let bad = || Error::Invalid("nextToken is not a token this API returned".into());
    // A key is at most a few hundred bytes; DynamoDB refuses more than 2 KB per key attribute.
    if token.len() > 4_096 {
        return Err(bad());
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| bad())?;
    let map: HashMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    // Exactly the key attributes of what is queried (the table's, plus the index's), each
    // non-empty: anything else is refused here rather than by DynamoDB as a server error.
    let mut expected = vec![keys::PK, keys::SK];
    if partition_attr == keys::GSI1_PK {
        expected.extend([keys::GSI1_PK, keys::GSI1_SK]);
    } else if partition_attr == keys::GSI2_PK {
        expected.extend([keys::GSI2_PK, keys::GSI2_SK]);
    }
    let well_formed = map.len() == expected.len()
        && expected.iter().all(|k| {
            map.get(*k)
                .is_some_and(|v| !v.is_empty() && v.len() <= 1_024)
        });
    if !well_formed || map.get(partition_attr).map(String::as_str) != Some(partition) {
        return Err(bad());
    }
    Ok(map.into_iter().map(|(k, v)| (k, s(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip_and_reject_garbage() {
        let key: Item = HashMap::from([
            ("pk".to_owned(), s("A")),
            ("sk".to_owned(), s("a")),
            ("gsi1pk".to_owned(), s("B")),
            ("gsi1sk".to_owned(), s("b")),
        ]);
        assert_eq!(
            decode_token(&encode_token(&key), "gsi1pk", "B").unwrap(),
            key
        );
        assert!(decode_token(&encode_token(&key), "gsi1pk", "other tenant").is_err());
        assert!(decode_token(&encode_token(&key), "pk", "B").is_err());
        assert!(decode_token("not base64!", "gsi1pk", "B").is_err());
        let evil = URL_SAFE_NO_PAD.encode(br#"{"evil":"x","gsi1pk":"B"}"#);
        assert!(decode_token(&evil, "gsi1pk", "B").is_err());
        // Crafted tokens DynamoDB itself would refuse (a server error, once): missing or empty
        // key attributes, the wrong set for the index.
        for crafted in [
            &br#"{"gsi1pk":"B"}"#[..],
            br#"{"pk":"A","gsi1pk":"B"}"#,
            br#"{"pk":"A","sk":"","gsi1pk":"B","gsi1sk":"x"}"#,
            br#"{"pk":"B","sk":"x","gsi1pk":"B","gsi1sk":"x"}"#,
        ] {
            let partition = if crafted.starts_with(br#"{"pk":"B""#) {
                "pk"
            } else {
                "gsi1pk"
            };
            assert!(
                decode_token(&URL_SAFE_NO_PAD.encode(crafted), partition, "B").is_err(),
                "{}",
                String::from_utf8_lossy(crafted)
            );
        }
        let table = HashMap::from([("pk".to_owned(), s("B")), ("sk".to_owned(), s("x"))]);
        assert_eq!(
            decode_token(&encode_token(&table), "pk", "B").unwrap(),
            table
        );
        // The linked-seat index pages its shards with these tokens (a shard of more than 100
        // seats): gsi2's keys, not gsi1's.
        let shard = HashMap::from([
            ("pk".to_owned(), s("TENANT#t")),
            ("sk".to_owned(), s("SEAT#1#2")),
            ("gsi2pk".to_owned(), s("LINKED_SEAT#03")),
            ("gsi2sk".to_owned(), s("t#1#2")),
        ]);
        assert_eq!(
            decode_token(&encode_token(&shard), "gsi2pk", "LINKED_SEAT#03").unwrap(),
            shard
        );
        assert!(decode_token(&encode_token(&shard), "gsi2pk", "LINKED_SEAT#04").is_err());
    }
}
