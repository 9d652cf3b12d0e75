//! LinkedIn's answers, as the client decodes them: any bytes must decode or fail cleanly,
//! never panic, for every wire type the integration reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::linkedin::wire;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<wire::Elements<wire::ExportElement>>(data);
    let _ = serde_json::from_slice::<wire::Elements<wire::InMailElement>>(data);
    let _ = serde_json::from_slice::<wire::Elements<wire::NoteElement>>(data);
    let _ = serde_json::from_slice::<wire::Elements<wire::StubElement>>(data);
    let _ = serde_json::from_slice::<wire::Elements<wire::SeatElement>>(data);
    let _ = serde_json::from_slice::<wire::Elements<wire::PurgedElement>>(data);
    let _ = serde_json::from_slice::<wire::TokenResponse>(data);
    let _ = serde_json::from_slice::<wire::ErrorBody>(data);
    let _ = serde_json::from_slice::<wire::BatchCreated>(data);
    let _ = serde_json::from_slice::<wire::BatchUpdated>(data);
    let _ = serde_json::from_slice::<wire::JobTasks>(data);
    let _ = serde_json::from_slice::<wire::IntegrationStatus>(data);
});
