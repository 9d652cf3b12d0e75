//! Counting AWS requests by operation, for benchmarks: an SDK interceptor keyed by the
//! `x-amz-target` header, which names the operation for DynamoDB (`DynamoDB_20120810.Query`),
//! SQS's JSON protocol (`AmazonSQS.SendMessageBatch`), Secrets Manager and EventBridge
//! (`AWSEvents.PutEvents`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;

/// Requests seen, by operation (`DynamoDB_20120810.` is left off DynamoDB's).
#[derive(Clone, Debug, Default)]
pub struct CountRequests(Arc<Mutex<BTreeMap<String, usize>>>);

impl Intercept for CountRequests {
    fn name(&self) -> &'static str {
        "CountRequests"
    }
    fn read_before_transmit(
        &self,
        ctx: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let op = operation(ctx).to_owned();
        *self.0.lock().unwrap().entry(op).or_default() += 1;
        Ok(())
    }
}

/// The operation a request names in `x-amz-target` (`DynamoDB_20120810.` left off).
pub(crate) fn operation<'a>(ctx: &'a BeforeTransmitInterceptorContextRef<'_>) -> &'a str {
    ctx.request()
        .headers()
        .get("x-amz-target")
        .unwrap_or("?")
        .trim_start_matches("DynamoDB_20120810.")
}

impl CountRequests {
    /// Clients for `sdk` whose every DynamoDB, SQS, Secrets Manager and EventBridge request is
    /// counted here.
    pub fn clients(&self, sdk: &aws_config::SdkConfig) -> shared::aws::Clients {
        shared::aws::Clients {
            dynamodb: aws_sdk_dynamodb::Client::from_conf(
                aws_sdk_dynamodb::config::Builder::from(sdk)
                    .interceptor(self.clone())
                    .build(),
            ),
            sqs: aws_sdk_sqs::Client::from_conf(
                aws_sdk_sqs::config::Builder::from(sdk)
                    .interceptor(self.clone())
                    .build(),
            ),
            secrets: aws_sdk_secretsmanager::Client::from_conf(
                aws_sdk_secretsmanager::config::Builder::from(sdk)
                    .interceptor(self.clone())
                    .build(),
            ),
            events: aws_sdk_eventbridge::Client::from_conf(
                aws_sdk_eventbridge::config::Builder::from(sdk)
                    .interceptor(self.clone())
                    .build(),
            ),
        }
    }

    /// The counts so far, which start again from zero.
    pub fn take(&self) -> BTreeMap<String, usize> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}
