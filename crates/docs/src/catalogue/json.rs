//! The catalogue as JSON: the serde shape of [`Procedure`], as in
//! `seeds/catalogue/`.

use std::collections::HashMap;

use motcua_domain::procedure::Procedure;

use super::{CatalogueError, Location, Problem};

/// The catalogue as a pretty-printed JSON array in the serde shape of
/// [`Procedure`] (the shape of `seeds/catalogue/*.json`), ending in a newline.
pub fn to_json(procs: &[Procedure]) -> Vec<u8> {
    // Serialising plain structs, strings and integers into memory has no
    // failure path: serde_json only fails on non-string map keys or on a
    // failing writer, and a Procedure has neither.
    let mut out = serde_json::to_vec_pretty(procs).expect("a procedure always serialises");
    out.push(b'\n');
    out
}

/// Reads a JSON catalogue (an array of procedures), normalised and
/// validated; every problem of every item is reported at once.
pub fn from_json(bytes: &[u8]) -> Result<Vec<Procedure>, CatalogueError> {
    // Notepad on Windows starts UTF-8 files with a byte-order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        let what = if e.is_eof() {
            "tệp bị cắt cụt".to_owned()
        } else if e.is_syntax() {
            format!("lỗi cú pháp ở dòng {}, cột {}", e.line(), e.column())
        } else {
            format!("ở dòng {}, cột {}", e.line(), e.column())
        };
        // serde_json's own words name the kind of mistake (in English);
        // the position is already said in Vietnamese.
        let detail = e.to_string();
        let detail = detail.split(" at line ").next().unwrap_or_default();
        CatalogueError::Invalid(vec![Problem::file(format!(
            "Tệp không phải là JSON hợp lệ: {what} ({detail})."
        ))])
    })?;
    let serde_json::Value::Array(items) = value else {
        return Err(CatalogueError::Invalid(vec![Problem::file(
            "Tệp JSON phải là một mảng các thủ tục ([ {…}, {…} ]).",
        )]));
    };
    let mut problems = Vec::new();
    let mut procs = Vec::with_capacity(items.len());
    let mut indexes = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let code = item
            .get("code")
            .and_then(|c| c.as_str())
            .map(|c| c.trim().to_owned());
        match serde_json::from_value::<Procedure>(item) {
            Ok(p) => {
                procs.push(p);
                indexes.push(i + 1);
            }
            Err(e) => problems.push(Problem {
                procedure: code,
                location: Location::Item {
                    index: i + 1,
                    field: None,
                },
                message: format!("Không đúng cấu trúc của một thủ tục: {e}."),
            }),
        }
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (p, index) in procs.iter_mut().zip(&indexes) {
        p.normalize();
        if let Some(first) = seen.insert(p.code.clone(), *index) {
            problems.push(Problem {
                procedure: None,
                location: Location::Item {
                    index: *index,
                    field: Some("code".to_owned()),
                },
                message: format!(
                    "Mã thủ tục «{}» đã có ở mục thứ {first}; mỗi thủ tục chỉ ghi một lần.",
                    p.code
                ),
            });
        }
        for e in p.validate() {
            problems.push(Problem {
                procedure: Some(p.code.clone()),
                location: Location::Item {
                    index: *index,
                    field: Some(e.field),
                },
                message: e.message,
            });
        }
    }
    if problems.is_empty() {
        Ok(procs)
    } else {
        Err(CatalogueError::Invalid(problems))
    }
}
