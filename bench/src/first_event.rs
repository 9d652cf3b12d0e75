//! Every function binary reaches Lambda's first `next` without touching the network: AWS clients,
//! customer secrets and LinkedIn tokens wait for the first event (`shared::aws::OnFirstEvent`).
//! A cold start then pays only for the runtime; a network call at init would show in each one.
//!
//! Each binary of template.yaml (the debug build next to this test; `make unit` builds them) is
//! started as Lambda starts it, with the environment the template gives it. Every address it could
//! reach (AWS's endpoint, the instance-metadata endpoint the credential chain may probe, LinkedIn)
//! points at one listener that counts connections. The count must stay at 0 until the function
//! asks for its first event, and a little longer. As a control, the first scheduled function then
//! gets an event and must connect, so the listener is shown to see what the function does.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use local_stack::template::{EventSpec, Resolver, Template};
use serde_json::json;

use crate::runtime_api::RuntimeApi;

/// Time given to anything a function might start in the background at init.
const AFTER_NEXT: Duration = Duration::from_millis(300);

/// A listener that accepts and drops connections, counting them.
async fn counting_listener() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (url, count)
}

/// The environment template.yaml gives `binary`, with every endpoint at `url`, plus what Lambda
/// itself sets.
fn environment(
    template: &Template,
    binary: &str,
    url: &str,
    runtime_api: &str,
) -> HashMap<String, String> {
    let mut refs: HashMap<String, String> = template
        .parameters
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
        .collect();
    refs.insert("LinkedInApiUrl".into(), format!("{url}/v2"));
    refs.insert("LinkedInAuthUrl".into(), format!("{url}/oauth/v2"));
    refs.insert("LinkedInRestUrl".into(), format!("{url}/rest"));
    // A required parameter (no default): what a deployer names.
    refs.insert(
        "CandidatePageUrl".into(),
        format!("{url}/candidates/{{candidateId}}"),
    );
    for table in &template.tables {
        refs.insert(table.logical_id.clone(), "lazy-table".into());
    }
    for queue in &template.queues {
        let queue_url = format!("{url}/123456789012/{}", queue.logical_id);
        refs.insert(queue.logical_id.clone(), queue_url);
    }
    for bus in &template.buses {
        refs.insert(bus.logical_id.clone(), format!("lazy-{}", bus.logical_id));
    }
    for (k, v) in [
        ("AWS::StackName", "lazy"),
        ("AWS::Region", local_stack::REGION),
        ("AWS::AccountId", "123456789012"),
        ("AWS::Partition", "aws"),
    ] {
        refs.insert(k.into(), v.into());
    }
    let attributes = HashMap::new();
    let resolver = Resolver {
        refs: &refs,
        attributes: &attributes,
    };
    let function = template
        .functions
        .iter()
        .find(|f| f.binary == binary)
        .unwrap();
    let mut env: HashMap<String, String> = template
        .environment(function)
        .iter()
        .map(|(k, v)| (k.clone(), resolver.resolve(v).unwrap()))
        .collect();
    for (k, v) in [
        ("AWS_LAMBDA_RUNTIME_API", runtime_api),
        ("AWS_LAMBDA_FUNCTION_NAME", binary),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_REGION", local_stack::REGION),
        ("AWS_DEFAULT_REGION", local_stack::REGION),
        ("AWS_ACCESS_KEY_ID", "lazy"),
        ("AWS_SECRET_ACCESS_KEY", "lazy"),
        ("AWS_SESSION_TOKEN", "lazy"),
        ("AWS_ENDPOINT_URL", url),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", url),
    ] {
        env.insert(k.into(), v.into());
    }
    env
}

/// The debug binaries: this test runs from `<target>/debug/deps/`.
fn binaries() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().and_then(Path::parent).unwrap().to_path_buf()
}

async fn wait_for(count: &AtomicUsize, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while count.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    count.load(Ordering::SeqCst) > 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_function_touches_the_network_before_its_first_event() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let template = Template::load(&root.join("template.yaml")).unwrap();
    let (url, connections) = counting_listener().await;
    let api = RuntimeApi::start().await.unwrap();
    let mut controlled = None;
    assert!(template.functions.len() >= 9, "the template's functions");
    for function in &template.functions {
        let program = binaries().join(&function.binary);
        assert!(
            program.exists(),
            "{} is not built: run `cargo build --workspace --bins` first (`make unit` does)",
            program.display()
        );
        api.reset();
        connections.store(0, Ordering::SeqCst);
        let mut child = tokio::process::Command::new(&program)
            .env_clear()
            .envs(environment(
                &template,
                &function.binary,
                &url,
                &api.addr.to_string(),
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        assert!(
            api.nexts(1, Duration::from_secs(30)).await,
            "{} never asked for its first event (it may have refused its configuration)",
            function.binary
        );
        tokio::time::sleep(AFTER_NEXT).await;
        assert_eq!(
            connections.load(Ordering::SeqCst),
            0,
            "{} opened a connection before its first event",
            function.binary
        );
        let scheduled = function
            .events
            .iter()
            .any(|e| matches!(e, EventSpec::Schedule { .. }));
        if controlled.is_none() && scheduled {
            api.push(
                "control".into(),
                json!({"version": "0", "id": "control", "detail-type": "Scheduled Event",
                       "source": "aws.events", "account": "123456789012",
                       "time": "2026-11-26T00:00:00Z", "region": local_stack::REGION,
                       "resources": [], "detail": {}}),
            );
            assert!(
                wait_for(&connections, Duration::from_secs(20)).await,
                "control: {} made no connection for its first event, so this test could not \
                 have seen one at init",
                function.binary
            );
            controlled = Some(function.binary.clone());
        }
        child.kill().await.unwrap();
    }
    assert!(
        controlled.is_some(),
        "no scheduled function to control with"
    );
}
