//! The two ways the store reads a partition: every item of it (all pages), or one page for an
//! API listing, whose token is checked against the listing it came from.

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use serde::de::DeserializeOwned;

use super::{
    Item, MAX_PAGE_SIZE, Page, Store, check_sort_prefix, decode_token, encode_token, from_item, s,
};
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
