//! AWS SDK configuration. Deployed functions use the default chains (region, credentials, and
//! `AWS_ENDPOINT_URL` when set); the local stack passes its own `SdkConfig` pointing at moto.

use aws_config::{BehaviorVersion, SdkConfig};

pub async fn load_from_environment() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).load().await
}

/// The clients every function is built from.
#[derive(Clone, Debug)]
pub struct Clients {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub secrets: aws_sdk_secretsmanager::Client,
    pub events: aws_sdk_eventbridge::Client,
}

impl Clients {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            dynamodb: aws_sdk_dynamodb::Client::new(config),
            sqs: aws_sdk_sqs::Client::new(config),
            secrets: aws_sdk_secretsmanager::Client::new(config),
            events: aws_sdk_eventbridge::Client::new(config),
        }
    }
}

/// A function's handler, built on its first event rather than at start-up: the AWS SDK's set-up
/// (configuration chains, TLS roots, HTTP clients) and the function's own clients then happen
/// after the runtime has asked Lambda for work, so init stays at the runtime's floor and nothing
/// touches the network before an event arrives. A build that fails is tried again on the next
/// event.
pub struct OnFirstEvent<T> {
    cell: tokio::sync::OnceCell<T>,
    build: Build<T>,
}

/// How a handler is made from the clients.
type Build<T> = Box<dyn Fn(&Clients) -> crate::Result<T> + Send + Sync>;

impl<T> OnFirstEvent<T> {
    pub fn new(build: impl Fn(&Clients) -> crate::Result<T> + Send + Sync + 'static) -> Self {
        Self {
            cell: tokio::sync::OnceCell::new(),
            build: Box::new(build),
        }
    }

    /// The handler, built with clients from the environment's AWS configuration on first use.
    pub async fn get(&self) -> crate::Result<&T> {
        self.cell
            .get_or_try_init(|| async {
                let clients = Clients::new(&load_from_environment().await);
                (self.build)(&clients)
            })
            .await
    }
}
