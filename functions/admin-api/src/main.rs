use admin_api::{AdminApi, Config};
use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use shared::{aws, clock, config::Env, telemetry};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let config = Config::from_env(&Env::from_process())?;
    let clients = aws::Clients::new(&aws::load_from_environment().await);
    let function = &AdminApi::new(&clients, config, clock::system())?;
    run(service_fn(
        move |event: LambdaEvent<ApiGatewayV2httpRequest>| async move {
            Ok::<_, Error>(function.handle(event.payload).await)
        },
    ))
    .await
}
