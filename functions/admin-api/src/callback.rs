//! The callback URL: registering this deployment's webhook route with LinkedIn, then checking it end to end
//! with a challenge of our own.

use std::time::{Duration, Instant};

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use serde::{Deserialize, Serialize};
use shared::domain::Tenant;
use shared::http::{self, Answer, Refusal};
use shared::secrets::LinkedInCredentials;
use shared::{Error, webhook};

use crate::AdminApi;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RegisterInput {
    /// Optional, and only ever this API's own webhook route for the tenant: a URL anywhere else
    /// would receive the tenant's signed notifications.
    #[serde(default)]
    callback_url: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Registered {
    pub(crate) callback_url: String,
    /// LinkedIn accepted the URL after its own challenge.
    linkedin_validated: bool,
    /// Our own challenge to the URL got the right answer, in this many milliseconds (LinkedIn
    /// allows 3 s).
    pub(crate) round_trip_ms: u64,
}

impl AdminApi {
    /// Registers this deployment's callback URL for the tenant. On any failure LinkedIn's
    /// previous value is put back, so a failed attempt never leaves LinkedIn pointing at a URL
    /// that was not checked.
    pub(crate) async fn register_callback(
        &self,
        tenant_id: &str,
        req: &ApiGatewayV2httpRequest,
        body: RegisterInput,
    ) -> Answer {
        let tenant = self.tenant(tenant_id).await?;
        let url = own_callback_url(req, tenant_id)?;
        if let Some(asked) = body.callback_url
            && asked != url
        {
            return Err(Refusal::invalid(format!(
                "callbackUrl can only be this deployment's own webhook route for the tenant, {url}"
            )));
        }
        let creds = self.secrets.get(tenant_id).await?;
        let registered = self.register(&tenant, &url, &creds).await?;
        Ok(http::json(200, &registered))
    }

    /// Registers `url` as the tenant's callback and checks it with our own challenge; on any
    /// failure puts LinkedIn's previous setting back.
    pub(crate) async fn register(
        &self,
        tenant: &Tenant,
        url: &str,
        creds: &LinkedInCredentials,
    ) -> Result<Registered, Refusal> {
        let url = url.to_owned();
        // LinkedIn's current setting, to put back if this registration fails. A refusal here is
        // LinkedIn refusing the tenant's credentials, the admin's to fix (not a 503).
        let previous = match self
            .linkedin
            .registered_callback(creds, &tenant.organization)
            .await
        {
            Ok(previous) => previous,
            Err(Error::LinkedInRejected { message, .. }) => {
                return Err(Refusal::new(
                    422,
                    "callback_rejected",
                    format!(
                        "LinkedIn refused to read the callback configuration: {message}. Check \
                         that the tenant's clientId and clientSecret are the child application's"
                    ),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let registered = match self
            .linkedin
            .register_callback(creds, &tenant.organization, &url)
            .await
        {
            Ok(()) => Ok(()),
            Err(Error::LinkedInRejected { message, .. }) => Err(Refusal::new(
                422,
                "callback_rejected",
                format!(
                    "LinkedIn did not accept the callback URL: {message}. Check that the \
                     tenant's clientSecret is the child application's current secret"
                ),
            )),
            Err(e) => Err(e.into()),
        };
        // Read back (collection, "Verify Customer Integrations - Configs"): LinkedIn keeps what
        // it said it accepted.
        let registered = match registered {
            Ok(()) => match self
                .linkedin
                .registered_callback(creds, &tenant.organization)
                .await
            {
                Ok(Some(kept)) if kept == url => Ok(()),
                Ok(kept) => Err(Refusal::new(
                    422,
                    "callback_rejected",
                    format!(
                        "LinkedIn accepted the callback URL but reads back {}",
                        kept.as_deref().unwrap_or("none")
                    ),
                )),
                Err(e) => Err(e.into()),
            },
            Err(e) => Err(e),
        };
        let checked = match registered {
            Ok(()) => self.challenge(&url, &creds.client_secret).await,
            Err(e) => Err(e),
        };
        match checked {
            Ok(round_trip) => Ok(Registered {
                callback_url: url,
                linkedin_validated: true,
                round_trip_ms: round_trip.as_millis() as u64,
            }),
            Err(mut refused) => {
                if previous.as_deref() != Some(url.as_str()) {
                    let restored = match &previous {
                        Some(old) => {
                            self.linkedin
                                .register_callback(creds, &tenant.organization, old)
                                .await
                        }
                        None => {
                            self.linkedin
                                .remove_callback(creds, &tenant.organization)
                                .await
                        }
                    };
                    match restored {
                        Ok(()) => refused
                            .message
                            .push_str(". LinkedIn's previous callback setting was put back"),
                        Err(e) => {
                            tracing::error!(error = %e, "previous callback URL not restored");
                            refused.message.push_str(
                                ". LinkedIn's previous callback setting could not be put back; \
                                 register again",
                            );
                        }
                    }
                }
                Err(refused)
            }
        }
    }

    /// Sends the callback URL a challenge as LinkedIn would and checks the answer. Redirects are
    /// not followed (the client is built without them).
    async fn challenge(&self, url: &str, secret: &str) -> Result<Duration, Refusal> {
        let code = webhook::ChallengeCode::random();
        let expected = webhook::answer_challenge(secret, &code);
        let started = Instant::now();
        let failed = |why: String| {
            Refusal::new(
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

/// This API's webhook route for the tenant, from how the request reached us: API Gateway sets
/// the domain, and `x-forwarded-proto` (locally `http`; anything else is `https`).
pub(crate) fn own_callback_url(
    req: &ApiGatewayV2httpRequest,
    tenant_id: &str,
) -> Result<String, Refusal> {
    let domain = req
        .request_context
        .domain_name
        .as_deref()
        .filter(|d| {
            !d.is_empty()
                && d.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
        })
        .ok_or_else(|| {
            Refusal::invalid("the request names no domain, so no callback URL can be made")
        })?;
    let scheme = match http::header(req, "x-forwarded-proto") {
        Some("http") => "http",
        _ => "https",
    };
    Ok(format!("{scheme}://{domain}/linkedin/{tenant_id}/events"))
}
