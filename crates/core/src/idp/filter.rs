//! The ListUsers filter grammar: `attribute = "value"` or `attribute ^= "value"` (developer
//! guide, "Searching for user attributes"), on the attributes it allows.

use crate::store::{SEARCHABLE, UserFilter, search_is_case_insensitive};
use cognate_proto::ApiError;

/// Parses `filter`; an empty filter means every user.
pub(super) fn parse(filter: &str) -> Result<Option<UserFilter>, ApiError> {
    let filter = filter.trim();
    if filter.is_empty() {
        return Ok(None);
    }
    let bad = || ApiError::invalid_parameter("Error while parsing filter.");
    let op_at = filter.find(['=', '^']).ok_or_else(bad)?;
    let attribute = filter[..op_at].trim();
    let rest = &filter[op_at..];
    let (prefix, rest) = if let Some(r) = rest.strip_prefix("^=") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix('=') {
        (false, r)
    } else {
        return Err(bad());
    };
    let rest = rest.trim();
    let quoted = rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')).ok_or_else(bad)?;
    let mut value = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.push(chars.next().ok_or_else(bad)?),
            '"' => return Err(bad()),
            c => value.push(c),
        }
    }
    if attribute.is_empty() || attribute.contains(char::is_whitespace) {
        return Err(bad());
    }
    if !SEARCHABLE.contains(&attribute) {
        return Err(ApiError::invalid_parameter(format!("Invalid search attribute: {attribute}")));
    }
    let value = if search_is_case_insensitive(attribute) { value.to_lowercase() } else { value };
    Ok(Some(UserFilter { attribute: attribute.to_string(), value, prefix }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        let f = parse(r#"email ^= "Ab""#).unwrap().unwrap();
        assert_eq!((f.attribute.as_str(), f.value.as_str(), f.prefix), ("email", "ab", true));
        let f = parse(r#"username="Bob \"B\"""#).unwrap().unwrap();
        assert_eq!((f.value.as_str(), f.prefix), ("Bob \"B\"", false));
        assert_eq!(parse("  ").unwrap(), None);
        for bad in [r#"email = nope"#, r#"email ~ "x""#, r#"= "x""#, r#"email = "a"b""#] {
            assert_eq!(parse(bad).unwrap_err().message.unwrap(), "Error while parsing filter.", "{bad}");
        }
        assert_eq!(
            parse(r#"custom:tier = "x""#).unwrap_err().message.unwrap(),
            "Invalid search attribute: custom:tier"
        );
    }
}
