//! Query strings of the pages' links (filters, paging, exports).

/// `name=value` pairs joined with `&`, each value trimmed and encoded; blank or absent
/// values are left out.
pub fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> String {
    pairs
        .into_iter()
        .filter_map(|(name, value)| {
            let value = value?.trim();
            (!value.is_empty()).then(|| format!("{name}={}", encode_query_value(value)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but unreserved characters, for a query string value.
pub fn encode_query_value(value: &str) -> String {
    /// Everything but the unreserved characters of RFC 3986.
    const ENCODED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(value, ENCODED).to_string()
}
