#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::lambda::serve(shared::function!(seat_backfill::SeatBackfill)).await
}
