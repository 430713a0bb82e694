#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The six hosted base URLs (3 regions × 2 environments) are exactly the pinned spec's `servers`.

use std::collections::BTreeSet;

use identity_insights::{Environment, Region, hosted_base_url};

#[test]
fn hosted_urls_are_the_specs_six_servers() {
    let ours: BTreeSet<String> = [Region::Us, Region::Eu, Region::Asia]
        .into_iter()
        .flat_map(|region| {
            [Environment::Sandbox, Environment::Production]
                .map(|environment| hosted_base_url(region, environment))
        })
        .collect();
    assert_eq!(ours.len(), 6);
    let spec: BTreeSet<String> = mastercard_testkit::spec_servers("IIT-swagger-public.yaml")
        .into_iter()
        .collect();
    assert_eq!(ours, spec);
}
