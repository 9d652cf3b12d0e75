//! LinkedIn push notifications: the endpoint-validation challenge and the `X-LI-Signature` check.
//! Both are HMAC-SHA256 keyed with the customer's client secret.
//!
//! Because both use the same key and primitive, the challenge must never sign a caller's choice
//! of text: asked for `"hmacsha256=" + body`, it would forge a notification signature. LinkedIn
//! documents the challenge code as a type-4 UUID, so only a [`ChallengeCode`] (which is one) is
//! ever answered, and no UUID starts with the notification prefix.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::Error;
use crate::ids;
use crate::messages::NotificationKind;

type HmacSha256 = Hmac<Sha256>;

/// LinkedIn signs `"hmacsha256=" + body`, not the body alone.
const SIGNED_PREFIX: &[u8] = b"hmacsha256=";

/// The largest notification body accepted. Real notifications carry a few ids and are far smaller.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

fn mac(secret: &str) -> HmacSha256 {
    // HMAC accepts keys of any length; this cannot fail.
    HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length")
}

/// The answer to `GET <callback>?challengeCode=..`.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ChallengeAnswer {
    pub challenge_code: String,
    pub challenge_response: String,
}

/// A challenge code as LinkedIn sends it: a type-4 UUID in its hyphenated form (doc). Nothing
/// else is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeCode(String);

impl ChallengeCode {
    pub fn parse(code: &str) -> Result<Self, Error> {
        let uuid = (code.len() == 36)
            .then(|| uuid::Uuid::try_parse(code).ok())
            .flatten()
            .filter(|u| u.get_version_num() == 4);
        match uuid {
            Some(_) => Ok(Self(code.to_owned())),
            None => Err(Error::Invalid(
                "challengeCode must be a type-4 UUID (8-4-4-4-12 hex digits)".into(),
            )),
        }
    }

    /// A fresh code, for checking a callback URL the way LinkedIn does.
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().hyphenated().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub fn answer_challenge(secret: &str, code: &ChallengeCode) -> ChallengeAnswer {
    let mut m = mac(secret);
    m.update(code.0.as_bytes());
    ChallengeAnswer {
        challenge_code: code.0.clone(),
        challenge_response: hex::encode(m.finalize().into_bytes()),
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the X-LI-Signature header is missing")]
    Missing,
    #[error("the X-LI-Signature header is not a hex HMAC-SHA256")]
    Malformed,
    #[error("the X-LI-Signature header does not match the body")]
    Mismatch,
}

/// Checks `X-LI-Signature` over the raw body bytes, in constant time.
pub fn verify_signature(
    secret: &str,
    body: &[u8],
    header: Option<&str>,
) -> Result<(), SignatureError> {
    let header = header
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .ok_or(SignatureError::Missing)?;
    let given = hex::decode(header).map_err(|_| SignatureError::Malformed)?;
    if given.len() != 32 {
        return Err(SignatureError::Malformed);
    }
    let mut m = mac(secret);
    m.update(SIGNED_PREFIX);
    m.update(body);
    m.verify_slice(&given).map_err(|_| SignatureError::Mismatch)
}

/// The signature LinkedIn would send for `body` (used by tests and tools that replay traffic).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut m = mac(secret);
    m.update(SIGNED_PREFIX);
    m.update(body);
    hex::encode(m.finalize().into_bytes())
}

/// A push notification as LinkedIn sends it (field names assumed; see linkedin-rsc.md).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireNotification {
    notification_id: String,
    #[serde(rename = "type")]
    kind: String,
    request_id: String,
    #[serde(default)]
    integration_context: Option<String>,
    #[serde(default)]
    occurred_at: Option<i64>,
}

/// A notification that passed its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub notification_id: String,
    pub kind: NotificationKind,
    pub request_id: String,
    pub integration_context: Option<String>,
    pub occurred_at: Option<i64>,
}

/// Parses a notification body; every problem is an `Error::Invalid` saying what is wrong.
pub fn parse_notification(body: &[u8]) -> Result<Notification, Error> {
    let wire: WireNotification = serde_json::from_slice(body)
        .map_err(|e| Error::Invalid(format!("the body is not a LinkedIn notification: {e}")))?;
    ids::check_external("notificationId", &wire.notification_id)?;
    ids::check_external("requestId", &wire.request_id)?;
    let kind = match wire.kind.as_str() {
        "EXPORT_CANDIDATE_PROFILE" => NotificationKind::ExportCandidateProfile,
        "INTEGRATION_STATUS_CHANGE" => NotificationKind::IntegrationStatusChange,
        other => {
            return Err(Error::Invalid(format!(
                "unsupported notification type {:?}",
                ids::truncate(other, 60)
            )));
        }
    };
    if let Some(ctx) = &wire.integration_context {
        ids::check_external("integrationContext", ctx)?;
    }
    Ok(Notification {
        notification_id: wire.notification_id,
        kind,
        request_id: wire.request_id,
        integration_context: wire.integration_context,
        occurred_at: wire.occurred_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors computed outside this code base, with Python's standard library:
    //   hmac.new(b"s3cr/et+=", b"hmacsha256=" + body, hashlib.sha256).hexdigest()
    //   hmac.new(b"s3cr/et+=", b"3f0c7d42-9b1e-4c8a-8f2d-6a5b4c3d2e1f", hashlib.sha256).hexdigest()
    const SECRET: &str = "s3cr/et+=";
    const BODY: &[u8] =
        br#"{"notificationId":"n-1","type":"EXPORT_CANDIDATE_PROFILE","requestId":"r-1"}"#;
    const BODY_SIGNATURE: &str = "d152a4b2d531afcaaa31ebb442b376de96154cafdeaa90a291e86b38a83d87fd";
    const CHALLENGE: &str = "3f0c7d42-9b1e-4c8a-8f2d-6a5b4c3d2e1f";
    const CHALLENGE_RESPONSE: &str =
        "37593830df0265428070537d08a58b55134b76050e0354e60bf5079a1cc4cafa";

    #[test]
    fn signature_matches_independent_vector() {
        assert_eq!(verify_signature(SECRET, BODY, Some(BODY_SIGNATURE)), Ok(()));
        assert_eq!(sign(SECRET, BODY), BODY_SIGNATURE);
        // Upper-case hex is the same signature.
        assert_eq!(
            verify_signature(SECRET, BODY, Some(&BODY_SIGNATURE.to_uppercase())),
            Ok(())
        );
    }

    #[test]
    fn signature_rejections() {
        assert_eq!(
            verify_signature(SECRET, BODY, None),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_signature(SECRET, BODY, Some("")),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_signature(SECRET, BODY, Some("zz")),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_signature(SECRET, BODY, Some(&BODY_SIGNATURE[..40])),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_signature("other", BODY, Some(BODY_SIGNATURE)),
            Err(SignatureError::Mismatch)
        );
        let mut tampered = BODY.to_vec();
        tampered[5] ^= 1;
        assert_eq!(
            verify_signature(SECRET, &tampered, Some(BODY_SIGNATURE)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn challenge_matches_independent_vector() {
        let answer = answer_challenge(SECRET, &ChallengeCode::parse(CHALLENGE).unwrap());
        assert_eq!(answer.challenge_code, CHALLENGE);
        assert_eq!(answer.challenge_response, CHALLENGE_RESPONSE);
        assert_eq!(
            serde_json::to_value(&answer).unwrap(),
            serde_json::json!({"challengeCode": CHALLENGE, "challengeResponse": CHALLENGE_RESPONSE})
        );
    }

    #[test]
    fn only_type_4_uuids_are_challenge_codes() {
        let body = String::from_utf8(BODY.to_vec()).unwrap();
        for bad in [
            "",
            "abc-123",
            // The forgery: asking the challenge to sign what a notification signature covers.
            &format!("hmacsha256={body}"),
            // A version-1 UUID, a UUID without hyphens, in braces, and as a URN.
            "3f0c7d42-9b1e-1c8a-8f2d-6a5b4c3d2e1f",
            "3f0c7d429b1e4c8a8f2d6a5b4c3d2e1f",
            "{3f0c7d42-9b1e-4c8a-8f2d-6a5b4c3d2e1f}",
            "urn:uuid:3f0c7d42-9b1e-4c8a-8f2d-6a5b4c3d2e1f",
            "3f0c7d42-9b1e-4c8a-8f2d-6a5b4c3d2e1f,x",
        ] {
            assert!(ChallengeCode::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(ChallengeCode::parse(&CHALLENGE.to_uppercase()).is_ok());
        let fresh = ChallengeCode::random();
        assert_eq!(ChallengeCode::parse(fresh.as_str()).unwrap(), fresh);
    }

    #[test]
    fn notification_parsing() {
        let n = parse_notification(BODY).unwrap();
        assert_eq!(n.kind, NotificationKind::ExportCandidateProfile);
        assert_eq!(n.request_id, "r-1");
        for bad in [
            &b"not json"[..],
            br#"{"type":"EXPORT_CANDIDATE_PROFILE","requestId":"r"}"#,
            br#"{"notificationId":"n","type":"SOMETHING","requestId":"r"}"#,
            br#"{"notificationId":"n#1","type":"EXPORT_CANDIDATE_PROFILE","requestId":"r"}"#,
            br#"{"notificationId":1,"type":"EXPORT_CANDIDATE_PROFILE","requestId":"r"}"#,
        ] {
            assert!(matches!(parse_notification(bad), Err(Error::Invalid(_))));
        }
    }
}
