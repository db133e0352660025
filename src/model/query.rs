//! Query strings of the pages' links (filters, paging, exports).

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
