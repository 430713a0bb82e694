//! The generated request population of the OAuth1 differential tests: one deterministic list of
//! requests (URLs full of escapes, sub-delimiters, `+`, non-ASCII, default ports, fragments;
//! empty, JSON, binary and XML bodies), signed by each reference library and by ours.
//!
//! Shared so that every reference (Python, Node) is compared over the same inputs.

/// A small deterministic generator (SplitMix64), so every run checks the same cases.
pub struct Rng(u64);

impl Rng {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % n as u64).unwrap()
    }

    /// One of `items`.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// Up to `max` pieces of `alphabet`, concatenated.
    pub fn text(&mut self, alphabet: &[&str], max: usize) -> String {
        (0..self.below(max + 1))
            .map(|_| self.pick(alphabet))
            .collect()
    }
}

/// Path pieces: unreserved, sub-delimiters, escapes (upper and lower case), raw non-ASCII.
/// (`;` is left out: Python's `urlparse` cuts `;params` off the last segment, Java keeps it.)
pub const PATH: &[&str] = &[
    "a", "Z", "0", "9", "-", ".", "_", "~", "!", "$", "'", "(", ")", "*", "+", ",", "=", ":", "@",
    "&", "%20", "%2F", "%40", "%7e", "%C3%A9", "é", "中",
];
/// Query value pieces, including `+`, reserved characters and escapes of `&`, `=`, `+`, invalid UTF-8.
pub const VALUE: &[&str] = &[
    "a", "B", "7", "-", ".", "_", "~", ":", ",", "!", "*", "'", "(", ")", "/", "?", "@", "$", "+",
    "é", "%3A", "%2B", "%20", "%2a", "%26", "%3D", "%C3%A9", "%E9", "%7E",
];
/// Query key pieces (after a leading `k`).
pub const KEY: &[&str] = &["a", "b", "Z", "1", "x", "_", "-", "%5B", "%5d", "é"];

/// A generated URL: scheme and host in mixed case, sometimes an explicit port, up to 3 path
/// segments, up to 4 query pairs (a query is either free of `%XX` or holds at least one), and
/// sometimes a fragment.
pub fn url(rng: &mut Rng) -> String {
    let scheme = rng.pick(&["https", "https", "http", "HTTPS"]);
    let host = rng.pick(&[
        "sandbox.api.mastercard.com",
        "API.Mastercard.COM",
        "example.com",
        "localhost",
    ]);
    let port = rng.pick(&["", "", ":443", ":80", ":8443"]);
    let mut url = format!("{scheme}://{host}{port}");
    for _ in 0..rng.below(4) {
        url.push('/');
        url.push_str(&rng.text(PATH, 6));
    }
    let pairs = rng.below(5);
    if pairs > 0 || rng.below(8) == 0 {
        let encoded = rng.below(2) == 0;
        let query: Vec<String> = (0..pairs)
            .map(|_| {
                // Unencoded queries get no `%XX`; encoded ones at least one somewhere.
                let keep = |piece: &&str| encoded || !piece.contains('%');
                let keys: Vec<&str> = KEY.iter().copied().filter(keep).collect();
                let values: Vec<&str> = VALUE.iter().copied().filter(keep).collect();
                let key = format!("k{}", rng.text(&keys, 3));
                if rng.below(6) == 0 {
                    key
                } else {
                    format!("{key}={}", rng.text(&values, 6))
                }
            })
            .collect();
        url.push('?');
        url.push_str(&query.join("&"));
        if encoded && !url.split_once('?').unwrap().1.contains('%') {
            url.push_str("&enc=%2F");
        }
    }
    if rng.below(10) == 0 {
        url.push_str("#fragment");
    }
    url
}

/// A generated body: empty, JSON, JSON with non-ASCII, random bytes, or XML-ish text.
pub fn body(rng: &mut Rng) -> Vec<u8> {
    match rng.below(5) {
        0 => Vec::new(),
        1 => br#"{"amount":"100.00","currency":"USD"}"#.to_vec(),
        2 => "{\"holder\":\"Zoë Ångström 山田 ✓ 🎉\",\"note\":\"a/b+c=d\"}"
            .as_bytes()
            .to_vec(),
        3 => (0..rng.below(64))
            .map(|_| u8::try_from(rng.below(256)).unwrap())
            .collect(),
        _ => format!("<note>{}</note>", rng.text(VALUE, 20)).into_bytes(),
    }
}

/// One request to sign, with its fixed nonce and timestamp.
#[derive(Debug, Clone)]
pub struct Case {
    /// The case's index, as text.
    pub id: String,
    /// The HTTP method as given (mixed case).
    pub method: String,
    /// The URL exactly as sent.
    pub url: String,
    /// The body bytes.
    pub body: Vec<u8>,
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// `oauth_nonce` (16 alphanumerics).
    pub nonce: String,
    /// `oauth_timestamp`.
    pub timestamp: u64,
    /// `RSA-PSS` for about one case in eight, else `RSA-SHA256` (the header's value).
    pub signature_method: &'static str,
}

/// The population: `count` cases from a fixed seed (the same list on every run and for every
/// reference library).
pub fn cases(count: usize) -> Vec<Case> {
    let mut rng = Rng::new(0x4D43_4F41_5554_4831);
    let alnum: Vec<String> = ('0'..='9')
        .chain('A'..='Z')
        .chain('a'..='z')
        .map(String::from)
        .collect();
    let alnum: Vec<&str> = alnum.iter().map(String::as_str).collect();
    (0..count)
        .map(|index| {
            let nonce: String = (0..16).map(|_| rng.pick(&alnum)).collect();
            Case {
                id: index.to_string(),
                method: rng
                    .pick(&["GET", "POST", "PUT", "DELETE", "PATCH", "get", "Post", "HEAD"])
                    .to_owned(),
                url: url(&mut rng),
                body: body(&mut rng),
                consumer_key: rng
                    .pick(&[
                        "abc-abc-abc!123",
                        "-leading-dash!0a1b",
                        "L5BsiPgaF-O3qA36znUATgQXwJB6MRoMSdhjd7wt50c97279!50596e52466e3966546d434b7354584c4975693238513d3d",
                        "under_score.dot~tilde",
                    ])
                    .to_owned(),
                nonce,
                timestamp: 1_600_000_000 + rng.next_u64() % 200_000_000,
                signature_method: if rng.below(8) == 0 {
                    "RSA-PSS"
                } else {
                    "RSA-SHA256"
                },
            }
        })
        .collect()
}
