use ats_sync::{AtsSync, Config};
use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use shared::{aws, clock, config::Env, telemetry};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let config = Config::from_env(&Env::from_process())?;
    let clients = aws::Clients::new(&aws::load_from_environment().await);
    let function = &AtsSync::new(&clients, config, clock::system())?;
    run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(function.handle(event.payload).await)
    }))
    .await
}
