use super::*;
use shared::domain::{Backfill, BackfillCursors, OnboardingStep, StepState, StepStatus};

const HOUR: i64 = 3_600_000;
const NOW: i64 = 1_790_000_000_000;

fn tenant() -> Tenant {
    Tenant {
        tenant_id: "acme".into(),
        name: "Acme <Corp>".into(),
        organization: "urn:li:organization:1".into(),
        client_id: "c".into(),
        delete_purged_data: false,
        job_availability: Default::default(),
        created_at: 0,
        updated_at: 0,
    }
}

fn contract(id: &str, status: ContractStatus, cause: Option<StatusCause>) -> Contract {
    Contract {
        tenant_id: "acme".into(),
        contract_id: id.into(),
        status,
        status_cause: cause,
        events: 1,
        expires_at: Some(NOW + 300 * 24 * HOUR),
        connected_at: 0,
        updated_at: 0,
        linkedin_changes: Default::default(),
    }
}

fn seat(id: &str, name: Option<&str>, user: Option<&str>, polled: Option<i64>) -> Seat {
    Seat {
        tenant_id: "acme".into(),
        contract_id: "501".into(),
        seat_id: id.into(),
        member: None,
        state: Some("ACTIVE".into()),
        holder_name: name.map(str::to_owned),
        user_id: user.map(str::to_owned),
        listed_at: Some(0),
        linked_at: user.map(|_| NOW - 3 * HOUR),
        cursors: Default::default(),
        last_polled_at: polled,
        backfill_cursors: Default::default(),
        backfill: None,
        imported_by_hour: Default::default(),
        last_activity_at: None,
        updated_at: 0,
    }
}

fn user(id: &str, first: &str, email: &str) -> AtsUser {
    AtsUser {
        tenant_id: "acme".into(),
        user_id: id.into(),
        email: email.into(),
        first_name: first.into(),
        last_name: "Doe".into(),
        member: None,
        created_at: 0,
        updated_at: 0,
    }
}

/// Today's LinkedIn budget with `activity` calls used and, if any, the seats the last poll met.
fn budget(activity: u64, last_poll: Option<(u64, u64)>) -> crate::views::BudgetView {
    let mut today = shared::budget::DayUsage::default();
    today.calls.activity = activity;
    today.calls.exports = 40;
    if let Some((active, quiet)) = last_poll {
        let cycle = shared::budget::cycle_of_day(NOW).saturating_sub(1);
        today
            .cycles
            .insert(cycle, shared::budget::SeatMix { active, quiet });
    }
    crate::views::BudgetView::new(&today, &Default::default(), 70_000, NOW)
}

fn data(seats: Vec<Seat>) -> PageData {
    let contracts = vec![
        contract("501", ContractStatus::Active, Some(StatusCause::Admin)),
        contract(
            "502",
            ContractStatus::Expired,
            Some(StatusCause::ExpiryDate),
        ),
    ];
    let health = HealthView::new(&contracts, &seats, &[], &[], &[], budget(0, None), NOW);
    PageData {
        tenant: tenant(),
        contracts: contracts
            .into_iter()
            .map(|c| (c, Vec::new(), ImportCounts::default()))
            .collect(),
        seats,
        users: vec![user("u-rae", "Rae", "rae@acme.example")],
        health,
        sync: Default::default(),
        onboarding: None,
        exports: Vec::new(),
        activity: Vec::new(),
        candidates: HashMap::new(),
        backfill_days: 30,
        candidate_page_url: None,
        csrf_token: None,
        now: NOW,
    }
}

#[test]
fn store_values_are_escaped_and_script_data_cannot_close_its_element() {
    let mut d = data(vec![seat(
        "9001",
        Some("<img src=x onerror=alert(1)>"),
        None,
        None,
    )]);
    d.users.push(user(
        "u-x",
        "</script><script>alert(1)</script>",
        "x@example.com",
    ));
    let html = render(&d, "n0nce");
    assert!(!html.contains("<img src=x"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("Acme &lt;Corp&gt;"));
    // Only the page's own two script elements close.
    assert_eq!(html.matches("</script>").count(), 2);
    assert!(html.contains("\\u003c/script\\u003e"));
}

#[test]
fn contracts_show_their_status_and_the_action_that_fits_it() {
    let mut d = data(Vec::new());
    d.contracts.push((
        contract("503", ContractStatus::Disabled, Some(StatusCause::Admin)),
        Vec::new(),
        ImportCounts::default(),
    ));
    d.contracts.push((
        contract("504", ContractStatus::Disabled, Some(StatusCause::LinkedIn)),
        Vec::new(),
        ImportCounts::default(),
    ));
    let html = render(&d, "n");
    for (id, status) in [("501", "Active"), ("502", "Expired"), ("503", "Disabled")] {
        assert!(
            html.contains(&format!("id=\"contract-{id}\" data-status=\"{status}\"")),
            "{id}"
        );
    }
    assert!(html.contains("data-action=\"disconnect\" data-contract=\"501\""));
    assert!(html.contains("data-action=\"reconnect\" data-contract=\"503\""));
    // LinkedIn disabled it: only LinkedIn can enable it.
    assert!(!html.contains("data-contract=\"504\""));
    assert!(html.contains("Enable it in LinkedIn"));
}

#[test]
fn link_and_unlink_say_what_will_happen() {
    let d = data(vec![
        seat("9001", Some("Rae Doe"), Some("u-rae"), Some(NOW - HOUR / 2)),
        seat("9002", Some("Sam Sourcer"), None, None),
    ]);
    let html = render(&d, "n");
    assert!(html.contains("data-action=\"link\" data-contract=\"501\" data-seat=\"9002\""));
    assert!(html.contains("of the last 30 days are imported"));
    assert!(html.contains("data-action=\"unlink\" data-contract=\"501\" data-seat=\"9001\""));
    assert!(html.contains("Imports for this seat stop"));
    assert!(html.contains("Everything already imported stays"));
    assert!(html.contains("<span class=\"hint\">not linked</span>"));
}

#[test]
fn a_stale_seat_is_flagged_with_a_reason_and_what_to_do() {
    let d = data(vec![
        seat("9001", Some("Rae Doe"), Some("u-rae"), Some(NOW - HOUR / 2)),
        seat("9003", Some("Nia Okafor"), Some("u-rae"), None),
    ]);
    let html = render(&d, "n");
    assert!(html.contains("id=\"seat-501-9003\" data-linked=\"true\" data-stale=\"\""));
    assert!(!html.contains("id=\"seat-501-9001\" data-linked=\"true\" data-stale"));
    assert!(html.contains("Nia Okafor (seat 9003) is stale"));
    assert!(html.contains("id=\"fig-stale\"><dt>Stale seats</dt><dd>1</dd>"));
    // The expired contract is explained too.
    assert!(html.contains("Contract 502 is expired."));
}

#[test]
fn nothing_wrong_reads_as_flowing() {
    let mut d = data(vec![seat(
        "9001",
        Some("Rae Doe"),
        Some("u-rae"),
        Some(NOW - HOUR / 2),
    )]);
    d.contracts.truncate(1);
    let contracts: Vec<Contract> = d.contracts.iter().map(|(c, _, _)| c.clone()).collect();
    d.health = HealthView::new(&contracts, &d.seats, &[], &[], &[], budget(0, None), NOW);
    let html = render(&d, "n");
    assert!(html.contains("Everything is flowing"));
    assert!(!html.contains("class=\"problems\""));
}

#[test]
fn a_tight_linkedin_budget_says_how_often_quiet_seats_are_polled() {
    let mut d = data(Vec::new());
    // 300 active and 4,700 quiet seats do not fit 70,000 calls a day at every cycle.
    d.health.linkedin_budget = budget(0, Some((300, 4_700)));
    let html = render(&d, "n");
    assert!(html.contains("LinkedIn's daily limit is tight"), "{html}");
    assert!(html.contains("quiet seats (no activity for 3 days) are polled every"));
    assert!(
        html.contains("40 of 100000"),
        "calls today against the limit"
    );
    let json = serde_json::to_value(&d.health.linkedin_budget).unwrap();
    assert!(
        json["quietSeatsEveryMinutes"].as_i64().unwrap() > 30,
        "{json}"
    );
    assert_eq!(json["pollingStopped"], false);

    d.health.linkedin_budget = budget(70_000, Some((300, 4_700)));
    let html = render(&d, "n");
    assert!(html.contains("no seat is polled until 00:00 UTC"), "{html}");

    d.health.linkedin_budget = budget(100, Some((3, 40)));
    assert!(d.health.linkedin_budget.attention.is_none());
    assert_eq!(d.health.linkedin_budget.quiet_seats_every_minutes, 30);
}

#[test]
fn a_running_backfill_shows_progress_and_keeps_the_page_refreshing() {
    let mut s = seat("9001", Some("Rae Doe"), Some("u-rae"), Some(NOW - HOUR / 2));
    let from = NOW - 100 * HOUR;
    s.backfill = Some(Backfill {
        state: BackfillState::Running,
        from,
        to: NOW,
        steps: 3,
        reason: None,
        updated_at: NOW,
    });
    // InMails read entirely, notes half, stubs not at all: (100 + 50 + 0) / 300.
    s.backfill_cursors = BackfillCursors {
        inmails: Some(NOW),
        notes: Some(from + 50 * HOUR),
        stubs: None,
    };
    let html = render(&data(vec![s.clone()]), "n");
    assert!(html.contains("<progress max=\"100\" value=\"50\""));
    assert!(html.contains("<main id=\"live\" data-busy=\"\">"));
    s.backfill.as_mut().unwrap().state = BackfillState::Done;
    let html = render(&data(vec![s]), "n");
    assert!(html.contains("value=\"100\""));
    assert!(html.contains("data-state=\"done\">done</span>"));
    assert!(html.contains("<main id=\"live\">"));
}

#[test]
fn candidates_link_to_the_configured_page_or_the_api() {
    let mut d = data(Vec::new());
    let candidate = Candidate {
        tenant_id: "acme".into(),
        candidate_id: "c 1".into(),
        member: None,
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        location: None,
        current_company: None,
        emails: Vec::new(),
        phones: Vec::new(),
        title: None,
        do_not_contact: false,
        source: shared::domain::Source::LinkedIn,
        created_at: 0,
        updated_at: 0,
    };
    d.candidates.insert("c 1".into(), candidate);
    assert_eq!(
        d.candidate_link("c 1", "Ada Lovelace"),
        "<a href=\"candidates/c%201\">Ada Lovelace</a>"
    );
    d.candidate_page_url = Some(
        shared::outbound::records::ProfileUrl::new("https://ats.example/c/{candidateId}?x=1&y=2")
            .unwrap(),
    );
    assert_eq!(
        d.candidate_link("c 1", "Ada"),
        "<a href=\"https://ats.example/c/c%201?x=1&amp;y=2\">Ada</a>"
    );
}

#[test]
fn the_policy_allows_only_the_nonced_style_and_script() {
    let p = policy("abc");
    assert!(p.contains("script-src 'nonce-abc'"));
    assert!(p.contains("style-src 'nonce-abc'"));
    assert!(p.starts_with("default-src 'none'"));
    let html = render(&data(Vec::new()), "abc");
    assert_eq!(html.matches("nonce=\"abc\"").count(), 2);
    assert_ne!(nonce(), nonce());
}

#[test]
fn the_script_gets_the_sessions_csrf_token_and_sends_it() {
    let mut d = data(Vec::new());
    let without = render(&d, "n");
    assert!(!without.contains("\"csrfToken\":"));
    d.csrf_token = Some(crate::guard::csrf_token("s3ss10n"));
    let html = render(&d, "n");
    assert!(html.contains(&format!(
        "\"csrfToken\":\"{}\"",
        crate::guard::csrf_token("s3ss10n")
    )));
    assert!(SCRIPT.contains("init.headers['x-csrf-token'] = data.csrfToken"));
}

fn onboarding(states: [StepState; 5]) -> Onboarding {
    let mut o = Onboarding::new("acme");
    o.application = Some("urn:li:developerApplication:77".into());
    o.updated_at = NOW;
    for (step, state) in OnboardingStep::ALL.into_iter().zip(states) {
        o.set(StepStatus {
            step,
            state,
            detail: format!("{} is {state:?}", step.label()),
            next: (state != StepState::Done).then(|| format!("do something about {step:?}")),
            at: NOW - HOUR,
        });
    }
    o
}

#[test]
fn a_tenant_not_onboarded_has_no_checklist() {
    let html = render(&data(Vec::new()), "n");
    assert!(!html.contains("Onboarding with LinkedIn"));
    assert!(!html.contains("id=\"onboarding"));
}

#[test]
fn the_checklist_shows_every_step_in_order_with_its_state_in_words() {
    use StepState::{Done, Failed, Waiting};
    let mut d = data(Vec::new());
    d.onboarding = Some(onboarding([Done, Done, Failed, Waiting, Waiting]));
    let html = render(&d, "n");
    assert!(html.contains("<h2 id=\"h-onboarding\">Onboarding with LinkedIn</h2>"));
    assert!(html.contains("data-complete=\"false\""));
    assert!(html.contains("<code>urn:li:developerApplication:77</code>"));
    let rows = [
        ("application", "LinkedIn application", "done"),
        ("integrationNames", "Integration names", "done"),
        ("callbackUrl", "Callback URL", "failed"),
        ("viewers", "Job and application viewers", "waiting"),
        ("enablement", "Enabled in Recruiter", "waiting"),
    ];
    let mut at = 0;
    for (id, label, state) in rows {
        let row = format!(
            "<tr id=\"step-{id}\" data-state=\"{state}\"><th scope=\"row\">{label}</th>\
             <td><span class=\"badge {state}\">{state}</span></td>"
        );
        let found = html[at..]
            .find(&row)
            .unwrap_or_else(|| panic!("{id} in order"));
        at += found + row.len();
    }
    assert!(html.contains("Callback URL is Failed"));
    assert!(html.contains("do something about CallbackUrl"));
    // A done step has nothing to do.
    assert!(html.contains("<span class=\"hint\">nothing</span>"));
    // A failed step says how to resume.
    assert!(html.contains("then onboard again (<code>POST /tenants/acme/linkedin/onboard</code>)"));

    d.onboarding = Some(onboarding([Done, Done, Done, Done, Waiting]));
    let html = render(&d, "n");
    assert!(html.contains("Not complete yet"));
    assert!(!html.contains("onboard again"));

    d.onboarding = Some(onboarding([Done; 5]));
    let html = render(&d, "n");
    assert!(html.contains("data-complete=\"true\""));
    assert!(html.contains("Every step is done"));
    assert!(!html.contains("data-state=\"waiting\""));
}

#[test]
fn linkedins_words_in_the_checklist_are_escaped() {
    let mut d = data(Vec::new());
    let mut o = onboarding([StepState::Failed; 5]);
    o.steps[0].detail = "LinkedIn said <script>alert(1)</script>".into();
    o.steps[0].next = Some("<img src=x onerror=alert(2)>".into());
    o.application = Some("urn:<b>".into());
    d.onboarding = Some(o);
    let html = render(&d, "n");
    assert!(html.contains("LinkedIn said &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("urn:&lt;b&gt;"));
    assert!(!html.contains("<img src=x"));
    assert_eq!(html.matches("</script>").count(), 2);
    // The part the script re-reads carries it too.
    assert!(render_live(&d).contains("id=\"h-onboarding\""));
}

#[test]
fn a_cleanup_shows_its_progress_and_that_the_sync_is_stopped() {
    use shared::outbound::{Cleanup, CleanupPhase};
    let mut d = data(Vec::new());
    let html = render(&d, "n");
    assert!(!html.contains("id=\"cleanup\""));
    assert!(!html.contains("outbound sync is stopped"));

    d.sync.cleanup = Some(Cleanup {
        run_id: "r1".into(),
        phase: CleanupPhase::Jobs,
        started_at: NOW - HOUR,
        finished_at: None,
        cursor: None,
        queued: 1234,
        updated_at: NOW,
    });
    d.sync.sent_deleted = 1000;
    d.sync.stopped_at = Some(NOW - HOUR);
    let html = render_live(&d);
    assert!(html.contains("<div id=\"cleanup\" data-phase=\"jobs\" data-stopped=\"\">"));
    // The page keeps refreshing while deletes are being queued.
    assert!(html.contains("<main id=\"live\" data-busy=\"\">"));
    assert!(html.contains("Queuing the closing of jobs"));
    assert!(html.contains("id=\"fig-cleanup-queued\"><dt>Deletes queued</dt><dd>1234</dd>"));
    assert!(html.contains("<dt>Deletes LinkedIn carried out</dt><dd>1000</dd>"));
    assert!(html.contains("The outbound sync is stopped by a clean-up"));
    assert!(html.contains("start a full sync (POST /tenants/acme/sync/full)"));

    // Queued, and the sync started again by a full sync.
    let c = d.sync.cleanup.as_mut().unwrap();
    c.phase = CleanupPhase::Queued;
    c.finished_at = Some(NOW - HOUR / 2);
    d.sync.stopped_at = None;
    let html = render_live(&d);
    assert!(html.contains("<div id=\"cleanup\" data-phase=\"queued\">"));
    assert!(html.contains("<main id=\"live\">"));
    assert!(html.contains("Every delete is queued"));
    assert!(!html.contains("outbound sync is stopped"));
}

#[test]
fn sync_errors_name_their_kind_in_words() {
    use shared::outbound::{ErrorOrigin, RecordKind, SyncError};
    let mut d = data(Vec::new());
    let error = |kind, record_id: &str| SyncError {
        kind,
        record_id: record_id.into(),
        origin: ErrorOrigin::Validation,
        message: "too long".into(),
        at: NOW,
    };
    let errors = [
        error(RecordKind::CandidateNote, "c-1#n-1"),
        error(RecordKind::InterviewFeedback, "a-1#f-1"),
        error(RecordKind::HiringTeam, "j-1"),
        error(RecordKind::Stage, "a-1#s-1"),
    ];
    let contracts: Vec<Contract> = d.contracts.iter().map(|(c, _, _)| c.clone()).collect();
    d.health = HealthView::new(
        &contracts,
        &d.seats,
        &[],
        &errors,
        &[],
        budget(0, None),
        NOW,
    );
    let html = render(&d, "n");
    for row in [
        "<tr data-kind=\"candidateNote\"><td>candidate note <code>c-1#n-1</code>",
        "<tr data-kind=\"interviewFeedback\"><td>interview feedback <code>a-1#f-1</code>",
        "<tr data-kind=\"hiringTeam\"><td>hiring team of job <code>j-1</code>",
        "<tr data-kind=\"stage\"><td>stage <code>a-1#s-1</code>",
    ] {
        assert!(html.contains(row), "{row}");
    }
}
