#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::lambda::serve(shared::function!(tenant_upkeep::TenantUpkeep)).await
}
