use compliance_review::{ComplianceReview, Config};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use shared::{aws, clock, config::Env, telemetry};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let config = Config::from_env(&Env::from_process())?;
    let clients = aws::Clients::new(&aws::load_from_environment().await);
    let function = &ComplianceReview::new(&clients, config, clock::system())?;
    run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            Ok::<_, Error>(function.handle(event.payload).await?)
        },
    ))
    .await
}
