//! The JSON the dossier endpoints read, with its OpenAPI schemas: turned here
//! into the use cases' inputs, so that base64 and schemas stay at the HTTP edge.
//! Every field is optional on the wire; the use case says what is missing.

use base64::Engine as _;
use motcua_app::dossiers::{ActionInput, ApplicantInput, DocumentInput, IntakeInput, Upload};
use motcua_app::Error;
use motcua_domain::validation::Errors;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ApplicantJson {
    #[schema(max_length = 100)]
    #[serde(default)]
    pub full_name: String,
    #[schema(max_length = 64)]
    #[serde(default)]
    pub personal_id: Option<String>,
    /// dd/mm/yyyy or yyyy-mm-dd
    #[schema(max_length = 64)]
    #[serde(default)]
    pub date_of_birth: Option<String>,
    /// male / female (nam / nữ)
    #[schema(max_length = 64)]
    #[serde(default)]
    pub sex: Option<String>,
    #[schema(max_length = 64)]
    #[serde(default)]
    pub phone: Option<String>,
    #[schema(max_length = 254)]
    #[serde(default)]
    pub email: Option<String>,
    #[schema(max_length = 300)]
    #[serde(default)]
    pub address: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DocumentJson {
    #[schema(max_length = 500)]
    pub name: String,
    #[schema(maximum = 100)]
    #[serde(default)]
    pub originals: u16,
    #[schema(maximum = 100)]
    #[serde(default)]
    pub certified_copies: u16,
    #[schema(maximum = 100)]
    #[serde(default)]
    pub photocopies: u16,
}

/// A file in JSON: its bytes in base64.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct FileJson {
    #[schema(max_length = 255)]
    pub name: String,
    #[schema(max_length = 127)]
    #[serde(default)]
    pub content_type: Option<String>,
    /// The bytes, base64 (absent for a paper result described in words).
    #[serde(default)]
    pub data_base64: Option<String>,
}

/// A dossier as the counter (or the citizen online) fills it in.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct IntakeJson {
    /// Procedure code, e.g. 1.001193.
    #[schema(max_length = 64)]
    #[serde(default)]
    pub procedure: String,
    /// counter, post, home or assisted (online submissions use the public endpoint).
    #[schema(max_length = 64)]
    #[serde(default)]
    pub channel: Option<String>,
    /// Required for online submissions: the agency's identifier code.
    #[schema(max_length = 64)]
    #[serde(default)]
    pub agency: Option<String>,
    #[serde(default)]
    pub applicant: ApplicantJson,
    #[serde(default)]
    pub on_behalf_of: Option<ApplicantJson>,
    /// The papers received; when absent, the procedure's required list as listed.
    #[schema(max_items = 100)]
    #[serde(default)]
    pub documents: Option<Vec<DocumentJson>>,
    #[schema(minimum = 1, maximum = 20)]
    #[serde(default)]
    pub sets: Option<u16>,
    /// counter, post, home or online.
    #[schema(max_length = 64)]
    #[serde(default)]
    pub return_method: String,
    #[schema(max_length = 300)]
    #[serde(default)]
    pub post_address: Option<String>,
    /// For fees by page, copy or case.
    #[schema(minimum = 1, maximum = 10000)]
    #[serde(default)]
    pub pages: Option<u32>,
    #[schema(minimum = 1, maximum = 1000)]
    #[serde(default)]
    pub copies: Option<u32>,
    /// An exemption claimed, e.g. poor_household.
    #[schema(max_length = 64)]
    #[serde(default)]
    pub exemption: Option<String>,
    #[serde(default)]
    pub fee_paid: Option<bool>,
    #[schema(max_length = 64)]
    #[serde(default)]
    pub fee_receipt_no: Option<String>,
    #[schema(max_length = 2000)]
    #[serde(default)]
    pub note: Option<String>,
    /// At most 20 files (30 MB together) at the counter, 5 (5 MB) online.
    #[schema(max_items = 20)]
    #[serde(default)]
    pub files: Vec<FileJson>,
    /// A civil-status procedure (birth, death, marriage… registration): the facts
    /// of the register entry its approval writes; for a change, correction or
    /// supplement, the entry it changes and the new values.
    #[serde(default)]
    pub civil: Option<CivilJson>,
}

/// The declared facts of a civil-status dossier.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CivilJson {
    /// Field name → value as typed (dates dd/mm/yyyy), e.g. `full_name`, `sex`,
    /// `date_of_birth`, `place_of_birth`, `mother_name`… (the fields of the kind).
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, String>,
    /// Change, correction, supplement: the id of the entry changed (an extract:
    /// the entry copied). Or, instead, `entry_book` and `entry_number`.
    #[schema(max_length = 64)]
    #[serde(default)]
    pub entry_id: Option<String>,
    /// Change, correction, supplement: the book of the entry changed, as printed
    /// ("01/2014"), when the entry is named by its book and number rather than by
    /// `entry_id`. The book's year is the label's "/yyyy", or `entry_book_year`.
    #[schema(max_length = 64)]
    #[serde(default)]
    pub entry_book: Option<String>,
    /// The year of `entry_book`, when its label does not end in "/yyyy".
    #[serde(default)]
    pub entry_book_year: Option<i64>,
    /// The number of the entry changed within `entry_book`.
    #[serde(default)]
    pub entry_number: Option<i64>,
    /// change | correction | supplement
    #[schema(max_length = 64)]
    #[serde(default)]
    pub note_kind: Option<String>,
    #[schema(max_length = 2000)]
    #[serde(default)]
    pub reason: Option<String>,
}

/// What an action may carry; each action reads the fields it needs.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ActionJson {
    /// The dossier's `version` as the person saw it: if it changed since, the action
    /// is refused with the new state instead of acting on something unseen.
    #[serde(default)]
    pub version: Option<i64>,
    #[schema(max_length = 2000)]
    #[serde(default)]
    pub reason: Option<String>,
    /// assign: a specialist's username; absent: by sector and current load.
    #[schema(max_length = 64)]
    #[serde(default)]
    pub assignee: Option<String>,
    /// request_supplement: every missing item.
    #[schema(max_items = 50)]
    #[serde(default)]
    pub missing: Option<Vec<String>>,
    /// extend: the new appointment date (dd/mm/yyyy or yyyy-mm-dd).
    #[schema(max_length = 64)]
    #[serde(default)]
    pub new_due_date: Option<String>,
    /// attach_result: a file, or a paper result (a name, no data).
    #[serde(default)]
    pub result: Option<FileJson>,
    /// return at the counter: who collected it.
    #[schema(max_length = 100)]
    #[serde(default)]
    pub collector_name: Option<String>,
    #[schema(max_length = 64)]
    #[serde(default)]
    pub collector_id: Option<String>,
    /// return by post
    #[schema(max_length = 64)]
    #[serde(default)]
    pub tracking_number: Option<String>,
    /// record_review: the specialist's opinion (ý kiến thẩm định).
    #[schema(max_length = 2000)]
    #[serde(default)]
    pub opinion: Option<String>,
    /// record_review: the draft of the result, in words.
    #[schema(max_length = 2000)]
    #[serde(default)]
    pub draft_result: Option<String>,
    /// record_review: working files (drafts, checks), seen by officers only.
    #[schema(max_items = 20)]
    #[serde(default)]
    pub working_files: Vec<FileJson>,
    /// record_civil: the civil-status facts as the specialist checked them (the
    /// same shape as at intake); they replace those declared at intake.
    #[serde(default)]
    pub civil: Option<CivilJson>,
}

impl From<ApplicantJson> for ApplicantInput {
    fn from(a: ApplicantJson) -> Self {
        ApplicantInput {
            full_name: a.full_name,
            personal_id: a.personal_id,
            date_of_birth: a.date_of_birth,
            sex: a.sex,
            phone: a.phone,
            email: a.email,
            address: a.address,
        }
    }
}

impl FileJson {
    /// The file's bytes; `field` names it in the error.
    fn upload(self, field: &str, errors: &mut Errors) -> Upload {
        let bytes = match self.data_base64.as_deref().map(str::trim) {
            None | Some("") => Vec::new(),
            Some(b) => base64::engine::general_purpose::STANDARD
                .decode(b)
                .unwrap_or_else(|_| {
                    errors.push(
                        field,
                        format!(
                            "Tệp «{}» không đọc được (cần mã hóa base64).",
                            self.name.trim()
                        ),
                    );
                    Vec::new()
                }),
        };
        Upload {
            name: self.name,
            content_type: self.content_type,
            bytes,
        }
    }
}

impl IntakeJson {
    pub fn into_input(self) -> Result<IntakeInput, Error> {
        let mut errors = Errors::new();
        let files = self
            .files
            .into_iter()
            .enumerate()
            .map(|(i, f)| f.upload(&format!("files[{i}]"), &mut errors))
            .collect();
        errors.into_result()?;
        Ok(IntakeInput {
            procedure: self.procedure,
            channel: self.channel,
            agency: self.agency,
            applicant: self.applicant.into(),
            on_behalf_of: self.on_behalf_of.map(Into::into),
            documents: self.documents.map(|list| {
                list.into_iter()
                    .map(|d| DocumentInput {
                        name: d.name,
                        originals: d.originals,
                        certified_copies: d.certified_copies,
                        photocopies: d.photocopies,
                    })
                    .collect()
            }),
            sets: self.sets,
            return_method: self.return_method,
            post_address: self.post_address,
            pages: self.pages,
            copies: self.copies,
            exemption: self.exemption,
            fee_paid: self.fee_paid,
            fee_receipt_no: self.fee_receipt_no,
            note: self.note,
            files,
            civil: self.civil.map(Into::into),
        })
    }
}

impl From<CivilJson> for motcua_domain::dossier::CivilFacts {
    fn from(c: CivilJson) -> Self {
        motcua_domain::dossier::CivilFacts {
            fields: c.fields,
            entry_id: c.entry_id,
            entry_book: c.entry_book,
            entry_book_year: c.entry_book_year,
            entry_number: c.entry_number,
            note_kind: c.note_kind,
            reason: c.reason,
            // An extract's copies are the intake's `copies`, priced there.
            copies: None,
        }
    }
}

impl ActionJson {
    pub fn into_input(self) -> Result<ActionInput, Error> {
        let mut errors = Errors::new();
        let result = self
            .result
            .map(|r| r.upload("result.data_base64", &mut errors));
        let working_files = self
            .working_files
            .into_iter()
            .enumerate()
            .map(|(i, f)| f.upload(&format!("working_files[{i}].data_base64"), &mut errors))
            .collect();
        errors.into_result()?;
        Ok(ActionInput {
            version: self.version,
            reason: self.reason,
            assignee: self.assignee,
            missing: self.missing,
            new_due_date: self.new_due_date,
            result,
            collector_name: self.collector_name,
            collector_id: self.collector_id,
            tracking_number: self.tracking_number,
            opinion: self.opinion,
            draft_result: self.draft_result,
            working_files,
            civil: self.civil.map(Into::into),
        })
    }
}
