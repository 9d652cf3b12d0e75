//! JSON logs through `tracing`. Spans carry tenant, contract, seat and request ids; never
//! personal data (names, emails, phones, message bodies).

use tracing_subscriber::EnvFilter;

/// Installs the JSON subscriber once; later calls are no-ops. `RUST_LOG` overrides the level.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .try_init();
}
