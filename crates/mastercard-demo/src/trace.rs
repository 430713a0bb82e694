//! The demo's human-readable trace: one line per call, and the steps kept for tests.

use std::io::Write;
use std::time::{Duration, Instant};

/// How one step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server answered with this HTTP status.
    Status(u16),
    /// No answer arrived (timeout, lost connection): the request may have been processed.
    NoAnswer,
    /// The client refused to send the request (the reason says why); nothing left the process.
    NotSent(&'static str),
}

/// One call of the demo.
#[derive(Debug, Clone)]
pub struct Step {
    /// The spec's `operationId`.
    pub operation: &'static str,
    /// What happened.
    pub outcome: Outcome,
    /// The ids and counts worth showing (never bodies or card data).
    pub detail: String,
    /// Wall time of the call, signing, encryption and the guard included.
    pub elapsed: Duration,
}

/// Collects the steps and, when `echo` is on, prints each as it completes.
#[derive(Debug, Default)]
pub struct Trace {
    steps: Vec<Step>,
    echo: bool,
}

impl Trace {
    /// A trace that prints every step on stdout.
    pub fn printing() -> Self {
        Self {
            steps: Vec::new(),
            echo: true,
        }
    }

    /// A trace that only collects (tests).
    pub fn silent() -> Self {
        Self::default()
    }

    /// Starts timing a step.
    pub fn start(&self) -> Instant {
        Instant::now()
    }

    /// Records a finished step and prints it.
    pub fn record(
        &mut self,
        operation: &'static str,
        started: Instant,
        outcome: Outcome,
        detail: impl Into<String>,
    ) {
        let step = Step {
            operation,
            outcome,
            detail: detail.into(),
            elapsed: started.elapsed(),
        };
        if self.echo {
            self.line(&render(&step));
        }
        self.steps.push(step);
    }

    /// Prints a heading or note (not a step).
    pub fn note(&self, text: &str) {
        if self.echo {
            self.line(text);
        }
    }

    /// The steps so far, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    fn line(&self, text: &str) {
        // A closed stdout (`| head`) must not abort the walk half-way through a dispute.
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }
}

fn render(step: &Step) -> String {
    let outcome = match &step.outcome {
        Outcome::Status(status) => status.to_string(),
        Outcome::NoAnswer => "no answer".to_owned(),
        Outcome::NotSent(_) => "not sent".to_owned(),
    };
    let reason = match &step.outcome {
        Outcome::NotSent(reason) => format!(" ({reason})"),
        Outcome::Status(_) | Outcome::NoAnswer => String::new(),
    };
    format!(
        "  {:>8.1} ms  {outcome:<8}  {:<32}  {}{reason}",
        step.elapsed.as_secs_f64() * 1000.0,
        step.operation,
        step.detail
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_renders_on_one_line_with_its_reason() {
        let step = Step {
            operation: "createChargeback",
            outcome: Outcome::NotSent("duplicate within 60 s"),
            detail: "claim 200002020654".to_owned(),
            elapsed: Duration::from_micros(1500),
        };
        let line = render(&step);
        assert_eq!(
            line,
            "       1.5 ms  not sent  createChargeback                  claim 200002020654 (duplicate within 60 s)"
        );
    }
}
