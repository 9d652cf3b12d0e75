//! Onboarding: registering a customer's callback URL with LinkedIn, then checking it end to end
//! with a challenge of our own.

use std::time::{Duration, Instant};

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use serde::{Deserialize, Serialize};
use shared::{Error, http, webhook};

use crate::{AdminApi, Answer, ApiError};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RegisterInput {
    /// The callback URL to register; by default this API's own webhook route for the tenant.
    #[serde(default)]
    callback_url: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Registered {
    callback_url: String,
    /// LinkedIn accepted the URL after its own challenge.
    linkedin_validated: bool,
    /// Our own challenge to the URL got the right answer, in this many milliseconds (LinkedIn
    /// allows 3 s).
    round_trip_ms: u64,
}

impl AdminApi {
    pub(crate) async fn register_callback(
        &self,
        tenant_id: &str,
        req: &ApiGatewayV2httpRequest,
        body: RegisterInput,
    ) -> Answer {
        let tenant = self.tenant(tenant_id).await?;
        let url = match body.callback_url {
            Some(u) => u,
            None => own_callback_url(req, tenant_id)?,
        };
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2_000 {
            return Err(ApiError::invalid("callbackUrl must be an http(s) URL"));
        }
        let creds = self.secrets.get(tenant_id).await?;
        match self
            .linkedin
            .register_callback(&creds, &tenant.organization, &url)
            .await
        {
            Ok(()) => {}
            Err(Error::LinkedInRejected { message, .. }) => {
                return Err(ApiError::new(
                    422,
                    "callback_rejected",
                    format!(
                        "LinkedIn did not accept the callback URL: {message}. Check that the \
                         tenant's clientSecret is the child application's current secret"
                    ),
                ));
            }
            Err(e) => return Err(e.into()),
        }
        let round_trip = self.challenge(&url, &creds.client_secret).await?;
        Ok(http::json(
            200,
            &Registered {
                callback_url: url,
                linkedin_validated: true,
                round_trip_ms: round_trip.as_millis() as u64,
            },
        ))
    }

    /// Sends the callback URL a challenge as LinkedIn would and checks the answer.
    async fn challenge(&self, url: &str, secret: &str) -> Result<Duration, ApiError> {
        let code = format!(
            "check-{}",
            shared::ids::truncate(&self.clock.now_ms().to_string(), 20)
        );
        let expected = webhook::answer_challenge(secret, &code);
        let started = Instant::now();
        let failed = |why: String| {
            ApiError::new(
                422,
                "challenge_failed",
                format!("LinkedIn accepted the URL, but our own challenge to it failed: {why}"),
            )
        };
        let resp = self
            .http
            .get(url)
            .query(&[("challengeCode", code.as_str())])
            .timeout(Duration::from_secs(3))
            .send()
            .await
            .map_err(|e| failed(format!("no answer within 3 s ({})", e.without_url())))?;
        if !resp.status().is_success() {
            return Err(failed(format!("status {}", resp.status())));
        }
        let answer: webhook::ChallengeAnswer = resp
            .json()
            .await
            .map_err(|_| failed("the answer is not the challenge JSON".into()))?;
        if answer != expected {
            return Err(failed(
                "the answer does not match the tenant's secret".into(),
            ));
        }
        Ok(started.elapsed())
    }
}

/// This API's webhook route for the tenant, from how the request reached us (API Gateway sets the
/// domain and `x-forwarded-proto`).
fn own_callback_url(req: &ApiGatewayV2httpRequest, tenant_id: &str) -> Result<String, ApiError> {
    let domain = req
        .request_context
        .domain_name
        .as_deref()
        .filter(|d| !d.is_empty())
        .ok_or_else(|| {
            ApiError::invalid("callbackUrl is required here (the request names no domain)")
        })?;
    let scheme = http::header(req, "x-forwarded-proto").unwrap_or("https");
    Ok(format!("{scheme}://{domain}/linkedin/{tenant_id}/events"))
}
