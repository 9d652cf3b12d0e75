//! Errors, split by what the caller should do with them: retry later, or give up on this input.

use std::time::Duration;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),

    /// The input can never be processed as it is (bad message, missing required field).
    #[error("invalid input: {0}")]
    Invalid(String),

    /// Something the input names does not exist.
    #[error("not found: {0}")]
    NotFound(String),

    /// LinkedIn answered 429; the call may be repeated after the given delay.
    #[error("LinkedIn throttled the call (retry after {retry_after:?})")]
    Throttled { retry_after: Option<Duration> },

    /// LinkedIn could not be reached, timed out, or answered 5xx.
    #[error("LinkedIn is unavailable: {0}")]
    LinkedInUnavailable(String),

    /// LinkedIn refused the call for a reason that retrying will not fix.
    #[error("LinkedIn rejected the call with status {status}: {message}")]
    LinkedInRejected {
        status: u16,
        service_error_code: Option<i64>,
        message: String,
    },

    /// LinkedIn says the contract is expired or the integration is switched off.
    #[error("LinkedIn reports the contract or integration as inactive: {0}")]
    IntegrationInactive(String),

    /// LinkedIn answered with a body that does not match the documented shape.
    #[error("unexpected answer from LinkedIn: {0}")]
    LinkedInContract(String),

    /// An AWS call failed.
    #[error("{service} call failed: {message}")]
    Aws {
        service: &'static str,
        message: String,
        retryable: bool,
    },

    /// A customer secret is missing or unreadable.
    #[error("customer secret problem: {0}")]
    Secret(String),
}

impl Error {
    /// Whether trying the same work again later can succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Throttled { .. } | Error::LinkedInUnavailable(_) => true,
            Error::Aws { retryable, .. } => *retryable,
            // A secret that cannot be read is usually a permissions or rollout problem that an
            // operator fixes; keep the work until then.
            Error::Secret(_) => true,
            Error::Config(_)
            | Error::Invalid(_)
            | Error::NotFound(_)
            | Error::LinkedInRejected { .. }
            | Error::IntegrationInactive(_)
            | Error::LinkedInContract(_) => false,
        }
    }

    /// How long to wait before retrying, when the other side told us.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Throttled { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// A short, stable label for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Config(_) => "config",
            Error::Invalid(_) => "invalid",
            Error::NotFound(_) => "not_found",
            Error::Throttled { .. } => "throttled",
            Error::LinkedInUnavailable(_) => "linkedin_unavailable",
            Error::LinkedInRejected { .. } => "linkedin_rejected",
            Error::IntegrationInactive(_) => "integration_inactive",
            Error::LinkedInContract(_) => "linkedin_contract",
            Error::Aws { .. } => "aws",
            Error::Secret(_) => "secret",
        }
    }

    /// Wraps an AWS SDK error; client-side validation problems are permanent, the rest retryable.
    pub fn aws<E, R>(service: &'static str, err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let code = err.code().unwrap_or_default().to_owned();
        let permanent = matches!(
            code.as_str(),
            "ValidationException"
                | "InvalidParameterValue"
                | "InvalidParameterException"
                | "AccessDeniedException"
                | "AccessDenied"
                | "ResourceNotFoundException"
                | "AWS.SimpleQueueService.NonExistentQueue"
                | "QueueDoesNotExist"
        ) || matches!(err, SdkError::ConstructionFailure(_));
        Error::Aws {
            service,
            message: format!("{}", DisplayErrorContext(&err)),
            retryable: !permanent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_split() {
        assert!(Error::Throttled { retry_after: None }.is_retryable());
        assert!(Error::LinkedInUnavailable("503".into()).is_retryable());
        assert!(!Error::Invalid("no requestId".into()).is_retryable());
        assert!(!Error::IntegrationInactive("403/100".into()).is_retryable());
        assert_eq!(
            Error::Throttled {
                retry_after: Some(Duration::from_secs(7))
            }
            .retry_after(),
            Some(Duration::from_secs(7))
        );
    }
}
