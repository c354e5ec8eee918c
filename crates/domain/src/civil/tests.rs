use super::*;

fn cells(pairs: &[(&str, Cell)]) -> BTreeMap<String, Cell> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn t(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

fn d(y: i16, m: i8, day: i8) -> Date {
    Date::new(y, m, day).expect("a real date")
}

fn birth() -> BTreeMap<String, Cell> {
    cells(&[
        ("book", t("01/2014")),
        ("number", Cell::Integer(12)),
        ("registered_on", t("10/03/2014")),
        ("full_name", t(" Nguye\u{0302}\u{0303}n  Văn Đức ")),
        ("sex", t("nam")),
        ("date_of_birth", Cell::Date(d(2014, 3, 5))),
        ("mother_name", t("Trần Thị Hoa")),
        ("mother_birth_year", Cell::Integer(1990)),
        ("father_name", t("Nguyễn Văn Hùng")),
    ])
}

#[test]
fn a_birth_is_read_with_typed_clean_values() {
    let draft = read_draft(Kind::Birth, false, &birth()).expect("valid");
    assert_eq!(draft.book.as_deref(), Some("01/2014"));
    assert_eq!(draft.number, Some(12));
    assert_eq!(draft.registered_on, d(2014, 3, 10));
    assert_eq!(draft.year(), 2014);
    assert_eq!(
        draft.values.get(&Field::FullName),
        Some(&Value::Text("Nguyễn Văn Đức".into()))
    );
    assert_eq!(
        draft.values.get(&Field::Sex),
        Some(&Value::Text("Nam".into()))
    );
    assert_eq!(
        draft.values.get(&Field::MotherBirthYear),
        Some(&Value::Year(1990))
    );
    let json = values_to_json(&draft.values);
    assert_eq!(values_from_json(&json), draft.values);
    let s = searchable(Kind::Birth, &draft.values);
    assert_eq!(s.name_fold, "nguyen van duc");
    assert_eq!(s.given_fold, "duc");
    assert_eq!(s.birth_year, Some(2014));
    assert_eq!(s.mother_fold.as_deref(), Some("tran thi hoa"));
}

#[test]
fn every_problem_of_a_row_is_reported_with_its_column() {
    let mut row = birth();
    row.insert("date_of_birth".into(), t("31/02/2014"));
    row.insert("sex".into(), t("x"));
    row.insert("personal_id".into(), Cell::Integer(12345678901));
    row.insert(
        "mother_birth_year".into(),
        Cell::Invalid {
            raw: "199O".into(),
            reason: "không đọc được".into(),
        },
    );
    row.insert("husband_name".into(), t("Ai đó"));
    row.remove("full_name");
    row.remove("registered_on");
    let errors = read_draft(Kind::Birth, false, &row).expect_err("invalid");
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    for f in [
        "date_of_birth",
        "sex",
        "personal_id",
        "mother_birth_year",
        "husband_name",
        "full_name",
        "registered_on",
    ] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    let dob = errors
        .0
        .iter()
        .find(|e| e.field == "date_of_birth")
        .expect("dob");
    assert!(dob.message.contains("31/02/2014"), "{}", dob.message);
    let id = errors
        .0
        .iter()
        .find(|e| e.field == "personal_id")
        .expect("id");
    assert!(id.message.contains("số 0"), "{}", id.message);
}

#[test]
fn required_fields_differ_by_kind() {
    let row = cells(&[
        ("registered_on", t("2020-01-02")),
        ("husband_name", t("Lê Văn A")),
    ]);
    let errors = read_draft(Kind::Marriage, false, &row).expect_err("no wife");
    assert_eq!(errors.0.len(), 1);
    assert_eq!(errors.0[0].field, "wife_name");
    let row = cells(&[
        ("registered_on", t("2020-01-02")),
        ("full_name", t("Lê Văn A")),
        ("date_of_death", t("01/01/2020")),
    ]);
    assert!(read_draft(Kind::Death, true, &row).is_ok());
    for kind in Kind::ALL {
        for f in kind.required() {
            assert!(!kind.optional().contains(f), "{kind:?} {f:?}");
        }
        assert!(kind.allows(kind.name_field()));
        assert_eq!(Kind::parse(kind.as_str()), Some(kind));
    }
    for f in Field::ALL {
        assert_eq!(Field::parse(f.as_str()), Some(*f));
    }
}

#[test]
fn dates_exist_or_are_refused() {
    assert_eq!(parse_date_text("05/03/2014"), Some(d(2014, 3, 5)));
    assert_eq!(parse_date_text("5-3-2014"), Some(d(2014, 3, 5)));
    assert_eq!(parse_date_text("05.03.2014"), Some(d(2014, 3, 5)));
    assert_eq!(parse_date_text("2014-03-05"), Some(d(2014, 3, 5)));
    assert_eq!(parse_date_text("31/02/2014"), None);
    assert_eq!(parse_date_text("5/3/14"), None);
    assert_eq!(parse_date_text(""), None);
}

#[test]
fn notes_amend_without_overwriting_and_keep_history() {
    let draft = read_draft(Kind::Birth, false, &birth()).expect("valid");
    let original = draft.values.clone();
    let correction = read_note(
        Kind::Birth,
        &original,
        draft.registered_on,
        NoteKind::Correction,
        d(2015, 1, 2),
        &cells(&[("full_name", t("Nguyễn Văn Đức Anh"))]),
        "Sai chính tả",
        Some("Quyết định 12/QĐ-UBND"),
    )
    .expect("a correction");
    let after_one = current(&original, std::slice::from_ref(&correction));
    let supplement = read_note(
        Kind::Birth,
        &after_one,
        draft.registered_on,
        NoteKind::Supplement,
        d(2016, 1, 2),
        &cells(&[("place_of_birth", t("Trạm y tế xã"))]),
        "Bổ sung nơi sinh",
        None,
    )
    .expect("a supplement");
    let notes = vec![correction, supplement];
    let now = current(&original, &notes);
    assert_eq!(
        now.get(&Field::FullName),
        Some(&Value::Text("Nguyễn Văn Đức Anh".into()))
    );
    assert!(now.contains_key(&Field::PlaceOfBirth));
    // The original is untouched.
    assert_eq!(
        original.get(&Field::FullName),
        Some(&Value::Text("Nguyễn Văn Đức".into()))
    );
    let h = history(&original, &notes);
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].before, Some(Value::Text("Nguyễn Văn Đức".into())));
    assert_eq!(h[1].before, None);
    assert_eq!(h[1].kind, NoteKind::Supplement);
    let json = changes_to_json(&notes[0].changes);
    assert_eq!(changes_from_json(&json), notes[0].changes);
}

#[test]
fn notes_follow_their_kind() {
    let draft = read_draft(Kind::Birth, false, &birth()).expect("valid");
    let on = d(2015, 1, 1);
    let try_note = |kind, pairs: &[(&str, Cell)]| {
        read_note(
            Kind::Birth,
            &draft.values,
            draft.registered_on,
            kind,
            on,
            &cells(pairs),
            "lý do",
            None,
        )
    };
    // A supplement fills empty fields only.
    assert!(try_note(NoteKind::Supplement, &[("full_name", t("X"))]).is_err());
    // A correction alters a value that exists, never empties a required one.
    assert!(try_note(NoteKind::Correction, &[("home_town", t("Hưng Yên"))]).is_err());
    assert!(try_note(NoteKind::Correction, &[("full_name", t(""))]).is_err());
    assert!(try_note(NoteKind::Correction, &[("mother_name", t(""))]).is_ok());
    // The same value is no change; nothing at all is refused.
    assert!(try_note(NoteKind::Change, &[("full_name", t("Nguyễn Văn Đức"))]).is_err());
    assert!(try_note(NoteKind::Change, &[]).is_err());
    // Dated before the registration: refused.
    assert!(read_note(
        Kind::Birth,
        &draft.values,
        draft.registered_on,
        NoteKind::Change,
        d(2000, 1, 1),
        &cells(&[("full_name", t("Y"))]),
        "lý do",
        None
    )
    .is_err());
}

/// What the Ministry's extract forms (Circular 04/2020/TT-BTP, amended by
/// 01/2022/TT-BTP) print for each register, beyond the names: each is a field.
#[test]
fn each_register_takes_the_fields_of_its_extract_form() {
    use Field::*;
    let wants: [(Kind, &[Field]); 5] = [
        (
            Kind::Death,
            &[
                Sex,
                DateOfBirth,
                Ethnicity,
                Nationality,
                PersonalId,
                Residence,
                DateOfDeath,
                TimeOfDeath,
                PlaceOfDeath,
                CauseOfDeath,
                DeathNotice,
            ],
        ),
        (
            Kind::Marriage,
            &[
                HusbandDateOfBirth,
                HusbandEthnicity,
                HusbandNationality,
                HusbandResidence,
                HusbandPersonalId,
                WifeDateOfBirth,
                WifeEthnicity,
                WifeNationality,
                WifeResidence,
                WifePersonalId,
            ],
        ),
        (
            Kind::Recognition,
            &[
                RecognisedAs,
                DateOfBirth,
                Ethnicity,
                Nationality,
                PersonalId,
                Residence,
                ParentDateOfBirth,
                ParentEthnicity,
                ParentNationality,
                ParentPersonalId,
                ParentResidence,
            ],
        ),
        (
            Kind::MaritalStatus,
            &[
                Sex,
                DateOfBirth,
                Ethnicity,
                Nationality,
                PersonalId,
                Residence,
                ResidencePeriod,
                MaritalStatus,
                Purpose,
            ],
        ),
        (
            Kind::Guardianship,
            &[
                GuardianshipKind,
                WardSex,
                WardDateOfBirth,
                WardEthnicity,
                WardNationality,
                WardPersonalId,
                WardResidence,
                GuardianDateOfBirth,
                GuardianEthnicity,
                GuardianNationality,
                GuardianPersonalId,
                GuardianResidence,
            ],
        ),
    ];
    for (kind, fields) in wants {
        for f in fields {
            assert!(kind.allows(*f), "{kind:?} lacks {f:?}");
        }
    }
    // Every field belongs to some register, under a label of its own.
    let mut labels = std::collections::HashSet::new();
    for f in Field::ALL {
        assert!(
            Kind::ALL.iter().any(|k| k.allows(*f)),
            "{f:?} in no register"
        );
        assert!(labels.insert(f.label_vi()), "{f:?}: label used twice");
    }
}

#[test]
fn a_termination_sets_the_ending_day_once() {
    let draft = read_draft(
        Kind::Guardianship,
        false,
        &cells(&[
            ("registered_on", t("12/05/2020")),
            ("ward_name", t("Hà Văn Nhỏ")),
            ("guardian_name", t("Hà Văn Lớn")),
        ]),
    )
    .expect("valid");
    let end = |kind: Kind, values: &Values, pairs: &[(&str, Cell)]| {
        read_note(
            kind,
            values,
            draft.registered_on,
            NoteKind::Termination,
            d(2026, 2, 1),
            &cells(pairs),
            "Người được giám hộ đã thành niên",
            None,
        )
    };
    let note = end(
        Kind::Guardianship,
        &draft.values,
        &[("guardianship_ended_on", t("01/02/2026"))],
    )
    .expect("ends");
    let ended = current(&draft.values, std::slice::from_ref(&note));
    assert_eq!(
        ended.get(&Field::GuardianshipEndedOn),
        Some(&Value::Date(d(2026, 2, 1)))
    );
    // Once; only its own field; only a register that records an end.
    for (kind, values, pairs) in [
        (
            Kind::Guardianship,
            &ended,
            &[("guardianship_ended_on", t("02/02/2026"))][..],
        ),
        (
            Kind::Guardianship,
            &draft.values,
            &[("guardian_name", t("Hà Văn Khác"))][..],
        ),
        (Kind::Guardianship, &draft.values, &[][..]),
        (Kind::Birth, &draft.values, &[("full_name", t("X"))][..]),
    ] {
        assert!(end(kind, values, pairs).is_err(), "{kind:?} {pairs:?}");
    }
    assert_eq!(
        NoteKind::parse_label("chấm dứt"),
        Some(NoteKind::Termination)
    );
}

#[test]
fn book_labels_default_per_year() {
    assert_eq!(default_book_label(2024), "01/2024");
    let mut row = birth();
    row.remove("book");
    let draft = read_draft(Kind::Birth, false, &row).expect("valid");
    assert_eq!(draft.book_label(), "01/2014");
}

#[test]
fn book_labels_written_many_ways_name_one_book() {
    for written in [
        "1",
        "01",
        " 001 ",
        "Quyển 01",
        "quyển số 1",
        "QUYEN SO 01/2026",
        "1/2026",
    ] {
        assert_eq!(book_label_in(written, 2026), "01/2026", "{written}");
    }
    assert_eq!(book_label_in("12", 2026), "12/2026");
    // Labels that are not a volume of that year's book stay as written.
    assert_eq!(book_label_in("01/2013", 2014), "01/2013");
    assert_eq!(book_label_in("03-KS", 2014), "03-KS");
    assert_eq!(book_label_in("0", 2014), "0");
    assert_eq!(book_label_in("KS", 2014), "KS");
    let mut row = birth();
    row.insert("book".into(), t("1"));
    let draft = read_draft(Kind::Birth, false, &row).expect("valid");
    assert_eq!(draft.book_label(), "01/2014");
}

#[test]
fn a_new_entry_goes_to_the_book_of_the_highest_volume() {
    assert_eq!(current_book_label([], 2026), "01/2026");
    assert_eq!(current_book_label([("01/2026", false)], 2026), "01/2026");
    assert_eq!(
        current_book_label([("01/2026", true), ("02/2026", false)], 2026),
        "02/2026"
    );
    // The last volume closed: the year's register is closed (the caller refuses).
    assert_eq!(
        current_book_label([("02/2026", true), ("01/2026", true)], 2026),
        "02/2026"
    );
    // Labels without a volume are not where new entries go.
    assert_eq!(current_book_label([("KS", false)], 2026), "01/2026");
    assert_eq!(volume_of("10/2026"), Some(10));
    assert_eq!(volume_of("KS"), None);
}

#[test]
fn export_sheet_names_and_flags_read_back() {
    for k in Kind::ALL {
        let name = format!("{} 2014", k.sheet_label_vi());
        assert!(name.chars().count() <= 31, "{name}");
        assert_eq!(Kind::of_sheet_name(&name), Some(k), "{name}");
        assert_eq!(Kind::parse_label(k.label_vi()), Some(k));
    }
    assert_eq!(Kind::of_sheet_name("KHAI TU 2015"), Some(Kind::Death));
    assert_eq!(
        Kind::of_sheet_name("Nhận cha, mẹ, con"),
        Some(Kind::Recognition)
    );
    // A year alone, or a word that merely starts like a kind, names no kind.
    assert_eq!(Kind::of_sheet_name("2014"), None);
    assert_eq!(Kind::of_sheet_name("Khai sinhx 2014"), None);
    assert_eq!(parse_re_registration("Có"), Some(true));
    assert_eq!(parse_re_registration(""), Some(false));
    assert_eq!(parse_re_registration("Không"), Some(false));
    assert_eq!(parse_re_registration("có lẽ"), None);
    assert_eq!(
        NoteKind::parse_label("Cải chính"),
        Some(NoteKind::Correction)
    );
    assert_eq!(
        Field::parse_label("Họ, chữ đệm, tên người mẹ"),
        Some(Field::MotherName)
    );
}
