#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The six hosted base URLs (3 regions × 2 environments) are exactly the pinned spec's `servers`.

use std::collections::BTreeSet;

use identity_insights::{Environment, Region, hosted_base_url};

/// The `url` of each entry of the spec's top-level `servers:` list.
fn spec_servers() -> BTreeSet<String> {
    let spec =
        String::from_utf8(mastercard_testkit::spec_bytes("IIT-swagger-public.yaml")).unwrap();
    spec.lines()
        .skip_while(|line| *line != "servers:")
        .skip(1)
        .take_while(|line| line.starts_with(' '))
        .filter_map(|line| line.trim().strip_prefix("- url:"))
        .map(|url| url.trim().to_owned())
        .collect()
}

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
    assert_eq!(ours, spec_servers());
}
