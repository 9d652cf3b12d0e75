//! The `make dev` scenario, run as a test so that it keeps working.

use local_stack::scenario;

use crate::harness::{Setup, World, hour_clock};

#[tokio::test]
async fn the_dev_scenario_imports_what_it_says() {
    let clock = hour_clock();
    let w = World::empty_with(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    let outcome = scenario::play(&w.stack, &w.sim, &|ms| clock.advance(ms))
        .await
        .unwrap();
    assert_eq!(outcome.candidates.len(), 2, "{}", outcome.report);
    let apps: usize = outcome
        .candidates
        .iter()
        .map(|c| c["applications"].as_array().unwrap().len())
        .sum();
    assert_eq!(apps, 3);
    let mut statuses: Vec<String> = outcome
        .exports
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["status"].as_str().unwrap(),
                e["reason"].as_str().unwrap_or("-")
            )
        })
        .collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            "imported:-",
            "imported:-",
            "imported:-",
            "skipped:contract_inactive",
            "skipped:unknown_job"
        ]
    );
    assert!(
        outcome.report.contains("validated by LinkedIn: true"),
        "{}",
        outcome.report
    );
    // The outbound part: both jobs, the ATS's candidate, both applications touched, one stage.
    let synced = w.sim.synced(scenario::ORGANIZATION);
    assert_eq!(synced.jobs.len(), 2, "{}", outcome.report);
    assert!(synced.candidates.contains_key("ats-1"));
    assert_eq!(synced.applications.len(), 2, "{:?}", synced.applications);
    assert_eq!(synced.stages.len(), 1);
    assert!(
        outcome.report.contains("pending 0, sync errors 0"),
        "{}",
        outcome.report
    );
}
