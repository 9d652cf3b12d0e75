#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::lambda::serve(shared::function!(compliance_review::ComplianceReview)).await
}
