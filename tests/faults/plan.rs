//! What goes wrong in one seeded run, and the SDK interceptors that make the AWS part happen.
//!
//! Everything is drawn from the seed, so a run can be replayed; the order in which concurrent
//! work reaches a fault may still differ between replays of one seed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;

/// SplitMix64: small, fast and the same on every machine.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5DEE_CE66_D1CE_F00D)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i as u64 + 1) as usize);
        }
    }
}

/// Counts of what was injected in one run, by kind (for the report and the replay message).
#[derive(Clone, Debug, Default)]
pub struct Tally(Arc<Mutex<BTreeMap<&'static str, u64>>>);

impl Tally {
    pub fn add(&self, kind: &'static str) {
        *self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(kind)
            .or_default() += 1;
    }

    pub fn counts(&self) -> BTreeMap<&'static str, u64> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Fails chosen calls of one AWS client, as if the process died or the network dropped right
/// there: call number `n` (counted from the start of the run) and the `len - 1` calls after it
/// fail before anything is sent, so every write before them happened and none after them.
#[derive(Clone, Debug)]
pub struct Outage {
    service: &'static str,
    /// `(first call, calls that fail)`, sorted.
    windows: Arc<Vec<(usize, usize)>>,
    calls: Arc<AtomicUsize>,
    /// Set once the run stops injecting faults.
    over: Arc<AtomicBool>,
    tally: Tally,
}

impl Outage {
    pub fn new(service: &'static str, windows: Vec<(usize, usize)>, tally: Tally) -> Self {
        Outage {
            service,
            windows: Arc::new(windows),
            calls: Arc::default(),
            over: Arc::default(),
            tally,
        }
    }
}

impl Outage {
    /// Calls made so far.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// No call fails from now on.
    pub fn end(&self) {
        self.over.store(true, Ordering::SeqCst);
    }
}

impl Intercept for Outage {
    fn name(&self) -> &'static str {
        "Outage"
    }

    fn read_before_transmit(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if !self.over.load(Ordering::SeqCst)
            && self
                .windows
                .iter()
                .any(|&(first, len)| n >= first && n < first + len)
        {
            self.tally.add(match self.service {
                "dynamodb" => "dynamodb call failed",
                _ => "sqs call failed",
            });
            return Err(format!("injected: {} is unreachable (call {n})", self.service).into());
        }
        Ok(())
    }
}

/// The seed's plan.
#[derive(Clone, Debug)]
pub struct Plan {
    pub seed: u64,
    /// Windows of failing DynamoDB and SQS calls made by the functions.
    pub dynamodb: Vec<(usize, usize)>,
    pub sqs: Vec<(usize, usize)>,
    /// Per message handed out: the chance it is handed out twice.
    pub duplicate: f64,
    /// Per message handed out: the chance it is held back behind later messages.
    pub hold_back: f64,
    /// Per step of the scenario: the chance LinkedIn misbehaves before it.
    pub linkedin: f64,
    /// Whether one LinkedIn fault of the run is a timeout (10 s each, so only some seeds).
    pub timeout: bool,
}

impl Plan {
    /// No faults at all: the reference run.
    pub fn none() -> Self {
        Plan {
            seed: 0,
            dynamodb: Vec::new(),
            sqs: Vec::new(),
            duplicate: 0.0,
            hold_back: 0.0,
            linkedin: 0.0,
            timeout: false,
        }
    }

    /// The faults of `seed`. A run makes a few hundred AWS calls; the windows fall among them.
    /// The total is kept below SQS's five receives, so that no message can fail five times
    /// because of faults alone (that would rightly end in a dead-letter queue).
    pub fn from_seed(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let windows = |rng: &mut Rng, most: u64, calls: u64| {
            let mut w: Vec<(usize, usize)> = (0..rng.below(most + 1))
                .map(|_| (rng.below(calls) as usize, 1 + rng.below(3) as usize))
                .collect();
            w.sort();
            w
        };
        let dynamodb = windows(&mut rng, 2, 600);
        let sqs = windows(&mut rng, 1, 80);
        Plan {
            seed,
            dynamodb,
            sqs,
            duplicate: [0.0, 0.1, 0.3][rng.below(3) as usize],
            hold_back: [0.0, 0.1, 0.3][rng.below(3) as usize],
            linkedin: [0.0, 0.15, 0.3][rng.below(3) as usize],
            timeout: seed % 10 == 7,
        }
    }
}
