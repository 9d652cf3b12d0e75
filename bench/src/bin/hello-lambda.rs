//! The cold-start floor: a hello-world `lambda_runtime` function, built with the same release
//! profile as the real ones. `make bench` compares every function with it.

use lambda_runtime::{Error, LambdaEvent, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(
        |event: LambdaEvent<serde_json::Value>| async move { Ok::<_, Error>(event.payload) },
    ))
    .await
}
