//! One way to start a function. A function is three things: how it reads its settings, how it is
//! built from the AWS clients, and how it answers one event. [`function!`](crate::function) reads
//! them off a function crate (its `Config::from_env`, `new` and `handle`), [`serve`] runs them on
//! the Lambda runtime, and the local stack runs the same description in-process.
//!
//! ```ignore
//! #[tokio::main]
//! async fn main() -> Result<(), lambda_runtime::Error> {
//!     shared::lambda::serve(shared::function!(admin_api::AdminApi)).await
//! }
//! ```

use futures::future::BoxFuture;
use lambda_runtime::{LambdaEvent, service_fn};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::aws::{Clients, OnFirstEvent};
use crate::clock::{self, SharedClock};
use crate::config::Env;
use crate::telemetry;

/// A function of template.yaml: `F` the built handler, `C` its settings, `E` the event it takes and
/// `A` what it answers.
pub struct Function<F, C, E, A> {
    /// The settings, from the environment. Read at start-up, so a bad setting fails init.
    pub config: fn(&Env) -> crate::Result<C>,
    /// The handler, from the AWS clients, its settings and a clock.
    pub new: fn(&Clients, C, SharedClock) -> crate::Result<F>,
    /// One event, answered; an error fails the invocation.
    pub handle: for<'a> fn(&'a F, E) -> BoxFuture<'a, crate::Result<A>>,
}

impl<F, C, E, A> Function<F, C, E, A> {
    /// The handler for `env`, built at once (the local stack, which has its clients already).
    pub fn build(&self, env: &Env, clients: &Clients, clock: SharedClock) -> crate::Result<F> {
        (self.new)(clients, (self.config)(env)?, clock)
    }
}

/// Runs `function` on the Lambda runtime: JSON logs, settings from the process environment, and
/// the handler built on the first event (see [`OnFirstEvent`]: no SDK set-up before the runtime
/// asks for work).
pub async fn serve<F, C, E, A>(function: Function<F, C, E, A>) -> Result<(), lambda_runtime::Error>
where
    F: Send + Sync + 'static,
    C: Clone + Send + Sync + 'static,
    E: DeserializeOwned + Send + 'static,
    A: Serialize + Send + 'static,
{
    telemetry::init();
    let config = (function.config)(&Env::from_process())?;
    let (new, handle) = (function.new, function.handle);
    let built = &OnFirstEvent::new(move |clients| new(clients, config.clone(), clock::system()));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<E>| async move {
        Ok::<_, lambda_runtime::Error>(handle(built.get().await?, event.payload).await?)
    }))
    .await
}

/// What a function's `new` returns: the handler, or the handler if its set-up worked.
pub trait Built<F> {
    fn built(self) -> crate::Result<F>;
}

impl<F> Built<F> for F {
    fn built(self) -> crate::Result<F> {
        Ok(self)
    }
}

impl<F> Built<F> for crate::Result<F> {
    fn built(self) -> crate::Result<F> {
        self
    }
}

/// What a function's `handle` returns. HTTP and SQS handlers always answer (a failure is in the
/// response: a status code, failed batch items); a scheduled run can fail as a whole.
pub trait Answer {
    type Answer: Serialize;
    fn answer(self) -> crate::Result<Self::Answer>;
}

impl Answer for aws_lambda_events::event::apigw::ApiGatewayV2httpResponse {
    type Answer = Self;
    fn answer(self) -> crate::Result<Self> {
        Ok(self)
    }
}

impl Answer for aws_lambda_events::event::sqs::SqsBatchResponse {
    type Answer = Self;
    fn answer(self) -> crate::Result<Self> {
        Ok(self)
    }
}

impl Answer for aws_lambda_events::event::streams::DynamoDbEventResponse {
    type Answer = Self;
    fn answer(self) -> crate::Result<Self> {
        Ok(self)
    }
}

impl<T: Serialize> Answer for crate::Result<T> {
    type Answer = T;
    fn answer(self) -> crate::Result<T> {
        self
    }
}

/// The [`Function`] of a function crate, from its `Config::from_env`, `new` and `handle`:
/// `shared::function!(admin_api::AdminApi)`.
#[macro_export]
macro_rules! function {
    ($krate:ident :: $handler:ident) => {
        $crate::lambda::Function::<$krate::$handler, $krate::Config, _, _> {
            config: |env| Ok($krate::Config::from_env(env)?),
            new: |clients, config, clock| {
                $crate::lambda::Built::built($krate::$handler::new(clients, config, clock))
            },
            handle: |handler, event| {
                ::std::boxed::Box::pin(async move {
                    $crate::lambda::Answer::answer(handler.handle(event).await)
                })
            },
        }
    };
}
