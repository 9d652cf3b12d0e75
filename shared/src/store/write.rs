//! Writes that can lose, handled one way each: a failed write condition is an answer (nothing was
//! written), not an error; a read-decide-write that lost a race is tried again a few times; and
//! what a batch request left unprocessed is sent again with backoff.

use std::future::Future;
use std::time::Duration;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

use crate::error::{Error, Result};

/// The result of a conditional write (or transaction), with a failed condition told apart from
/// the errors that are errors (those become [`Error::aws`]).
pub(crate) trait Conditional<T, E, R> {
    /// `None` when the condition failed: nothing was written.
    fn conditional(self) -> Result<Option<T>>;

    /// `Err` with the SDK's error when the condition failed (it can carry the item as it was).
    fn or_condition_failed(self) -> Result<std::result::Result<T, SdkError<E, R>>>;
}

impl<T, E, R> Conditional<T, E, R> for std::result::Result<T, SdkError<E, R>>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    fn conditional(self) -> Result<Option<T>> {
        self.or_condition_failed().map(std::result::Result::ok)
    }

    fn or_condition_failed(self) -> Result<std::result::Result<T, SdkError<E, R>>> {
        match self {
            Ok(output) => Ok(Ok(output)),
            Err(err) if condition_failed(&err) => Ok(Err(err)),
            Err(err) => Err(Error::aws("DynamoDB", err)),
        }
    }
}

/// A single-item write whose condition did not hold, or a transaction cancelled by one.
fn condition_failed<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.as_service_error()
        .and_then(ProvideErrorMetadata::code)
        .is_some_and(|code| {
            matches!(
                code,
                "ConditionalCheckFailedException" | "TransactionCanceledException"
            )
        })
}

/// Runs a read-decide-write `attempt` until it settles, at most `tries` times. An attempt
/// answers `Some` when it is done (it wrote, or found nothing to write) and `None` when its
/// write, conditional on what it read, lost to another writer; `None` after the last try means
/// every try lost, which the caller turns into its own error.
pub async fn retry_lost_races<T, E, F, Fut>(tries: usize, mut attempt: F) -> Result<Option<T>, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, E>>,
{
    for _ in 0..tries {
        if let Some(done) = attempt().await? {
            return Ok(Some(done));
        }
    }
    Ok(None)
}

/// The pause between rounds of a batch request that DynamoDB did not fully process (throttled
/// partitions): 50 ms, doubling up to 1.6 s; after eight rounds the work is given back to be
/// retried later.
pub(crate) struct Unprocessed {
    rounds: u32,
    gave_up: &'static str,
}

impl Unprocessed {
    /// `gave_up` says what was left unprocessed when it gives up.
    pub(crate) fn new(gave_up: &'static str) -> Self {
        Self { rounds: 0, gave_up }
    }

    /// Waits before sending what is left again, or gives up.
    pub(crate) async fn wait(&mut self) -> Result<()> {
        self.rounds += 1;
        if self.rounds > 8 {
            return Err(Error::Aws {
                service: "DynamoDB",
                message: self.gave_up.into(),
                retryable: true,
            });
        }
        tokio::time::sleep(Duration::from_millis(25 << self.rounds.min(6))).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[tokio::test]
    async fn a_lost_race_is_tried_again_until_it_settles_or_the_tries_run_out() {
        // Settles on the third try: two races lost, then written.
        let tries = Cell::new(0);
        let settled: Result<Option<&str>> = retry_lost_races(5, || {
            tries.set(tries.get() + 1);
            let n = tries.get();
            async move { Ok((n == 3).then_some("written")) }
        })
        .await;
        assert_eq!(settled.unwrap(), Some("written"));
        assert_eq!(tries.get(), 3);

        // Every try lost: the caller decides what that means.
        tries.set(0);
        let lost: Result<Option<()>> = retry_lost_races(5, || {
            tries.set(tries.get() + 1);
            async { Ok(None) }
        })
        .await;
        assert_eq!(lost.unwrap(), None);
        assert_eq!(tries.get(), 5);

        // An error is not a lost race: no more tries.
        tries.set(0);
        let failed: Result<Option<()>> = retry_lost_races(5, || {
            tries.set(tries.get() + 1);
            async { Err(Error::Invalid("no".into())) }
        })
        .await;
        assert!(failed.is_err());
        assert_eq!(tries.get(), 1);
    }
}
