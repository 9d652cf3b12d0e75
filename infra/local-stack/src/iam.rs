//! The functions' IAM roles, as far as DynamoDB goes: each function's client refuses an action
//! its role in template.yaml does not allow, as AWS would (AccessDenied). Without this, code
//! that calls a new DynamoDB action works locally and fails only once deployed.

use std::collections::BTreeSet;
use std::sync::Arc;

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use shared::aws::Clients;

#[derive(Debug)]
struct RoleAllows {
    function: String,
    actions: Arc<BTreeSet<String>>,
}

impl Intercept for RoleAllows {
    fn name(&self) -> &'static str {
        "RoleAllows"
    }
    fn read_before_transmit(
        &self,
        ctx: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = crate::counting::operation(ctx);
        let body = ctx.request().body().bytes().unwrap_or_default();
        for action in actions_of(operation, body) {
            if !self.actions.contains(&action) {
                tracing::error!(function = %self.function, %action, "denied by the function's role in template.yaml");
                return Err(format!(
                    "AccessDenied: {}'s role in template.yaml does not allow dynamodb:{action}",
                    self.function
                )
                .into());
            }
        }
        Ok(())
    }
}

/// The IAM actions a request needs: its operation's, except for transactions, which need the
/// actions of their items (AWS: "Using IAM with DynamoDB transactions").
fn actions_of(operation: &str, body: &[u8]) -> Vec<String> {
    let items = |field: &str| -> Vec<String> {
        let parsed: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let mut out: Vec<String> = parsed[field]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| item.as_object()?.keys().next().cloned())
            .map(|kind| match kind.as_str() {
                "Put" => "PutItem".to_owned(),
                "Update" => "UpdateItem".to_owned(),
                "Delete" => "DeleteItem".to_owned(),
                "ConditionCheck" => "ConditionCheckItem".to_owned(),
                "Get" => "GetItem".to_owned(),
                other => other.to_owned(),
            })
            .collect();
        out.sort();
        out.dedup();
        out
    };
    match operation {
        "TransactWriteItems" | "TransactGetItems" => items("TransactItems"),
        other => vec![other.to_owned()],
    }
}

/// `clients` with DynamoDB limited to `actions` (`None`: unchecked).
pub fn restrict(clients: &Clients, function: &str, actions: Option<&BTreeSet<String>>) -> Clients {
    let Some(actions) = actions else {
        return clients.clone();
    };
    let dynamodb = aws_sdk_dynamodb::Client::from_conf(
        clients
            .dynamodb
            .config()
            .to_builder()
            .interceptor(RoleAllows {
                function: function.to_owned(),
                actions: Arc::new(actions.clone()),
            })
            .build(),
    );
    Clients {
        dynamodb,
        ..clients.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transaction_needs_the_actions_of_its_items() {
        let body = br#"{"TransactItems": [{"Update": {}}, {"Put": {}}, {"Update": {}}, {"ConditionCheck": {}}]}"#;
        assert_eq!(
            actions_of("TransactWriteItems", body),
            ["ConditionCheckItem", "PutItem", "UpdateItem"]
        );
        assert_eq!(actions_of("DeleteItem", b"{}"), ["DeleteItem"]);
    }
}
