//! AWS SDK configuration. Deployed functions use the default chains (region, credentials, and
//! `AWS_ENDPOINT_URL` when set); the local stack passes its own `SdkConfig` pointing at moto.

use aws_config::{BehaviorVersion, SdkConfig};

pub async fn load_from_environment() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).load().await
}

/// The three clients every function is built from.
#[derive(Clone, Debug)]
pub struct Clients {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub secrets: aws_sdk_secretsmanager::Client,
}

impl Clients {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            dynamodb: aws_sdk_dynamodb::Client::new(config),
            sqs: aws_sdk_sqs::Client::new(config),
            secrets: aws_sdk_secretsmanager::Client::new(config),
        }
    }
}
