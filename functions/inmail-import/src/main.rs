use aws_lambda_events::event::sqs::SqsEvent;
use inmail_import::{Config, InMailImport};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use shared::{aws, clock, config::Env, telemetry};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let config = Config::from_env(&Env::from_process())?;
    // Built on the first event: no SDK set-up before the runtime asks for work.
    let function = &aws::OnFirstEvent::new(move |clients| {
        InMailImport::new(clients, config.clone(), clock::system())
    });
    run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(function.get().await?.handle(event.payload).await)
    }))
    .await
}
