//! The local stack: every function of template.yaml in one process, against moto (DynamoDB and
//! its stream, SQS, Secrets Manager, EventBridge) and a LinkedIn (the simulator, or any
//! implementation of the RSC API).
//!
//! - the table, queues and event bus are created from template.yaml;
//! - the table's stream is read and handed to its function in order, with the source's filter
//!   and `batchItemFailures` honoured;
//! - HTTP API routes are served on one port, as API Gateway would deliver them;
//! - SQS event sources poll their queues, run up to `ScalingConfig.MaximumConcurrency` batches at
//!   once, and honour `batchItemFailures`, visibility timeouts and redrive policies;
//! - schedules run on their rate and can be fired at once with `POST /_local/schedules/{name}`
//!   (with the admin token, as a bearer token).

pub mod consumers;
pub mod counting;
pub mod functions;
pub mod gateway;
pub mod iam;
pub mod metrics_file;
pub mod moto;
pub mod report;
pub mod resources;
pub mod scenario;
pub mod streams;
pub mod subscriber;
pub mod template;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use aws_sdk_sqs::types::QueueAttributeName;
use shared::aws::Clients;
use shared::clock::SharedClock;
use shared::config::Env;
use tokio::task::JoinHandle;

pub use template::Error;
use template::{EventSpec, Template};

pub const REGION: &str = "us-east-1";

/// What to start.
pub struct StackOptions {
    /// Prefix of every resource name (several stacks can share one moto).
    pub stack_name: String,
    pub aws_endpoint: String,
    /// Where the HTTP API listens (port 0 = any free port).
    pub api_addr: SocketAddr,
    pub linkedin_api_url: String,
    pub linkedin_auth_url: String,
    pub clock: SharedClock,
    pub template_path: PathBuf,
    /// AWS clients to hand the functions instead of plain ones for `aws_endpoint` (tests use
    /// this to inject faults with SDK interceptors).
    pub clients: Option<Clients>,
    /// Whether SQS event sources poll their queues (default). Without, messages wait until a
    /// caller delivers them through `Stack::consumers` (the fault suite does, to duplicate and
    /// reorder deliveries).
    pub poll_queues: bool,
    /// Whether stream event sources read their streams on their own (default, with
    /// `poll_queues`). Without, changes wait until `Stack::drain_streams` (a bench counts the
    /// publisher's requests apart that way).
    pub poll_streams: bool,
    /// Template parameters to set, as `sam deploy --parameter-overrides` would.
    pub parameters: HashMap<String, String>,
    /// The bearer token the local API asks of admin routes, standing in for the template's
    /// AWS_IAM authorization (random unless set).
    pub admin_token: String,
}

impl StackOptions {
    pub fn new(
        stack_name: &str,
        aws_endpoint: &str,
        linkedin_api_url: &str,
        linkedin_auth_url: &str,
    ) -> Self {
        Self {
            stack_name: stack_name.to_owned(),
            aws_endpoint: aws_endpoint.to_owned(),
            api_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            linkedin_api_url: linkedin_api_url.to_owned(),
            linkedin_auth_url: linkedin_auth_url.to_owned(),
            clock: shared::clock::system(),
            template_path: moto::repo_root().join("template.yaml"),
            clients: None,
            poll_queues: true,
            poll_streams: true,
            parameters: HashMap::new(),
            admin_token: gateway::random_token(),
        }
    }
}

/// A schedule of the template, bound to its function.
#[derive(Clone)]
pub struct Schedule {
    pub function_logical_id: String,
    pub expression: String,
    pub function: Arc<functions::Function>,
}

impl Schedule {
    /// Runs the function now with the scheduler's (empty) input; answers what it returned.
    pub async fn fire(&self) -> Result<serde_json::Value, String> {
        let result = match self.function.scheduled(serde_json::json!({})).await {
            Some(r) => r,
            None => Err(format!(
                "{} does not take scheduled events",
                self.function_logical_id
            )),
        };
        match &result {
            Ok(v) => {
                tracing::info!(function = %self.function_logical_id, result = %v, "schedule fired")
            }
            Err(e) => {
                tracing::error!(function = %self.function_logical_id, error = %e, "scheduled run failed")
            }
        }
        result
    }
}

pub struct Stack {
    pub api_url: String,
    /// What admin routes need in `Authorization: Bearer <token>`.
    pub admin_token: String,
    pub resources: resources::Resources,
    pub clients: Clients,
    pub template: Template,
    /// Every SQS event source: the logical id of its queue and its consumer.
    pub consumers: Vec<(String, Arc<consumers::Consumer>)>,
    /// Every DynamoDB stream event source.
    pub streams: Vec<Arc<streams::StreamSource>>,
    stack_name: String,
    streams_polled: bool,
    /// Each function binary's environment as the template gives it, resolved against this
    /// stack's resources (what a deployed function would see, minus AWS's own variables).
    pub environments: BTreeMap<String, HashMap<String, String>>,
    busy: Vec<Arc<AtomicUsize>>,
    tasks: Vec<JoinHandle<()>>,
}

/// An SDK configuration for moto: fixed region, test credentials, the given endpoint.
pub async fn local_sdk_config(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            "local",
            "local",
            None,
            None,
            "local-stack",
        ))
        .load()
        .await
}

impl Stack {
    /// `PUT path` on the stack's API with the admin token, as an ATS admin would; an error
    /// naming the path and status unless the answer is 2xx.
    pub async fn admin_put(&self, path: &str, body: &serde_json::Value) -> Result<(), Error> {
        self.admin(reqwest::Method::PUT, path, Some(body)).await
    }

    /// Any admin request (`admin_put` for other methods; a change route's body is JSON).
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<(), Error> {
        static HTTP: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
        let mut request = HTTP
            .get_or_init(reqwest::Client::new)
            .request(method.clone(), format!("{}{path}", self.api_url))
            .bearer_auth(&self.admin_token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let resp = request.send().await?;
        if !resp.status().is_success() {
            return Err(format!("{method} {path}: {}", resp.status()).into());
        }
        Ok(())
    }

    /// The local sign-in form, which opens the tenant's integration page once the admin token is
    /// pasted into it (the token itself never goes in a URL).
    pub fn page_login_url(&self, tenant_id: &str) -> String {
        format!(
            "{}/_local/login?next=/tenants/{tenant_id}/integration",
            self.api_url
        )
    }

    pub async fn start(opts: StackOptions) -> Result<Self, Error> {
        let template = Template::load(&opts.template_path)?;
        let sdk = local_sdk_config(&opts.aws_endpoint).await;
        let plain = Clients::new(&sdk);
        let clients = opts.clients.clone().unwrap_or_else(|| plain.clone());
        // Bound first: the candidate page the template asks for is a route of this API.
        let listener = tokio::net::TcpListener::bind(opts.api_addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", opts.api_addr))?;
        let api_url = format!("http://{}", listener.local_addr()?);
        let rest_url = match opts.linkedin_api_url.strip_suffix("/v2") {
            Some(base) => format!("{base}/rest"),
            None => format!("{}/rest", opts.linkedin_api_url),
        };
        let mut parameters = HashMap::from([
            ("LinkedInApiUrl".to_owned(), opts.linkedin_api_url.clone()),
            ("LinkedInAuthUrl".to_owned(), opts.linkedin_auth_url.clone()),
            ("LinkedInRestUrl".to_owned(), rest_url),
            (
                "CandidatePageUrl".to_owned(),
                format!("{api_url}{}", gateway::CANDIDATE_PAGE),
            ),
            // Where `Stack::put_partner_secret` keeps the partner application's credentials.
            (
                "PartnerSecretName".to_owned(),
                format!("{}/partner", opts.stack_name),
            ),
        ]);
        parameters.extend(opts.parameters.clone());
        let resources = resources::create(
            &template,
            &opts.stack_name,
            REGION,
            &parameters,
            &plain.dynamodb,
            &plain.sqs,
            &plain.events,
        )
        .await?;

        let mut routes = Vec::new();
        let mut schedules = Vec::new();
        let mut tasks = Vec::new();
        let mut busy = Vec::new();
        let mut sources = Vec::new();
        let mut stream_sources = Vec::new();
        let mut environments = BTreeMap::new();
        for spec in &template.functions {
            let mut vars = HashMap::new();
            for (name, value) in template.environment(spec) {
                let value = resources
                    .resolver()
                    .resolve(&value)
                    .map_err(|e| format!("{}: {name}: {e}", spec.logical_id))?;
                vars.insert(name, value);
            }
            environments.insert(spec.binary.clone(), vars.clone());
            let own = iam::restrict(&clients, &spec.logical_id, spec.dynamodb_actions.as_ref());
            let function = functions::Function::build(
                &spec.binary,
                &Env::from_map(vars),
                &own,
                opts.clock.clone(),
            )
            .map_err(|e| format!("{}: {e}", spec.logical_id))?;
            for event in &spec.events {
                match event {
                    EventSpec::Http {
                        method,
                        path,
                        authorized,
                    } => routes.push(gateway::Route {
                        method: method.clone(),
                        path: path.clone(),
                        authorized: *authorized,
                        function: function.clone(),
                    }),
                    EventSpec::Sqs {
                        queue,
                        batch_size,
                        max_concurrency,
                    } => {
                        let arn = resources.resolver().resolve(queue)?;
                        let logical = resources
                            .attributes
                            .iter()
                            .find(|((_, attr), v)| attr == "Arn" && **v == arn)
                            .map(|((id, _), _)| id.clone())
                            .ok_or_else(|| {
                                format!("{}: SQS event on an unknown queue", spec.logical_id)
                            })?;
                        let counter = Arc::new(AtomicUsize::new(0));
                        busy.push(counter.clone());
                        let consumer = Arc::new(consumers::Consumer {
                            queue_url: resources.queue_urls[&logical].clone(),
                            queue_arn: arn,
                            region: REGION.to_owned(),
                            batch_size: *batch_size,
                            max_concurrency: *max_concurrency,
                            function: function.clone(),
                            busy: counter,
                        });
                        if opts.poll_queues {
                            tasks.push(tokio::spawn(consumer.clone().run(plain.sqs.clone())));
                        }
                        sources.push((logical, consumer));
                    }
                    EventSpec::Stream {
                        stream,
                        batch_size,
                        sort_key_prefixes,
                    } => {
                        let counter = Arc::new(AtomicUsize::new(0));
                        busy.push(counter.clone());
                        let source = Arc::new(streams::StreamSource::new(
                            &opts.aws_endpoint,
                            REGION,
                            resources.resolver().resolve(stream)?,
                            *batch_size,
                            sort_key_prefixes.clone(),
                            function.clone(),
                            counter,
                        ));
                        if opts.poll_queues && opts.poll_streams {
                            tasks.push(tokio::spawn(source.clone().run()));
                        }
                        stream_sources.push(source);
                    }
                    EventSpec::Schedule { name, expression } => {
                        let schedule = Schedule {
                            function_logical_id: spec.logical_id.clone(),
                            expression: resources.resolver().resolve(expression)?,
                            function: function.clone(),
                        };
                        if let Some(every) = rate(&schedule.expression) {
                            let s = schedule.clone();
                            tasks.push(tokio::spawn(async move {
                                let mut tick = tokio::time::interval_at(
                                    tokio::time::Instant::now() + every,
                                    every,
                                );
                                loop {
                                    tick.tick().await;
                                    let _ = s.fire().await;
                                }
                            }));
                        }
                        schedules.push((spec.logical_id.clone(), schedule.clone()));
                        schedules.push((format!("{}.{name}", spec.logical_id), schedule));
                    }
                }
            }
        }

        let app = gateway::router(Arc::new(gateway::Gateway {
            routes,
            schedules,
            admin_token: opts.admin_token.clone(),
            sessions: Default::default(),
            dynamodb: plain.dynamodb.clone(),
            table: resources
                .tables
                .values()
                .next()
                .cloned()
                .unwrap_or_default(),
        }));
        tasks.push(tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "local API stopped");
            }
        }));
        Ok(Self {
            api_url,
            admin_token: opts.admin_token.clone(),
            resources,
            clients: plain,
            template,
            consumers: sources,
            streams: stream_sources,
            stack_name: opts.stack_name.clone(),
            streams_polled: opts.poll_queues && opts.poll_streams,
            environments,
            busy,
            tasks,
        })
    }

    /// Deletes the stack's table and queues (moto slows down as its backend grows, so suites
    /// that start many stacks remove each one when done with it).
    pub async fn destroy(&self) -> Result<(), Error> {
        for table in self.resources.tables.values() {
            self.clients
                .dynamodb
                .delete_table()
                .table_name(table)
                .send()
                .await
                .map_err(|e| {
                    format!(
                        "delete table: {}",
                        aws_sdk_dynamodb::error::DisplayErrorContext(e)
                    )
                })?;
        }
        for bus in self.resources.buses.values() {
            let _ = self
                .clients
                .events
                .delete_event_bus()
                .name(bus)
                .send()
                .await;
        }
        for url in self.resources.queue_urls.values() {
            self.clients
                .sqs
                .delete_queue()
                .queue_url(url)
                .send()
                .await
                .map_err(|e| {
                    format!(
                        "delete queue: {}",
                        aws_sdk_sqs::error::DisplayErrorContext(e)
                    )
                })?;
        }
        Ok(())
    }

    pub fn queue_url(&self, logical_id: &str) -> &str {
        &self.resources.queue_urls[logical_id]
    }

    /// Stores the partner application's credentials in the secret the template's
    /// `PartnerSecretName` names, as an operator does once before onboarding customers.
    pub async fn put_partner_secret(
        &self,
        client_id: &str,
        client_secret: &str,
    ) -> Result<(), Error> {
        let name = self
            .environments
            .get("admin-api")
            .and_then(|env| env.get("PARTNER_SECRET_NAME"))
            .filter(|n| !n.is_empty())
            .cloned()
            .ok_or("the template gives admin-api no PARTNER_SECRET_NAME")?;
        // A secret store whose prefix is the whole name, written under the empty key.
        shared::secrets::CustomerSecrets::new(
            self.clients.secrets.clone(),
            name,
            std::time::Duration::ZERO,
        )
        .put(
            "",
            &shared::secrets::LinkedInCredentials::new(client_id, client_secret),
        )
        .await
        .map_err(|e| format!("partner secret: {e}"))?;
        Ok(())
    }

    pub fn table_name(&self) -> &str {
        self.resources
            .tables
            .values()
            .next()
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// Waits until no queue holds a visible message and no consumer is handling a batch, checked
    /// twice in a row 50 ms apart (a batch just received but not yet counted cannot look quiet
    /// twice). Messages waiting out a visibility timeout after a failure are not waited for.
    pub async fn settle(&self) -> Result<(), Error> {
        self.settle_within(Duration::from_secs(60)).await
    }

    /// `settle`, with a deadline of the caller's choosing.
    pub async fn settle_within(&self, limit: Duration) -> Result<(), Error> {
        self.settle_checking_every(limit, Duration::from_millis(150))
            .await
    }

    /// `settle`, checking every `interval` (the queues are asked only while no batch is running).
    pub async fn settle_checking_every(
        &self,
        limit: Duration,
        interval: Duration,
    ) -> Result<(), Error> {
        let deadline = tokio::time::Instant::now() + limit;
        let mut quiet = 0;
        while quiet < 2 {
            if tokio::time::Instant::now() > deadline {
                return Err(format!(
                    "the local stack did not settle within {} s",
                    limit.as_secs()
                )
                .into());
            }
            tokio::time::sleep(interval).await;
            // The busy counters cost nothing to read; the queues are asked only when idle.
            let idle = self.busy.iter().all(|b| b.load(Ordering::SeqCst) == 0);
            quiet = if idle && self.visible_messages().await? == 0 && !self.streams_behind().await?
            {
                quiet + 1
            } else {
                0
            };
        }
        Ok(())
    }

    /// Hands every change waiting in the streams to their functions, batch by batch; fails if
    /// they are still behind after 1,000 batches (a function that keeps failing).
    pub async fn drain_streams(&self) -> Result<(), Error> {
        for source in &self.streams {
            let mut batches = 0;
            while source.behind().await? {
                if batches == 1_000 {
                    return Err(format!(
                        "{}: still behind after {batches} batches",
                        source.stream_arn
                    )
                    .into());
                }
                source.poll(1).await?;
                batches += 1;
            }
        }
        Ok(())
    }

    /// Whether a stream the stack reads on its own holds changes its function has not taken yet
    /// (streams left to `drain_streams`, and changes waiting out a failure, are not waited for).
    async fn streams_behind(&self) -> Result<bool, Error> {
        if !self.streams_polled {
            return Ok(false);
        }
        for source in &self.streams {
            if !source.quiet().await? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// A subscriber of the stack's event bus: a queue `<stack>-<name>` and a rule `name` that
    /// sends it the events matching `pattern` (an EventBridge event pattern).
    pub async fn subscribe(
        &self,
        name: &str,
        pattern: &serde_json::Value,
    ) -> Result<subscriber::Subscriber, Error> {
        let bus = self
            .resources
            .buses
            .values()
            .next()
            .ok_or("the template has no event bus")?;
        subscriber::Subscriber::create(
            &self.clients.sqs,
            &self.clients.events,
            &self.stack_name,
            bus,
            name,
            pattern,
        )
        .await
    }

    /// Messages currently visible in every queue of the stack but its dead-letter queues.
    async fn visible_messages(&self) -> Result<u64, Error> {
        let mut total = 0;
        for (logical, url) in &self.resources.queue_urls {
            if logical.contains("DeadLetter") {
                continue;
            }
            total += self.queue_depth(url).await?.0;
        }
        Ok(total)
    }

    /// `(visible, not yet visible)` messages of a queue: the second counts messages in flight
    /// and messages still delayed.
    pub async fn queue_depth(&self, url: &str) -> Result<(u64, u64), Error> {
        let attrs = self
            .clients
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesDelayed)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "queue depth: {}",
                    aws_sdk_sqs::error::DisplayErrorContext(e)
                )
            })?
            .attributes
            .unwrap_or_default();
        let n = |k: &QueueAttributeName| attrs.get(k).and_then(|v| v.parse().ok()).unwrap_or(0);
        Ok((
            n(&QueueAttributeName::ApproximateNumberOfMessages),
            n(&QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
                + n(&QueueAttributeName::ApproximateNumberOfMessagesDelayed),
        ))
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// `rate(N minute[s]|hour[s]|day[s])` as a duration; cron expressions only fire on demand locally.
fn rate(expression: &str) -> Option<Duration> {
    let inner = expression.strip_prefix("rate(")?.strip_suffix(')')?;
    let (n, unit) = inner.trim().split_once(' ')?;
    let n: u64 = n.parse().ok()?;
    let secs = match unit.trim_end_matches('s') {
        "minute" => 60,
        "hour" => 3600,
        "day" => 86_400,
        _ => return None,
    };
    Some(Duration::from_secs(n * secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(rate("rate(30 minutes)"), Some(Duration::from_secs(1800)));
        assert_eq!(rate("rate(1 hour)"), Some(Duration::from_secs(3600)));
        assert_eq!(rate("cron(0 * * * ? *)"), None);
    }
}
