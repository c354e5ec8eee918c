//! JSON inputs → Typst values for `sys.inputs`.

use serde_json::Value as Json;
use typst::foundations::{Array, Dict, Str, Value};

use crate::DocsError;

/// The top-level JSON object becomes `sys.inputs`; null gives an empty one.
pub(crate) fn to_dict(inputs: &Json) -> Result<Dict, DocsError> {
    match inputs {
        Json::Null => Ok(Dict::new()),
        Json::Object(map) => Ok(map
            .iter()
            .map(|(key, value)| (Str::from(key.as_str()), to_value(value)))
            .collect()),
        Json::Bool(_) => Err(DocsError::Inputs("a bool")),
        Json::Number(_) => Err(DocsError::Inputs("a number")),
        Json::String(_) => Err(DocsError::Inputs("a string")),
        Json::Array(_) => Err(DocsError::Inputs("an array")),
    }
}

fn to_value(json: &Json) -> Value {
    match json {
        Json::Null => Value::None,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            // Beyond i64 (or fractional): a float is the best Typst has.
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::Str(Str::from(s.as_str())),
        Json::Array(items) => Value::Array(items.iter().map(to_value).collect::<Array>()),
        Json::Object(map) => Value::Dict(
            map.iter()
                .map(|(key, value)| (Str::from(key.as_str()), to_value(value)))
                .collect::<Dict>(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn object_becomes_dict_with_typed_values() {
        let dict = to_dict(&json!({
            "name": "Nguyễn #Văn",
            "fee": 2000,
            "ratio": 0.5,
            "paid": true,
            "note": null,
            "items": [1, "a"],
            "agency": {"code": "X"}
        }))
        .expect("an object is accepted");
        assert_eq!(dict.len(), 7);
        assert_eq!(
            dict.get("name").ok(),
            Some(&Value::Str("Nguyễn #Văn".into()))
        );
        assert_eq!(dict.get("fee").ok(), Some(&Value::Int(2000)));
        assert_eq!(dict.get("ratio").ok(), Some(&Value::Float(0.5)));
        assert_eq!(dict.get("note").ok(), Some(&Value::None));
        assert!(matches!(dict.get("items"), Ok(Value::Array(a)) if a.len() == 2));
        assert!(matches!(dict.get("agency"), Ok(Value::Dict(d)) if d.len() == 1));
    }

    #[test]
    fn null_is_empty_and_scalars_are_refused() {
        assert_eq!(to_dict(&Json::Null).ok().map(|d| d.len()), Some(0));
        assert!(matches!(to_dict(&json!("x")), Err(DocsError::Inputs(_))));
        assert!(matches!(to_dict(&json!([1])), Err(DocsError::Inputs(_))));
    }
}
