//! The webhook's work on untrusted input before anything is stored or queued: read the body
//! of an API Gateway event (size limit, base64), check `X-LI-Signature`, parse the
//! notification. Nothing may panic, and a body signed with the right secret must verify. The
//! signature line is also tried as a challenge code, which must be a UUID to be accepted.
//!
//! Input: the first line is the signature header, the rest is the body; the first byte picks
//! whether the body arrives base64-encoded.
#![no_main]

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use shared::webhook;

const SECRET: &str = "fuzz-secret";
const LIMIT: usize = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let split = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let (header, body) = rest.split_at(split);
    let body = body.get(1..).unwrap_or_default();
    let header = String::from_utf8_lossy(header).into_owned();
    // The challenge signs nothing a notification signature covers: only a UUID is a code.
    if let Ok(code) = webhook::ChallengeCode::parse(&header) {
        assert_eq!(code.as_str().len(), 36);
        assert!(!code.as_str().starts_with("hmacsha256="));
    }

    let mut req = ApiGatewayV2httpRequest::default();
    if mode & 1 == 1 {
        req.body = Some(base64::engine::general_purpose::STANDARD.encode(body));
        req.is_base64_encoded = true;
    } else {
        req.body = Some(String::from_utf8_lossy(body).into_owned());
    }
    let Ok(raw) = shared::http::raw_body(&req, LIMIT) else {
        return;
    };
    let _ = webhook::verify_signature(SECRET, &raw, Some(&header));
    // The body signed as LinkedIn signs it always verifies.
    let signed = webhook::sign(SECRET, &raw);
    assert_eq!(webhook::verify_signature(SECRET, &raw, Some(&signed)), Ok(()));
    if let Ok(n) = webhook::parse_notification(&raw) {
        // What parsing accepts is safe to use as an id.
        assert!(!n.notification_id.is_empty() && !n.request_id.is_empty());
    }
});
