//! A customer's onboarding with LinkedIn's partner flow (docs/onboarding.md): a checklist of
//! steps, each done, waiting or failed, with what LinkedIn answered and what to do next.

use serde::{Deserialize, Serialize};

/// The steps, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OnboardingStep {
    /// The customer's child application, provisioned with the partner's credentials (or the
    /// customer's own, typed in).
    Application,
    /// The user-facing names of the customer's integrations (mandatory at LinkedIn).
    IntegrationNames,
    /// This deployment's callback URL, registered and checked both ways.
    CallbackUrl,
    /// `JOB_POSTING_VIEWERS` and `APPLICATION_VIEWERS` (optional).
    Viewers,
    /// Whether the customer enabled the integrations in Recruiter (only they can).
    Enablement,
}

impl OnboardingStep {
    pub const ALL: [OnboardingStep; 5] = [
        OnboardingStep::Application,
        OnboardingStep::IntegrationNames,
        OnboardingStep::CallbackUrl,
        OnboardingStep::Viewers,
        OnboardingStep::Enablement,
    ];

    /// The step as an administrator reads it.
    pub fn label(self) -> &'static str {
        match self {
            OnboardingStep::Application => "LinkedIn application",
            OnboardingStep::IntegrationNames => "Integration names",
            OnboardingStep::CallbackUrl => "Callback URL",
            OnboardingStep::Viewers => "Job and application viewers",
            OnboardingStep::Enablement => "Enabled in Recruiter",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StepState {
    Done,
    /// Not done yet, for a reason outside this step (an earlier step, or the customer).
    Waiting,
    Failed,
}

/// Where one step stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepStatus {
    pub step: OnboardingStep,
    pub state: StepState,
    /// What happened, with LinkedIn's answer when it refused.
    pub detail: String,
    /// What to do next, when anything is to be done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    pub at: i64,
}

/// A tenant's onboarding, kept under the tenant (`ONBOARDING`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Onboarding {
    pub tenant_id: String,
    /// The child application's URN, when the partner provisioned it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// The JS SDK domains the application was last given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub js_sdk_domains: Vec<String>,
    /// The integrations LinkedIn accepted a name for (`<context> <type>`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub named: Vec<String>,
    /// The viewer settings asked for (`None`: not set, removed at LinkedIn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_posting_viewers: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_viewers: Option<String>,
    pub steps: Vec<StepStatus>,
    pub updated_at: i64,
}

impl Onboarding {
    pub fn new(tenant_id: &str) -> Self {
        Self {
            tenant_id: tenant_id.to_owned(),
            application: None,
            js_sdk_domains: Vec::new(),
            named: Vec::new(),
            job_posting_viewers: None,
            application_viewers: None,
            steps: Vec::new(),
            updated_at: 0,
        }
    }

    pub fn step(&self, step: OnboardingStep) -> Option<&StepStatus> {
        self.steps.iter().find(|s| s.step == step)
    }

    /// Records where a step stands, keeping the steps in their order.
    pub fn set(&mut self, status: StepStatus) {
        self.steps.retain(|s| s.step != status.step);
        self.steps.push(status);
        self.steps.sort_by_key(|s| {
            OnboardingStep::ALL
                .iter()
                .position(|x| *x == s.step)
                .unwrap_or(usize::MAX)
        });
    }

    /// Every step done: the customer's integrations are named, called back and enabled.
    pub fn complete(&self) -> bool {
        OnboardingStep::ALL
            .iter()
            .all(|step| self.step(*step).is_some_and(|s| s.state == StepState::Done))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(step: OnboardingStep, state: StepState) -> StepStatus {
        StepStatus {
            step,
            state,
            detail: String::new(),
            next: None,
            at: 0,
        }
    }

    #[test]
    fn steps_stay_in_order_and_are_replaced() {
        let mut o = Onboarding::new("t");
        o.set(status(OnboardingStep::Enablement, StepState::Waiting));
        o.set(status(OnboardingStep::Application, StepState::Failed));
        o.set(status(OnboardingStep::Application, StepState::Done));
        let order: Vec<_> = o.steps.iter().map(|s| (s.step, s.state)).collect();
        assert_eq!(
            order,
            [
                (OnboardingStep::Application, StepState::Done),
                (OnboardingStep::Enablement, StepState::Waiting)
            ]
        );
        assert!(!o.complete());
        for step in OnboardingStep::ALL {
            o.set(status(step, StepState::Done));
        }
        assert!(o.complete());
    }
}
