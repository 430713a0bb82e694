//! `CreateFraudMasterCardRequest.cvcInvalidIndicator`, written by hand.
//!
//! The spec's enum has the values `*` and `?`, which typify cannot name (both sanitise to the same
//! identifier and generation panics). `openapi/mastercom.transforms.toml` hoists the enum to the
//! schema `CvcInvalidIndicator`, and the generator substitutes this type for it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// CVC invalid indicator of a fraud report (Mastercom "Valid Values/Format: Y, *, M, N, P, U, ?, E").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CvcInvalidIndicator {
    /// `Y`
    #[serde(rename = "Y")]
    Y,
    /// `*`
    #[serde(rename = "*")]
    Asterisk,
    /// `M`
    #[serde(rename = "M")]
    M,
    /// `N`
    #[serde(rename = "N")]
    N,
    /// `P`
    #[serde(rename = "P")]
    P,
    /// `U`
    #[serde(rename = "U")]
    U,
    /// `?`
    #[serde(rename = "?")]
    QuestionMark,
    /// `E`
    #[serde(rename = "E")]
    E,
}

impl CvcInvalidIndicator {
    /// Every value, in the spec's order.
    pub const ALL: [Self; 8] = [
        Self::Y,
        Self::Asterisk,
        Self::M,
        Self::N,
        Self::P,
        Self::U,
        Self::QuestionMark,
        Self::E,
    ];

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Y => "Y",
            Self::Asterisk => "*",
            Self::M => "M",
            Self::N => "N",
            Self::P => "P",
            Self::U => "U",
            Self::QuestionMark => "?",
            Self::E => "E",
        }
    }
}

impl fmt::Display for CvcInvalidIndicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not one of the eight Mastercom values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidCvcIndicator;

impl fmt::Display for InvalidCvcIndicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cvcInvalidIndicator must be one of Y, *, M, N, P, U, ?, E")
    }
}

impl std::error::Error for InvalidCvcIndicator {}

impl FromStr for CvcInvalidIndicator {
    type Err = InvalidCvcIndicator;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|value| value.as_str() == text)
            .ok_or(InvalidCvcIndicator)
    }
}
