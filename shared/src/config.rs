//! Configuration read once at start-up from environment variables.
//!
//! Functions read their settings through [`Env`] so that the local stack can hand each function
//! the environment that template.yaml gives it, while production reads the process environment.

use std::collections::HashMap;

/// A missing or unusable setting. Start-up fails with this message, naming the variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {name} is not set: {purpose}")]
    Missing { name: String, purpose: String },
    #[error("environment variable {name} has an unusable value: {problem}")]
    Invalid { name: String, problem: String },
}

/// A snapshot of environment variables.
#[derive(Clone, Debug, Default)]
pub struct Env {
    vars: HashMap<String, String>,
}

impl Env {
    /// The process environment, as a deployed function sees it.
    pub fn from_process() -> Self {
        Self {
            vars: std::env::vars().collect(),
        }
    }

    pub fn from_map(vars: HashMap<String, String>) -> Self {
        Self { vars }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// A setting the function cannot run without; `purpose` tells the operator what it is.
    pub fn required(&self, name: &str, purpose: &str) -> Result<String, ConfigError> {
        self.get(name)
            .map(str::to_owned)
            .ok_or_else(|| ConfigError::Missing {
                name: name.to_owned(),
                purpose: purpose.to_owned(),
            })
    }

    /// A URL setting: required, and must start with http:// or https://.
    pub fn required_url(&self, name: &str, purpose: &str) -> Result<String, ConfigError> {
        let value = self.required(name, purpose)?;
        if !(value.starts_with("https://") || value.starts_with("http://")) {
            return Err(ConfigError::Invalid {
                name: name.to_owned(),
                problem: format!("expected an http(s) URL, got {value:?}"),
            });
        }
        Ok(value.trim_end_matches('/').to_owned())
    }

    /// A whole number with a default.
    pub fn number_or(&self, name: &str, default: u64) -> Result<u64, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| ConfigError::Invalid {
                name: name.to_owned(),
                problem: format!("expected a whole number, got {v:?}"),
            }),
        }
    }

    /// A time budget in whole seconds, with a default, refused outside `range` (a budget must
    /// leave a function room before its timeout).
    pub fn budget_seconds(
        &self,
        name: &str,
        default: u64,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<std::time::Duration, ConfigError> {
        self.number_within(name, default, range, " seconds")
            .map(std::time::Duration::from_secs)
    }

    /// A percentage with a default, refused outside `range`.
    pub fn percent(
        &self,
        name: &str,
        default: u8,
        range: std::ops::RangeInclusive<u8>,
    ) -> Result<u8, ConfigError> {
        let range = u64::from(*range.start())..=u64::from(*range.end());
        self.number_within(name, u64::from(default), range, " %")
            .map(|p| p as u8)
    }

    fn number_within(
        &self,
        name: &str,
        default: u64,
        range: std::ops::RangeInclusive<u64>,
        unit: &str,
    ) -> Result<u64, ConfigError> {
        let value = self.number_or(name, default)?;
        if !range.contains(&value) {
            return Err(ConfigError::Invalid {
                name: name.to_owned(),
                problem: format!(
                    "must be {} to {}{unit}, got {value}",
                    range.start(),
                    range.end()
                ),
            });
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn missing_variable_names_itself_and_its_purpose() {
        let err = env(&[])
            .required("TABLE_NAME", "the DynamoDB table")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable TABLE_NAME is not set: the DynamoDB table"
        );
    }

    #[test]
    fn blank_counts_as_missing() {
        assert!(
            env(&[("TABLE_NAME", " ")])
                .required("TABLE_NAME", "x")
                .is_err()
        );
    }

    #[test]
    fn budgets_are_bounded() {
        let e = env(&[("B", "50"), ("N", "x")]);
        assert_eq!(e.budget_seconds("A", 30, 5..=45).unwrap().as_secs(), 30);
        assert!(
            e.budget_seconds("B", 30, 5..=45)
                .unwrap_err()
                .to_string()
                .contains("5 to 45")
        );
        assert!(
            e.number_or("N", 1)
                .unwrap_err()
                .to_string()
                .contains("whole number")
        );
    }

    #[test]
    fn urls_must_be_http_and_lose_trailing_slash() {
        let e = env(&[("A", "https://api.example/v2/"), ("B", "api.example")]);
        assert_eq!(e.required_url("A", "x").unwrap(), "https://api.example/v2");
        assert!(
            e.required_url("B", "x")
                .unwrap_err()
                .to_string()
                .contains("http(s) URL")
        );
    }
}
