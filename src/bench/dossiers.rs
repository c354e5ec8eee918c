//! `motcua bench dossiers`: a province's dossiers at scale.
//!
//! 1. Generation. A province root with `--communes` communes under it, each with a
//!    counter officer, three specialists and a leader, all created through the app
//!    layer (as an administrator would), the catalogue seeded as usual. Then
//!    `--per-year` × `--years` dossiers per commune, ending now: procedures weighted
//!    as a commune's desk sees them, channels, applicants, instants inside the
//!    agency's working sessions, and a plan of each dossier's outcome (who acts
//!    when). The plan is played through the domain, as the application would:
//!    the first event from `receive`/`submit`, every later step a `Command` taken
//!    through `transition` and `apply`, so the dossier row is the fold of its
//!    events and the events are chained with the app's own `event_hash`. There is
//!    no second copy of the workflow here. Rows are written in time order by
//!    multi-row INSERTs in large transactions; the secondary indexes are dropped
//!    first and recreated, from the statements the migrations created, once
//!    everything is in.
//! 2. Measurements with the real server (a child process): worklists and dossier
//!    pages (API and HTML) under concurrent clients, receipts one at a time (over
//!    HTTP and in process), counter intake over the API, database size.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use motcua_app::agencies::NewAgency;
use motcua_app::dossiers::{
    event_hash, Applicant, ApplicantInput, Details, Form, IntakeInput, ReceivedDocument, GENESIS,
};
use motcua_app::users::NewUser;
use motcua_app::{App, Principal};
use motcua_domain::calendar::{vietnam_time_zone, TimeLimit, WorkingCalendar, WorkingSessions};
use motcua_domain::dossier::{
    apply, day_part, receive, submit, transition, Actor, Change, Channel, Command, Dossier,
    DossierCode, Event, Facts, Intake, ProcedureRef, Refusal, Status,
};
use motcua_domain::personal_id::Sex;
use motcua_domain::procedure::{
    DocumentKind, Exemption, Fee, FeeInput, OnlineAvailability, Procedure, ReturnMethod,
};
use motcua_domain::text;
use motcua_domain::user::Role;
use motcua_store::dossiers::{
    insert_dossiers, insert_events, to_stored_precision, DossierRow, EventRow, FileRow, Query,
    StoredDossier, Table, FILES,
};
use motcua_store::{Conn, Db, Engine};
use sqlx::{AnyConnection, Connection, Executor, Row};

use super::{start_server_in, LoadResult};

#[derive(clap::Args)]
pub struct Args {
    /// Communes of the province.
    #[arg(long, default_value_t = 100)]
    communes: usize,
    /// Dossiers each commune receives a year.
    #[arg(long, default_value_t = 12_000)]
    per_year: usize,
    /// Years of history, ending now.
    #[arg(long, default_value_t = 5)]
    years: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Seconds of load per measurement.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Receipts printed one after another.
    #[arg(long, default_value_t = 50)]
    receipts: usize,
    /// `sqlite://PATH` or `postgres://USER@HOST[:PORT][/DB]`. Default: an SQLite file
    /// in a new temporary folder. PostgreSQL without a database name (or naming
    /// `postgres`): a fresh database is created on that server and dropped at the end.
    #[arg(long)]
    database_url: Option<String>,
    /// Keep the generated database (and print where it is).
    #[arg(long)]
    keep: bool,
    /// Measure a database generated earlier with the same --communes (and --keep):
    /// no generation.
    #[arg(long)]
    reuse: bool,
    /// Generate only; no server, no measurements.
    #[arg(long)]
    generate_only: bool,
    /// Walk every hash chain after generation with the app's own check.
    #[arg(long)]
    verify: bool,
    /// Only these measurements (comma-separated): worklists, home, dossier, page,
    /// events, dashboards (20 supervisors), receipts, intake, crash (SIGKILL during
    /// intakes), reports (II.06a and the QĐ 766 service index for a commune-year and
    /// the province-year). Default: all.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

impl Args {
    fn wants(&self, what: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == what)
    }
}

const PROVINCE_CODE: &str = "000.00.00.H56";
const PROVINCE_NAME: &str = "UBND tỉnh Khánh Hòa (dữ liệu thử tải)";
const PASSWORD: &str = "motcua-bench";
/// Communes whose officers the measurements act as.
const MEASURED: usize = 20;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

fn commune_code(i: usize) -> String {
    format!("000.{:02}.{:02}.H56", i % 50 + 1, 30 + i / 50)
}

const PLACES: &[&str] = &[
    "Nha Trang",
    "Bắc Nha Trang",
    "Tây Nha Trang",
    "Nam Nha Trang",
    "Bắc Cam Ranh",
    "Cam Ranh",
    "Ba Ngòi",
    "Cam Linh",
    "Ninh Hòa",
    "Đông Ninh Hòa",
    "Hòa Thắng",
    "Phan Rang",
    "Đông Hải",
    "Ninh Chữ",
    "Bảo An",
    "Đô Vinh",
    "Vạn Ninh",
    "Tu Bông",
    "Đại Lãnh",
    "Vạn Thắng",
    "Vạn Hưng",
    "Diên Khánh",
    "Diên Lạc",
    "Diên Điền",
    "Diên Lâm",
    "Diên Thọ",
    "Suối Hiệp",
    "Cam Lâm",
    "Suối Dầu",
    "Cam Hiệp",
    "Cam An",
    "Khánh Vĩnh",
    "Trung Khánh Vĩnh",
    "Nam Khánh Vĩnh",
    "Bắc Khánh Vĩnh",
    "Khánh Sơn",
    "Tây Khánh Sơn",
    "Đông Khánh Sơn",
    "Ninh Phước",
    "Phước Hữu",
    "Phước Hậu",
    "Thuận Nam",
    "Cà Ná",
    "Phước Hà",
    "Ninh Sơn",
    "Lâm Sơn",
    "Anh Dũng",
    "Mỹ Sơn",
    "Bác Ái",
    "Phước Dinh",
    "Vĩnh Hải",
    "Thuận Bắc",
    "Công Hải",
    "Ninh Hải",
    "Xuân Hải",
    "Tân Định",
    "Hòa Trí",
    "Ninh Xuân",
    "Ninh Đông",
    "Ninh Thọ",
    "Ninh Lộc",
    "Ninh Tân",
    "Ninh Hưng",
    "Ninh Ích",
    "Ninh An",
    "Ninh Phú",
    "Ninh Sim",
    "Ninh Tây",
    "Ninh Thượng",
    "Ninh Trung",
    "Ninh Vân",
    "Vạn Phú",
    "Vạn Long",
    "Vạn Phước",
    "Vạn Khánh",
    "Vạn Bình",
    "Xuân Sơn",
    "Khánh Bình",
    "Khánh Hiệp",
    "Khánh Đông",
    "Khánh Phú",
    "Khánh Thành",
    "Khánh Trung",
    "Sơn Bình",
    "Sơn Hiệp",
    "Sơn Lâm",
    "Sơn Trung",
    "Thành Sơn",
    "Ba Cụm Bắc",
    "Ba Cụm Nam",
    "Cam Thành Bắc",
    "Cam Thành Nam",
    "Cam Phước Đông",
    "Cam Tân",
    "Cam Hòa",
    "Cam Hải Tây",
    "Cam Đức",
    "Phước Đồng",
    "Vĩnh Lương",
    "Vĩnh Thái",
];

fn place(i: usize) -> String {
    match (PLACES[i % PLACES.len()], i / PLACES.len()) {
        (p, 0) => p.to_string(),
        (p, n) => format!("{p} {}", n + 1),
    }
}

fn commune_name(i: usize) -> String {
    let kind = if i % PLACES.len() < 16 {
        "phường"
    } else {
        "xã"
    };
    format!("UBND {kind} {}", place(i))
}

/// Usernames of a commune's officers: counter, specialists a–c, leader.
fn usernames(i: usize) -> [String; 5] {
    let n = i + 1;
    [
        format!("tn{n:03}"),
        format!("cv{n:03}a"),
        format!("cv{n:03}b"),
        format!("cv{n:03}c"),
        format!("ld{n:03}"),
    ]
}

/// The sectors of specialists a, b and c.
const SPECIALIST_SECTORS: [&[&str]; 3] = [
    &["ho-tich", "chung-thuc"],
    &["chung-thuc", "ho-tich", "bao-tro-xa-hoi"],
    &["dat-dai", "xay-dung", "kinh-doanh", "bao-tro-xa-hoi"],
];

/// How often a commune's desk sees each seed procedure (relative). Certification
/// of copies and signatures dominates; civil status next; the rest is rare.
const WEIGHTS: &[(&str, f64)] = &[
    ("2.000815", 40.0), // chứng thực bản sao từ bản chính
    ("2.000884", 12.0), // chứng thực chữ ký
    ("2.001035", 4.0),  // chứng thực giao dịch
    ("2.000913", 0.3),
    ("2.000927", 0.2),
    ("2.000942", 1.0),
    ("2.001019", 0.3),
    ("1.004873", 7.0), // xác nhận tình trạng hôn nhân
    ("1.001193", 6.0), // khai sinh
    ("2.000635", 6.0), // bản sao trích lục
    ("1.000894", 3.0), // kết hôn
    ("1.000656", 3.0), // khai tử
    ("1.004859", 1.5),
    ("1.004884", 0.8),
    ("1.000689", 0.5),
    ("1.001022", 0.3),
    ("1.005461", 0.2),
    ("1.004746", 0.2),
    ("1.003583", 0.1),
    ("1.004837", 0.1),
    ("1.000593", 0.05),
    ("1.000419", 0.05),
    ("1.004845", 0.05),
    ("1.001612", 2.0), // thành lập hộ kinh doanh
    ("2.000720", 1.0),
    ("1.001266", 0.5),
    ("1.001570", 0.4),
    ("2.000575", 0.2),
    ("1.013225", 1.5), // giấy phép xây dựng nhà ở
    ("1.013227", 0.1),
    ("1.013228", 0.1),
    ("1.013975", 0.4), // hòa giải tranh chấp đất đai
    ("1.001776", 1.0),
    ("1.001731", 0.3),
    ("1.001699", 0.3),
];

// ---------------------------------------------------------------------------
// A small, fast, reproducible random generator (SplitMix64).

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn f(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f()
    }
    fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A UUIDv7 for an instant, its random bits from `rng`: ids sort by time as the
/// app's `new_id()` makes them.
fn uuid_at(ms: i64, rng: &mut Rng) -> String {
    let mut bytes = [0u8; 10];
    bytes[..8].copy_from_slice(&rng.next().to_le_bytes());
    bytes[8..].copy_from_slice(&rng.next().to_le_bytes()[..2]);
    uuid::Builder::from_unix_timestamp_millis(ms.max(0) as u64, &bytes)
        .into_uuid()
        .to_string()
}

// ---------------------------------------------------------------------------
// People.

const FAMILY: &[(&str, f64)] = &[
    ("Nguyễn", 38.0),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.0),
    ("Huỳnh", 4.0),
    ("Phan", 4.5),
    ("Võ", 3.5),
    ("Hoàng", 1.5),
    ("Vũ", 2.0),
    ("Đặng", 2.0),
    ("Bùi", 2.0),
    ("Đỗ", 1.5),
    ("Hồ", 1.5),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Đoàn", 1.0),
    ("Trương", 1.0),
    ("Đinh", 0.8),
    ("Lý", 0.5),
    ("Lương", 0.5),
    ("Mai", 0.5),
    ("Cao", 0.4),
    ("Tô", 0.3),
];
const MIDDLE_M: &[&str] = &[
    "Văn", "Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thanh", "Ngọc", "Xuân", "Hoàng", "Anh",
    "Gia", "Trọng",
];
const MIDDLE_F: &[&str] = &[
    "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Kim", "Minh", "Bảo", "Phương", "Mỹ",
    "Thùy",
];
const GIVEN_M: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh",
    "Khoa", "Kiên", "Long", "Lâm", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn",
    "Tài", "Tâm", "Thắng", "Thành", "Tiến", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ",
    "Lộc", "Phát",
];
const GIVEN_F: &[&str] = &[
    "Anh", "Châu", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hương", "Huyền",
    "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên",
    "Thảo", "Thu", "Thủy", "Trang", "Trâm", "Uyên", "Vân", "Vy", "Xuân", "Yến",
];
/// Provinces of birth registration (personal ID prefixes): mostly this one.
const ID_PROVINCES: &[&str] = &[
    "056", "056", "056", "056", "056", "056", "056", "056", "056", "056", "056", "056", "058",
    "058", "054", "052", "066", "079", "001", "040", "038", "046", "049", "051",
];
const PHONE_PREFIXES: &[&str] = &[
    "090", "091", "093", "094", "096", "097", "098", "086", "088", "089", "032", "033", "034",
    "035", "036", "037", "038", "039", "070", "076", "077", "078", "079", "081", "082", "083",
    "084", "085",
];

fn person_name(rng: &mut Rng, sex: Sex) -> String {
    let total: f64 = FAMILY.iter().map(|f| f.1).sum();
    let mut x = rng.f() * total;
    let mut family = FAMILY[0].0;
    for (name, w) in FAMILY {
        if x < *w {
            family = name;
            break;
        }
        x -= w;
    }
    let (middle, given) = match sex {
        Sex::Male => (rng.pick(MIDDLE_M), rng.pick(GIVEN_M)),
        Sex::Female => (rng.pick(MIDDLE_F), rng.pick(GIVEN_F)),
    };
    format!("{family} {middle} {given}")
}

fn applicant(rng: &mut Rng, place: &str, needs_contact: bool) -> Applicant {
    let sex = if rng.chance(0.52) {
        Sex::Female
    } else {
        Sex::Male
    };
    let full_name = person_name(rng, sex);
    let year = 1945 + rng.below(60) as i16;
    let dob = Date::new(year, 1 + rng.below(12) as i8, 1 + rng.below(28) as i8).ok();
    let century = match (year >= 2000, sex) {
        (false, Sex::Male) => 0,
        (false, Sex::Female) => 1,
        (true, Sex::Male) => 2,
        (true, Sex::Female) => 3,
    };
    let personal_id = format!(
        "{}{century}{:02}{:06}",
        rng.pick(ID_PROVINCES),
        year % 100,
        rng.below(1_000_000)
    );
    let phone = (needs_contact || rng.chance(0.9))
        .then(|| format!("{}{:07}", rng.pick(PHONE_PREFIXES), rng.below(10_000_000)));
    let email = rng.chance(0.18).then(|| {
        let ascii: String = text::fold(&full_name)
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        format!("{ascii}{}@gmail.com", rng.below(1000))
    });
    let address = if rng.chance(0.5) {
        format!("Thôn {}, {place}, tỉnh Khánh Hòa", 1 + rng.below(12))
    } else {
        format!(
            "Số {}, tổ dân phố {}, {place}, tỉnh Khánh Hòa",
            1 + rng.below(300),
            1 + rng.below(20)
        )
    };
    Applicant {
        full_name,
        personal_id: Some(personal_id),
        date_of_birth: dob,
        sex: Some(sex),
        phone,
        email,
        address: Some(address),
    }
}

// ---------------------------------------------------------------------------
// The world the generator writes into.

#[derive(Clone)]
struct Officer {
    id: String,
    username: String,
    name: String,
}

struct Commune {
    id: String,
    code: String,
    place: String,
    cal: Arc<WorkingCalendar>,
    sessions: WorkingSessions,
    counter: Officer,
    specialists: Vec<(Officer, &'static [&'static str])>,
    leader: Officer,
}

struct Proc {
    code: String,
    version: i64,
    name: String,
    sector: String,
    limit: TimeLimit,
    online: OnlineAvailability,
    fees: Vec<Fee>,
    documents: Vec<ReceivedDocument>,
    return_methods: Vec<ReturnMethod>,
    result_name: String,
    /// Free when filed online.
    online_free: bool,
    /// The exemption most applicants of this procedure claim, and how many do.
    usual_exemption: Option<(Exemption, f64)>,
}

impl Proc {
    fn from(version: i64, p: Procedure) -> Proc {
        let documents = p
            .documents
            .iter()
            .map(|d| {
                let mut r = ReceivedDocument {
                    name: d.name.clone(),
                    ..Default::default()
                };
                match d.kind {
                    DocumentKind::CertifiedCopy => r.certified_copies = d.count,
                    DocumentKind::Photocopy => r.photocopies = d.count,
                    _ => r.originals = d.count,
                }
                r
            })
            .collect();
        let claims = |e: Exemption| p.fees.iter().any(|f| f.exemptions.contains(&e));
        let usual_exemption = [
            (Exemption::OnTimeBirthRegistration, 0.9),
            (Exemption::OnTimeDeathRegistration, 0.9),
            (Exemption::DomesticMarriage, 0.97),
            (Exemption::Guardianship, 1.0),
        ]
        .into_iter()
        .find(|(e, _)| claims(*e))
        .or(claims(Exemption::PoorHousehold).then_some((Exemption::PoorHousehold, 0.04)));
        let online_free = p.fees.iter().all(|f| {
            f.compute(&FeeInput {
                exemption: Some(Exemption::OnlineFiling),
                ..FeeInput::default()
            }) == 0
        });
        Proc {
            version,
            name: p.name.clone(),
            sector: p.sector.clone(),
            limit: p.committed_limit,
            online: p.online,
            fees: p.fees.clone(),
            documents,
            return_methods: p.return_methods.clone(),
            result_name: p
                .results
                .first()
                .map_or_else(|| format!("Kết quả: {}", p.name), |r| r.name.clone()),
            online_free,
            usual_exemption,
            code: p.code,
        }
    }

    fn allows(&self, m: ReturnMethod) -> bool {
        self.return_methods.is_empty() || self.return_methods.contains(&m)
    }
}

/// Everything one dossier adds to the database.
struct Gen {
    row: DossierRow,
    events: Vec<EventRow>,
    file: Option<FileRow>,
}

fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

/// `minutes` of working time after `start` on the commune's calendar.
fn after(cal: &WorkingCalendar, start: Timestamp, minutes: f64) -> Timestamp {
    let d = SignedDuration::from_secs((minutes.max(0.0) * 60.0) as i64);
    cal.add_working_time(start, d).unwrap_or(start + d)
}

fn working_minutes(cal: &WorkingCalendar, a: Timestamp, b: Timestamp) -> f64 {
    cal.working_time_between(a, b).as_secs() as f64 / 60.0
}

/// Who takes a step: the officer, and the role the workflow table asks of them.
#[derive(Clone, Copy)]
enum Who {
    Counter,
    Leader,
    Specialist(usize),
}

/// One action of the plan, at its planned instant. What it does to the dossier
/// is the domain's decision (`transition`), never the generator's.
struct Step {
    at: Timestamp,
    who: Who,
    command: Command,
    reason: Option<&'static str>,
}

impl Step {
    fn new(at: Timestamp, who: Who, command: Command) -> Step {
        Step {
            at,
            who,
            command,
            reason: None,
        }
    }

    fn because(at: Timestamp, who: Who, command: Command, reason: &'static str) -> Step {
        Step {
            reason: Some(reason),
            ..Step::new(at, who, command)
        }
    }
}

/// The officer of the commune behind `who`, as the domain names an actor.
fn actor(c: &Commune, who: Who) -> (Actor, Role) {
    let (o, role) = match who {
        Who::Counter => (&c.counter, Role::CounterOfficer),
        Who::Leader => (&c.leader, Role::Leader),
        Who::Specialist(i) => (&c.specialists[i].0, Role::Specialist),
    };
    let actor = Actor {
        id: Some(o.id.clone()),
        name: o.name.clone(),
        agency_id: Some(c.id.clone()),
    };
    (actor, role)
}

/// A refusal is a plan that does not follow the workflow: a bug of the generator,
/// never something to step around.
fn refused(code: &str, verb: &str, r: &Refusal) -> String {
    format!(
        "generator: the plan of {code} asks for «{verb}», which the domain refuses: {r:?} ({})",
        r.message_vi()
    )
}

/// Appends `e` to the dossier's hash chain, as the app's write path does.
fn record(dossier_id: &str, events: &mut Vec<EventRow>, e: &Event) {
    let (seq, prev) = events
        .last()
        .map_or((1, GENESIS), |l| (l.seq + 1, l.hash.as_slice()));
    let mut row = EventRow::of(dossier_id, seq, e);
    row.hash = event_hash(&row, prev);
    events.push(row);
}

const REJECT_REASONS: &[&str] = &[
    "Hồ sơ không đủ điều kiện giải quyết theo quy định",
    "Giấy tờ trong hồ sơ không hợp lệ",
    "Nội dung yêu cầu không thuộc thẩm quyền giải quyết của Ủy ban nhân dân cấp xã",
];
const WITHDRAW_REASONS: &[&str] = &[
    "Công dân xin rút hồ sơ",
    "Người yêu cầu đề nghị rút hồ sơ để bổ sung sau",
];
const NOT_ACCEPT_REASONS: &[&str] = &[
    "Hồ sơ đã nộp trùng với hồ sơ trước",
    "Thành phần hồ sơ không đúng thủ tục đã chọn",
];
const SUPPLEMENT_REASON: &str = "Hồ sơ chưa đầy đủ thành phần theo quy định";
const MISSING: &[&str] = &[
    "Bản sao Giấy khai sinh của người yêu cầu",
    "Văn bản ủy quyền có chứng thực",
    "Bản chính giấy tờ để đối chiếu",
    "Tờ khai ghi đầy đủ thông tin, có chữ ký của người yêu cầu",
];

/// One dossier of commune `c`, coded at `coded` (received at the counter, or
/// submitted online), with everything that happened to it up to `now`.
#[allow(clippy::too_many_arguments)]
fn dossier(
    c: &Commune,
    p: &Proc,
    channel: Channel,
    coded: Timestamp,
    code: String,
    now: Timestamp,
    rng: &mut Rng,
) -> Result<Gen, String> {
    let cal = &c.cal;
    let online = channel == Channel::Online;
    let a = applicant(rng, &c.place, online);
    // Fees as the intake computes them.
    let exemption = p
        .usual_exemption
        .and_then(|(e, share)| rng.chance(share).then_some(e));
    let (pages, copies) = (1 + rng.below(6) as u32, 1 + rng.below(3) as u32);
    let mut fee_amount: i64 = p
        .fees
        .iter()
        .map(|f| {
            f.compute(&FeeInput {
                pages,
                copies,
                cases: 1,
                exemption,
            })
        })
        .sum();
    let mut fee_receipt_no = (fee_amount > 0).then(|| format!("{:07}", rng.below(10_000_000)));
    if online && p.online_free {
        fee_amount = 0;
    }
    if online {
        fee_receipt_no = None;
    }
    let return_method = match channel {
        Channel::Online if p.allows(ReturnMethod::Online) && rng.chance(0.6) => {
            ReturnMethod::Online
        }
        Channel::Post if p.allows(ReturnMethod::Post) => ReturnMethod::Post,
        Channel::Home if p.allows(ReturnMethod::Home) => ReturnMethod::Home,
        _ if p.allows(ReturnMethod::Post) && rng.chance(0.04) => ReturnMethod::Post,
        _ if p.allows(ReturnMethod::Counter) => ReturnMethod::Counter,
        _ => p
            .return_methods
            .first()
            .copied()
            .unwrap_or(ReturnMethod::Counter),
    };
    let post_address =
        (return_method == ReturnMethod::Post).then(|| a.address.clone().unwrap_or_default());
    let details = Details {
        applicant: a,
        on_behalf_of: None,
        documents: p.documents.clone(),
        sets: 1,
        post_address,
        fee_receipt_no,
        fee_exemption: exemption.map(|e| e.as_str().to_string()),
        note: None,
        handover: None,
        missing: Vec::new(),
        // `receive`/`submit` record the procedure's limit.
        time_limit: None,
        extra: serde_json::Map::new(),
        civil: None,
    };

    // The plan: every action the dossier will go through, with its instant. Its
    // timing uses the calendar the way the domain will (due instants from the
    // instant of receipt), so that the late share is the one intended.
    let mut plan: Vec<Step> = Vec::new();
    let received = if online {
        after(cal, coded, rng.range(5.0, 240.0))
    } else {
        coded
    };
    let due = cal.due_at(received, p.limit).unwrap_or(received);
    if online && rng.chance(0.02) {
        let reason = *rng.pick(NOT_ACCEPT_REASONS);
        plan.push(Step::because(
            received,
            Who::Counter,
            Command::NotAccept,
            reason,
        ));
    } else {
        if online {
            plan.push(Step::new(received, Who::Counter, Command::Accept));
        }
        let window = working_minutes(cal, received, due).max(10.0);
        // The specialist of the sector (or any, for a sector nobody holds).
        let candidates: Vec<usize> = c
            .specialists
            .iter()
            .enumerate()
            .filter(|(_, (_, sectors))| sectors.contains(&p.sector.as_str()))
            .map(|(i, _)| i)
            .collect();
        let spec = if candidates.is_empty() {
            rng.below(c.specialists.len())
        } else {
            *rng.pick(&candidates)
        };
        let assigner = if rng.chance(0.6) {
            Who::Counter
        } else {
            Who::Leader
        };
        let specialist = &c.specialists[spec].0;
        let assign = |plan: &mut Vec<Step>, at: Timestamp| {
            plan.push(Step::new(
                at,
                assigner,
                Command::Assign {
                    assignee_id: specialist.id.clone(),
                    username: specialist.username.clone(),
                },
            ))
        };
        let r = rng.f();
        if r < 0.010 {
            // Refused after review.
            assign(&mut plan, after(cal, received, rng.range(1.0, 30.0)));
            plan.push(Step::new(
                after(cal, received, rng.range(31.0, 60.0)),
                Who::Specialist(spec),
                Command::Start,
            ));
            let at = after(cal, received, window * rng.range(0.3, 0.8));
            let who = if rng.chance(0.5) {
                Who::Leader
            } else {
                Who::Specialist(spec)
            };
            let reason = *rng.pick(REJECT_REASONS);
            plan.push(Step::because(at, who, Command::Reject, reason));
        } else if r < 0.016 {
            // Withdrawn by the applicant.
            if rng.chance(0.5) {
                assign(&mut plan, after(cal, received, rng.range(1.0, 30.0)));
            }
            let at = after(cal, received, window * rng.range(0.1, 0.5));
            let reason = *rng.pick(WITHDRAW_REASONS);
            plan.push(Step::because(at, Who::Counter, Command::Withdraw, reason));
        } else {
            let late = rng.chance(0.015);
            let supplement = rng.chance(0.03);
            let uncollected = rng.chance(0.001);
            // Work starts within the hour, and is done at `span` minutes of working
            // time from `base`.
            let mut base = received;
            let mut window = window;
            let o_assign = rng.range(1.0, 45.0).min(window * 0.05);
            let o_start = o_assign + rng.range(1.0, 60.0).min(window * 0.05);
            assign(&mut plan, after(cal, base, o_assign));
            plan.push(Step::new(
                after(cal, base, o_start),
                Who::Specialist(spec),
                Command::Start,
            ));
            if supplement {
                let asked = after(cal, base, o_start + window * rng.range(0.05, 0.3));
                let missing = vec![(*rng.pick(MISSING)).to_string()];
                plan.push(Step::because(
                    asked,
                    Who::Specialist(spec),
                    Command::RequestSupplement { missing },
                    SUPPLEMENT_REASON,
                ));
                // The clock restarts in full when the papers come.
                base = after(cal, asked, rng.range(240.0, 5.0 * 480.0));
                let due = cal.due_at(base, p.limit).unwrap_or(base);
                window = working_minutes(cal, base, due).max(10.0);
                plan.push(Step::new(base, Who::Counter, Command::SupplementReceived));
            }
            let start = if supplement { 0.0 } else { o_start };
            let span = if late {
                window + rng.range(30.0, 3.0 * 480.0)
            } else {
                start + (window - start) * rng.range(0.15, 0.9)
            };
            let at = |f: f64| after(cal, base, start + (span - start) * f);
            plan.push(Step::new(
                at(0.65),
                Who::Specialist(spec),
                Command::SubmitForApproval,
            ));
            plan.push(Step::new(at(0.8), Who::Leader, Command::Approve));
            plan.push(Step::new(
                at(0.9),
                Who::Specialist(spec),
                Command::AttachResult {
                    name: p.result_name.clone(),
                    // Drawn when the step is played: ids sort by their instant.
                    file_id: None,
                    // A described paper result: nothing to sign.
                    signed: false,
                },
            ));
            plan.push(Step::new(
                at(1.0),
                Who::Specialist(spec),
                Command::MarkReady,
            ));
            if !uncollected {
                let wait = if late {
                    rng.range(5.0, 480.0)
                } else {
                    (window - span - 1.0).clamp(0.0, 960.0) * rng.f()
                };
                let returned = after(cal, base, span + wait);
                let in_person = matches!(return_method, ReturnMethod::Counter | ReturnMethod::Home);
                let tracking_number = (return_method == ReturnMethod::Post)
                    .then(|| format!("EB{:09}VN", rng.below(1_000_000_000)));
                plan.push(Step::new(
                    returned,
                    Who::Counter,
                    Command::Return {
                        collector_name: in_person.then(|| details.applicant.full_name.clone()),
                        collector_id: in_person
                            .then(|| details.applicant.personal_id.clone())
                            .flatten(),
                        tracking_number,
                    },
                ));
            }
        }
    }

    // Play the plan up to now, through the domain. Every instant is cut to the
    // millisecond first: the columns keep milliseconds, and the row must be the
    // fold of the events as they are stored.
    let opened = to_stored_precision(coded);
    let intake = Intake {
        code,
        agency_id: c.id.clone(),
        procedure: ProcedureRef {
            code: p.code.clone(),
            version: p.version,
            name: p.name.clone(),
            sector: p.sector.clone(),
        },
        channel,
        return_method,
        fee_amount,
        fee_paid: true,
        priority: 1,
        details,
        due_at: None,
    };
    let first = if online {
        // No one is signed in online: the applicant is the actor.
        let applicant = Actor {
            id: None,
            name: intake.details.applicant.full_name.clone(),
            agency_id: None,
        };
        submit(intake, applicant, p.limit, opened)
    } else {
        let code = intake.code.clone();
        receive(intake, actor(c, Who::Counter).0, p.limit, opened, cal)
            .map_err(|r| refused(&code, "receive", &r))?
    };
    let id = uuid_at(ms(opened), rng);
    let mut d = Dossier::open(&id, &first).map_err(err)?;
    let mut events = Vec::with_capacity(plan.len() + 1);
    record(&id, &mut events, &first);
    let mut file = None;
    let mut last = opened;
    for mut step in plan {
        // Strictly increasing instants, whatever the rounding above.
        let at = to_stored_precision(if step.at <= last {
            last + SignedDuration::from_secs(1)
        } else {
            step.at
        });
        if at > now {
            break;
        }
        last = at;
        if let Command::AttachResult { file_id, .. } = &mut step.command {
            *file_id = Some(uuid_at(ms(at), rng));
        }
        let verb = step.command.verb();
        let (actor, role) = actor(c, step.who);
        let facts = Facts {
            actor,
            roles: vec![role],
            reason: step.reason.map(str::to_owned),
        };
        let event = transition(&d, step.command, &facts, at, cal)
            .map_err(|r| refused(&d.code, verb.as_str(), &r))?;
        // The result the event names, as a paper result: described, no bytes.
        if let Change::AttachResult {
            result,
            file_id: Some(file_id),
            ..
        } = &event.change
        {
            file = Some(FileRow {
                id: file_id.clone(),
                dossier_id: id.clone(),
                kind: "result".into(),
                name: result.clone(),
                content_type: "text/plain".into(),
                size: 0,
                sha256: String::new(),
                created_at: ms(at),
            });
        }
        record(&id, &mut events, &event);
        apply(&mut d, &event);
    }
    // A result waiting longer than the reminder delay (3 days) was reminded then,
    // as the notifier of a system running all along would have done.
    let reminded_at = d
        .result_ready_at
        .filter(|_| d.status == Status::ResultReady)
        .and_then(|t| t.checked_add(SignedDuration::from_hours(72)).ok())
        .filter(|t| *t <= now);
    let (last_seq, last_hash) = events
        .last()
        .map_or((0, Vec::new()), |e| (e.seq, e.hash.clone()));
    let stored = StoredDossier {
        dossier: d,
        last_seq,
        last_hash,
        reminded_at,
        // The generator stores no document scans (only result files).
        scanned_documents: 0,
    };
    Ok(Gen {
        row: stored.row(),
        events,
        file,
    })
}

// ---------------------------------------------------------------------------
// Time: the days of the history, months as generation units.

struct Calendar {
    /// First day of the history (local).
    first: Date,
    /// Today (local).
    today: Date,
}

fn local_midnight(d: Date) -> Timestamp {
    d.to_zoned(vietnam_time_zone())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The months of the history: (first day, last day), clipped to the history.
fn months(cal: &Calendar) -> Vec<(Date, Date)> {
    let mut out = Vec::new();
    let mut d = cal.first;
    while d <= cal.today {
        let end = d.last_of_month().min(cal.today);
        out.push((d, end));
        d = end.tomorrow().unwrap_or(end);
        if end == cal.today {
            break;
        }
    }
    out
}

/// The instants dossiers arrive at in `days` at commune `c`: counter ones inside
/// the working sessions of working days, online ones at any hour of any day.
struct Arrivals<'a> {
    c: &'a Commune,
    /// Working days with their first instant.
    working: Vec<(Date, Timestamp)>,
    all: Vec<(Date, Timestamp)>,
}

impl<'a> Arrivals<'a> {
    fn new(c: &'a Commune, first: Date, last: Date) -> Arrivals<'a> {
        let mut working = Vec::new();
        let mut all = Vec::new();
        let mut d = first;
        while d <= last {
            let m = local_midnight(d);
            all.push((d, m));
            if c.cal.is_working_day(d) {
                working.push((d, m));
            }
            match d.tomorrow() {
                Ok(n) => d = n,
                Err(_) => break,
            }
        }
        Arrivals { c, working, all }
    }

    fn counter(&self, rng: &mut Rng) -> Timestamp {
        let Some((d, midnight)) = (!self.working.is_empty()).then(|| *rng.pick(&self.working))
        else {
            return self.online(rng);
        };
        let wd = d.weekday().to_monday_zero_offset() as usize;
        let sessions = match &self.c.sessions.weekdays[wd] {
            s if !s.is_empty() => s,
            _ => &self.c.sessions.weekdays[0],
        };
        let secs: Vec<(i64, i64)> = sessions
            .iter()
            .map(|s| {
                let f = |t: jiff::civil::Time| {
                    i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second())
                };
                (f(s.start), f(s.end))
            })
            .collect();
        let total: i64 = secs.iter().map(|(a, b)| b - a).sum();
        if total <= 0 {
            return midnight + SignedDuration::from_hours(8);
        }
        // Mornings are busier: draw twice, keep the earlier half the time.
        let mut x = rng.below(total as usize) as i64;
        if rng.chance(0.3) {
            x = x.min(rng.below(total as usize) as i64);
        }
        for (a, b) in &secs {
            if x < b - a {
                return midnight
                    + SignedDuration::from_secs(a + x)
                    + SignedDuration::from_millis(rng.below(1000) as i64);
            }
            x -= b - a;
        }
        midnight + SignedDuration::from_hours(8)
    }

    fn online(&self, rng: &mut Rng) -> Timestamp {
        let (_, midnight) = *rng.pick(&self.all);
        // 06:00–23:00, evenings a little busier.
        let mut secs = 6 * 3600 + rng.below(17 * 3600) as i64;
        if rng.chance(0.25) {
            secs = secs.max(6 * 3600 + rng.below(17 * 3600) as i64);
        }
        midnight
            + SignedDuration::from_secs(secs)
            + SignedDuration::from_millis(rng.below(1000) as i64)
    }
}

struct World {
    communes: Vec<Commune>,
    procs: Vec<Proc>,
    /// Cumulative weights of `procs`.
    cumulative: Vec<f64>,
}

impl World {
    /// A procedure, drawn by weight (its index).
    fn procedure(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let x = rng.f() * total;
        self.cumulative
            .partition_point(|&w| w <= x)
            .min(self.procs.len() - 1)
    }
}

fn channel_for(p: &Proc, rng: &mut Rng) -> Channel {
    let online = match p.online {
        OnlineAvailability::Full => 0.55,
        OnlineAvailability::Partial => 0.22,
        OnlineAvailability::None => 0.0,
    };
    if rng.chance(online) {
        return Channel::Online;
    }
    let r = rng.f();
    if r < 0.92 {
        Channel::Counter
    } else if r < 0.95 {
        Channel::Post
    } else if r < 0.96 {
        Channel::Home
    } else {
        Channel::Assisted
    }
}

/// One commune's month: its dossiers, and (day, last number) code sequence rows.
type Month = (Vec<Gen>, Vec<(String, i64)>);

/// One commune's dossiers of one month (`n` of them), in code order.
fn commune_month(
    w: &World,
    ci: usize,
    month: usize,
    (first, last): (Date, Date),
    n: usize,
    now: Timestamp,
) -> Result<Month, String> {
    let c = &w.communes[ci];
    let mut rng = Rng::new(((ci as u64) << 32) | month as u64);
    let arrivals = Arrivals::new(c, first, last);
    let mut drafts: Vec<(Timestamp, usize, Channel)> = Vec::with_capacity(n);
    for _ in 0..n {
        let pi = w.procedure(&mut rng);
        let channel = channel_for(&w.procs[pi], &mut rng);
        let mut at = Timestamp::MAX;
        for _ in 0..20 {
            at = if channel == Channel::Online {
                arrivals.online(&mut rng)
            } else {
                arrivals.counter(&mut rng)
            };
            if at <= now {
                break;
            }
        }
        if at <= now {
            drafts.push((at, pi, channel));
        }
    }
    drafts.sort_by_key(|d| d.0);
    let mut out = Vec::with_capacity(drafts.len());
    let mut sequences = Vec::new();
    let mut day: Option<Date> = None;
    let mut seq = 0u32;
    for (at, pi, channel) in drafts {
        let d = at.to_zoned(vietnam_time_zone()).date();
        if day != Some(d) {
            if let Some(prev) = day {
                sequences.push((day_part(prev), i64::from(seq)));
            }
            day = Some(d);
            seq = 0;
        }
        seq += 1;
        let code = DossierCode::new(&c.code, d, seq).to_string();
        out.push(dossier(c, &w.procs[pi], channel, at, code, now, &mut rng)?);
    }
    if let Some(prev) = day {
        sequences.push((day_part(prev), i64::from(seq)));
    }
    Ok((out, sequences))
}

/// One generator thread's share of a month: dossiers, and (agency, day, last)
/// sequence rows.
type Part = (Vec<Gen>, Vec<(String, String, i64)>);

/// What one month adds, in insertion order.
struct Batch {
    label: String,
    gens: Vec<Gen>,
    sequences: Vec<(String, String, i64)>,
}

// ---------------------------------------------------------------------------
// Writing.

/// A multi-row INSERT. SQLite gets anonymous `?` placeholders: with numbered ones
/// every bind looks its number up by a linear scan (`sqlite3_bind_parameter_name`),
/// which makes a statement of thousands of parameters quadratic.
fn insert_sql(engine: Engine, table: &str, columns: &str, width: usize, rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({columns}) VALUES ");
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match engine {
                Engine::Sqlite => sql.push('?'),
                Engine::Postgres => sql.push_str(&format!("${n}")),
            }
        }
        sql.push(')');
    }
    sql
}

/// Writes `items` in statements of `per` rows each. The full-size statement is
/// prepared once and reused; a last, shorter one is not kept.
async fn insert_rows<T>(
    conn: &mut Conn,
    engine: Engine,
    table: &Table<T>,
    per: usize,
    items: &[&T],
) -> Result<(), String> {
    let (name, columns, width) = (table.name, table.columns, table.width());
    let full = insert_sql(engine, name, columns, width, per);
    for chunk in items.chunks(per) {
        let partial;
        let sql = if chunk.len() == per {
            &full
        } else {
            partial = insert_sql(engine, name, columns, width, chunk.len());
            &partial
        };
        let mut q = sqlx::query(sql).persistent(chunk.len() == per);
        for item in chunk {
            q = (table.bind)(q, item);
        }
        q.execute(&mut *conn)
            .await
            .map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

fn bind_sequence<'q>(q: Query<'q>, s: &'q (String, String, i64)) -> Query<'q> {
    q.bind(s.0.as_str()).bind(s.1.as_str()).bind(s.2)
}

/// The day's code sequences the generated dossiers took (the store has no bulk
/// writer of its own for them).
const SEQUENCES: Table<(String, String, i64)> = Table {
    name: "dossier_sequences",
    columns: "agency_id, day, last",
    bind: bind_sequence,
};

/// One month in one transaction. Returns the rows written.
async fn write_batch(conn: &mut Conn, engine: Engine, b: &Batch) -> Result<u64, String> {
    // The store's writers take a `Conn`: the batch's transaction is begun and
    // ended by hand on this connection of the load's own.
    conn.execute("BEGIN").await.map_err(err)?;
    let rows: Vec<&DossierRow> = b.gens.iter().map(|g| &g.row).collect();
    insert_dossiers(&mut *conn, &rows)
        .await
        .map_err(|e| format!("dossiers: {e}"))?;
    let events: Vec<&EventRow> = b.gens.iter().flat_map(|g| g.events.iter()).collect();
    insert_events(&mut *conn, &events)
        .await
        .map_err(|e| format!("dossier_events: {e}"))?;
    let files: Vec<&FileRow> = b.gens.iter().filter_map(|g| g.file.as_ref()).collect();
    insert_rows(&mut *conn, engine, &FILES, 1000, &files).await?;
    let seqs: Vec<&(String, String, i64)> = b.sequences.iter().collect();
    insert_rows(&mut *conn, engine, &SEQUENCES, 1000, &seqs).await?;
    conn.execute("COMMIT").await.map_err(err)?;
    Ok((rows.len() + events.len() + files.len() + seqs.len()) as u64)
}

/// The secondary indexes of the dossier tables, exactly as the migrations made them
/// (name, statement); the ones behind PRIMARY KEY and UNIQUE stay in place, and so
/// does the dossiers' number (the events' foreign key and SQLite's numbering
/// trigger look it up).
async fn secondary_indexes(
    conn: &mut Conn,
    engine: Engine,
) -> Result<Vec<(String, String)>, String> {
    let sql = match engine {
        Engine::Sqlite => {
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND tbl_name IN ('dossiers', 'dossier_event_rows', 'dossier_files') \
             AND name <> 'dossiers_no' ORDER BY name"
        }
        Engine::Postgres => {
            "SELECT i.indexname::text, i.indexdef::text FROM pg_indexes i \
             WHERE i.schemaname = current_schema() \
             AND i.tablename IN ('dossiers', 'dossier_event_rows', 'dossier_files') \
             AND i.indexname <> 'dossiers_no' \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) \
             ORDER BY i.indexname"
        }
    };
    let rows = sqlx::query(sql).fetch_all(&mut *conn).await.map_err(err)?;
    rows.iter()
        .map(|r| Ok((r.try_get(0).map_err(err)?, r.try_get(1).map_err(err)?)))
        .collect()
}

/// A connection set up for a bulk load. SQLite: no rollback journal and no syncs
/// while loading (the file is a throwaway until the load ends), a 1 GiB page cache,
/// foreign keys unchecked (the generator writes parents first). PostgreSQL: commits
/// without waiting for the WAL flush, foreign-key triggers off for this session
/// (as `pg_restore --disable-triggers` does), memory for the index builds.
async fn bulk_connection(url: &str, engine: Engine) -> Result<Conn, String> {
    use sqlx::ConnectOptions;
    let mut conn = <sqlx::any::AnyConnectOptions as std::str::FromStr>::from_str(url)
        .map_err(err)?
        // Index builds take seconds by nature: not worth a warning each.
        .log_slow_statements(tracing::log::LevelFilter::Off, Duration::from_secs(3600))
        .connect()
        .await
        .map_err(err)?;
    match engine {
        Engine::Sqlite => {
            conn.execute(
                "PRAGMA journal_mode = DELETE; PRAGMA journal_mode = OFF; \
                 PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576; \
                 PRAGMA foreign_keys = OFF; PRAGMA locking_mode = EXCLUSIVE;",
            )
            .await
            .map_err(err)?;
        }
        Engine::Postgres => {
            conn.execute("SET synchronous_commit = off; SET maintenance_work_mem = '1GB'")
                .await
                .map_err(err)?;
            if let Err(e) = conn.execute("SET session_replication_role = replica").await {
                println!("(foreign keys stay checked while loading: {e})");
            }
        }
    }
    Ok(Conn::owned(conn))
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

struct Generated {
    dossiers: u64,
    events: u64,
    rows: u64,
    took: Duration,
    load_took: Duration,
    index_took: Duration,
    after_took: Duration,
    statuses: Vec<(String, u64)>,
    /// Returned dossiers by timeliness (early, on time, late).
    timeliness: Vec<(String, u64)>,
}

/// Generates and loads the whole history.
async fn generate(app: &App, url: &str, args: &Args) -> Result<Generated, String> {
    let engine = app.db.engine();
    let started = Instant::now();
    let world = Arc::new(build_world(app, args.communes).await?);
    let setup_took = started.elapsed();
    println!(
        "setup through the app layer: province + {} communes, {} officers, {} procedures weighted: {:.1} s",
        world.communes.len(),
        world.communes.len() * 5,
        world.procs.len(),
        setup_took.as_secs_f64()
    );
    app.db.close().await;

    let now = Timestamp::now();
    let today = now.to_zoned(vietnam_time_zone()).date();
    let first = today
        .checked_sub(jiff::Span::new().days(365 * args.years as i64 - 1))
        .map_err(err)?;
    let cal = Calendar { first, today };
    let months = months(&cal);
    // Each commune's dossiers spread over the months by working days.
    let cal0 = world.communes[0].cal.clone();
    let weights: Vec<f64> = months
        .iter()
        .map(|(a, b)| {
            let mut n = 0.0;
            let mut d = *a;
            loop {
                if cal0.is_working_day(d) {
                    n += 1.0;
                }
                match d.tomorrow() {
                    Ok(next) if d < *b => d = next,
                    _ => break,
                }
            }
            n
        })
        .collect();
    let total_w: f64 = weights.iter().sum::<f64>().max(1.0);
    let per_commune = (args.per_year * args.years) as f64;
    let mut quotas = Vec::new();
    let mut acc = 0.0;
    let mut given = 0usize;
    for w in &weights {
        acc += w;
        let upto = (per_commune * acc / total_w).round() as usize;
        quotas.push(upto - given);
        given = upto;
    }

    let mut conn = bulk_connection(url, engine).await?;
    let indexes = secondary_indexes(&mut conn, engine).await?;
    for (name, _) in &indexes {
        conn.execute(format!("DROP INDEX {name}").as_str())
            .await
            .map_err(err)?;
    }
    println!(
        "secondary indexes dropped for the load, recreated after: {}",
        indexes
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );

    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Batch, String>>(1);
    let gen_world = world.clone();
    let producer = std::thread::spawn(move || {
        let w = gen_world;
        let threads = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(1, 4);
        for (mi, (&(a, b), &n)) in months.iter().zip(&quotas).enumerate() {
            let per_thread = w.communes.len().div_ceil(threads);
            let parts: Vec<Result<Part, String>> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let w = &w;
                        s.spawn(move || {
                            let mut gens = Vec::new();
                            let mut seqs = Vec::new();
                            let lo = t * per_thread;
                            let hi = ((t + 1) * per_thread).min(w.communes.len());
                            for ci in lo..hi {
                                let (g, sq) = commune_month(w, ci, mi, (a, b), n, now)?;
                                gens.extend(g);
                                let agency = &w.communes[ci].id;
                                seqs.extend(sq.into_iter().map(|(d, l)| (agency.clone(), d, l)));
                            }
                            Ok((gens, seqs))
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|_| Err("a generator thread panicked".into()))
                    })
                    .collect()
            });
            let mut gens = Vec::new();
            let mut sequences = Vec::new();
            for part in parts {
                match part {
                    Ok((g, s)) => {
                        gens.extend(g);
                        sequences.extend(s);
                    }
                    Err(e) => {
                        // The loader stops at the first error and reports it.
                        let _ = tx.blocking_send(Err(e));
                        return;
                    }
                }
            }
            gens.sort_by(|x, y| (x.row.created_at, &x.row.id).cmp(&(y.row.created_at, &y.row.id)));
            let batch = Batch {
                label: format!("{:04}-{:02}", a.year(), a.month()),
                gens,
                sequences,
            };
            if tx.blocking_send(Ok(batch)).is_err() {
                return;
            }
        }
    });

    let load_started = Instant::now();
    let (mut dossiers, mut events, mut rows) = (0u64, 0u64, 0u64);
    let mut statuses: HashMap<String, u64> = HashMap::new();
    let mut timeliness: HashMap<String, u64> = HashMap::new();
    let mut last_print = Instant::now();
    let (mut waited, mut writing) = (Duration::ZERO, Duration::ZERO);
    loop {
        let t = Instant::now();
        let Some(batch) = rx.recv().await else { break };
        waited += t.elapsed();
        let batch = batch?;
        let t = Instant::now();
        rows += write_batch(&mut conn, engine, &batch).await?;
        writing += t.elapsed();
        dossiers += batch.gens.len() as u64;
        events += batch
            .gens
            .iter()
            .map(|g| g.events.len() as u64)
            .sum::<u64>();
        for g in &batch.gens {
            *statuses.entry(g.row.status.clone()).or_default() += 1;
            if let Some(t) = &g.row.timeliness {
                *timeliness.entry(t.clone()).or_default() += 1;
            }
        }
        if last_print.elapsed() > Duration::from_secs(5) {
            let secs = load_started.elapsed().as_secs_f64();
            println!(
                "  {}  {:>12} dossiers  {:>13} events  {:>13} rows  {:>9.0} rows/s  {:>7.0} dossiers/s  {:>6.0} s (writing {:.0} s, waiting for rows {:.0} s)",
                batch.label,
                thousands(dossiers),
                thousands(events),
                thousands(rows),
                rows as f64 / secs,
                dossiers as f64 / secs,
                secs,
                writing.as_secs_f64(),
                waited.as_secs_f64()
            );
            last_print = Instant::now();
        }
    }
    let _ = producer.join();
    let load_took = load_started.elapsed();
    println!(
        "loaded {} dossiers, {} events, {} rows in {:.0} s: {:.0} rows/s, {:.0} dossiers/s",
        thousands(dossiers),
        thousands(events),
        thousands(rows),
        load_took.as_secs_f64(),
        rows as f64 / load_took.as_secs_f64(),
        dossiers as f64 / load_took.as_secs_f64()
    );

    let index_started = Instant::now();
    for (name, sql) in &indexes {
        let t = Instant::now();
        conn.execute(sql.as_str()).await.map_err(err)?;
        println!("  index {name}: {:.1} s", t.elapsed().as_secs_f64());
    }
    let index_took = index_started.elapsed();
    let after_started = Instant::now();
    match engine {
        Engine::Sqlite => {
            // Back to the journal the server uses.
            conn.execute("PRAGMA locking_mode = NORMAL; PRAGMA journal_mode = WAL;")
                .await
                .map_err(err)?;
        }
        Engine::Postgres => {
            // What autovacuum would do in the next minutes, done now so that the
            // measurements see a settled database (visibility map, statistics).
            conn.execute("VACUUM (ANALYZE)").await.map_err(err)?;
        }
    }
    conn.close().await.map_err(err)?;
    let after_took = after_started.elapsed();
    let mut statuses: Vec<(String, u64)> = statuses.into_iter().collect();
    statuses.sort_by_key(|s| std::cmp::Reverse(s.1));
    let timeliness = ["early", "on_time", "late"]
        .into_iter()
        .map(|t| (t.to_string(), timeliness.get(t).copied().unwrap_or(0)))
        .collect();
    Ok(Generated {
        dossiers,
        events,
        rows,
        took: started.elapsed(),
        load_took,
        index_took,
        after_took,
        statuses,
        timeliness,
    })
}

/// The province, its communes and officers, through the app layer; and the
/// weighted catalogue.
async fn build_world(app: &App, communes: usize) -> Result<World, String> {
    let system = Principal::System;
    app.create_agency(
        &system,
        NewAgency {
            code: PROVINCE_CODE.into(),
            name: PROVINCE_NAME.into(),
            level: "province".into(),
            parent_code: None,
        },
    )
    .await
    .map_err(err)?;
    let mut agencies = Vec::new();
    for i in 0..communes {
        let a = app
            .create_agency(
                &system,
                NewAgency {
                    code: commune_code(i),
                    name: commune_name(i),
                    level: "commune".into(),
                    parent_code: Some(PROVINCE_CODE.into()),
                },
            )
            .await
            .map_err(err)?;
        agencies.push(a);
    }
    // Officers: password hashing is slow by design; a few at a time.
    let mut jobs = Vec::new();
    for (i, a) in agencies.iter().enumerate() {
        let mut rng = Rng::new(0xC0FFEE + i as u64);
        let names = usernames(i);
        let specs: Vec<&[&str]> = SPECIALIST_SECTORS.to_vec();
        for (k, username) in names.iter().enumerate() {
            let (roles, sectors): (Vec<String>, Vec<String>) = match k {
                0 => (vec!["counter_officer".into()], vec![]),
                1..=3 => (
                    vec!["specialist".into()],
                    specs[k - 1].iter().map(|s| s.to_string()).collect(),
                ),
                _ => (vec!["leader".into()], vec![]),
            };
            let sex = if rng.chance(0.5) {
                Sex::Female
            } else {
                Sex::Male
            };
            jobs.push((
                a.code.clone(),
                NewUser {
                    username: username.clone(),
                    full_name: person_name(&mut rng, sex),
                    password: PASSWORD.into(),
                    roles,
                    sectors,
                },
            ));
        }
    }
    let mut made: HashMap<String, Officer> = HashMap::new();
    for chunk in jobs.chunks(8) {
        let mut set = tokio::task::JoinSet::new();
        for (code, user) in chunk.iter().cloned() {
            let app = app.clone();
            set.spawn(async move { app.create_user(&Principal::System, &code, user).await });
        }
        while let Some(r) = set.join_next().await {
            let u = r.map_err(err)?.map_err(err)?;
            made.insert(
                u.username.clone(),
                Officer {
                    id: u.id,
                    username: u.username,
                    name: u.full_name,
                },
            );
        }
    }
    let officer = |name: &str| {
        made.get(name)
            .cloned()
            .ok_or_else(|| format!("officer {name} was not created"))
    };
    let mut out = Vec::new();
    for (i, a) in agencies.iter().enumerate() {
        let names = usernames(i);
        let cal = app.working_calendar(Some(&a.code)).await.map_err(err)?;
        let sessions = app.working_sessions(&a.code).await.map_err(err)?;
        out.push(Commune {
            id: a.id.clone(),
            code: a.code.clone(),
            place: place(i),
            cal,
            sessions,
            counter: officer(&names[0])?,
            specialists: (0..3)
                .map(|k| Ok((officer(&names[k + 1])?, SPECIALIST_SECTORS[k])))
                .collect::<Result<_, String>>()?,
            leader: officer(&names[4])?,
        });
    }
    let (procs, cumulative) = catalogue(app).await?;
    Ok(World {
        communes: out,
        procs,
        cumulative,
    })
}

/// The catalogue's procedures with their weights (cumulative).
async fn catalogue(app: &App) -> Result<(Vec<Proc>, Vec<f64>), String> {
    let entries = app
        .search_procedures("", None, None, 1000)
        .await
        .map_err(err)?;
    let mut procs = Vec::new();
    let mut cumulative = Vec::new();
    let mut acc = 0.0;
    for e in entries {
        if e.procedure.level != "commune" {
            continue;
        }
        let w = WEIGHTS
            .iter()
            .find(|(c, _)| *c == e.procedure.code)
            .map_or(0.1, |(_, w)| *w);
        acc += w;
        cumulative.push(acc);
        procs.push(Proc::from(e.version, e.procedure));
    }
    if procs.is_empty() {
        return Err("the catalogue has no commune-level procedure".into());
    }
    Ok((procs, cumulative))
}

// ---------------------------------------------------------------------------
// The run.

enum Cleanup {
    Nothing,
    SqliteFile(PathBuf, Option<PathBuf>),
    DropPostgres { admin_url: String, name: String },
}

/// Where to generate, and what to remove afterwards.
async fn resolve_database(args: &Args) -> Result<(String, Engine, Cleanup), String> {
    let pid = std::process::id();
    let Some(url) = args.database_url.clone() else {
        let dir = std::env::temp_dir().join(format!("motcua-bench-dossiers-{pid}"));
        std::fs::create_dir_all(&dir).map_err(err)?;
        let file = dir.join("bench.sqlite3");
        return Ok((
            format!("sqlite://{}", file.display()),
            Engine::Sqlite,
            Cleanup::SqliteFile(file, Some(dir)),
        ));
    };
    match Engine::from_url(&url) {
        Some(Engine::Sqlite) => {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:")
                .split('?')
                .next()
                .unwrap_or_default()
                .to_string();
            Ok((
                url,
                Engine::Sqlite,
                Cleanup::SqliteFile(PathBuf::from(path), None),
            ))
        }
        Some(Engine::Postgres) => {
            let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", &url));
            let (authority, db) = rest.split_once('/').unwrap_or((rest, ""));
            let db = db.split('?').next().unwrap_or_default();
            if !db.is_empty() && db != "postgres" {
                return Ok((url.clone(), Engine::Postgres, Cleanup::Nothing));
            }
            let admin_url = format!("{scheme}://{authority}/postgres");
            let name = format!("motcua_bench_{pid}");
            if !args.reuse {
                sqlx::any::install_default_drivers();
                let mut admin = AnyConnection::connect(&admin_url).await.map_err(err)?;
                admin
                    .execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .map_err(err)?;
                admin.close().await.map_err(err)?;
            }
            Ok((
                format!("{scheme}://{authority}/{name}"),
                Engine::Postgres,
                Cleanup::DropPostgres { admin_url, name },
            ))
        }
        None => Err(format!("unsupported database URL: {url}")),
    }
}

async fn cleanup(c: &Cleanup) -> Result<(), String> {
    match c {
        Cleanup::Nothing => {}
        Cleanup::SqliteFile(file, dir) => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
            if let Some(d) = dir {
                let _ = std::fs::remove_dir_all(d);
            }
        }
        Cleanup::DropPostgres { admin_url, name } => {
            let mut admin = AnyConnection::connect(admin_url).await.map_err(err)?;
            admin
                .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await
                .map_err(err)?;
            admin.close().await.map_err(err)?;
        }
    }
    Ok(())
}

/// Bytes the database takes: the SQLite file and its WAL after a checkpoint, or
/// PostgreSQL's `pg_database_size`.
async fn database_size(app: &App, url: &str) -> Result<(u64, u64), String> {
    match app.db.engine() {
        Engine::Sqlite => {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(app.db.pool())
                .await
                .map_err(err)?;
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:")
                .split('?')
                .next()
                .unwrap_or_default()
                .to_string();
            let size = |p: String| std::fs::metadata(p).map_or(0, |m| m.len());
            Ok((size(path.clone()), size(format!("{path}-wal"))))
        }
        Engine::Postgres => {
            let (n,): (i64,) = sqlx::query_as("SELECT pg_database_size(current_database())")
                .fetch_one(app.db.pool())
                .await
                .map_err(err)?;
            Ok((n as u64, 0))
        }
    }
}

fn gib(bytes: u64) -> String {
    format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
}

pub async fn run(args: Args) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(err)?;
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let (url, engine, clean) = resolve_database(&args).await?;
    let planned = args.communes * args.per_year * args.years;
    println!(
        "motcua bench dossiers — {} on {cores} cores, {} communes × {} dossiers a year × {} years = {} dossiers",
        engine.name(),
        args.communes,
        thousands(args.per_year as u64),
        args.years,
        thousands(planned as u64)
    );
    println!("database: {url}");
    let outcome = run_on(&args, &exe, &url).await;
    if args.keep || args.reuse {
        println!("kept: {url}");
    } else {
        cleanup(&clean).await?;
    }
    outcome
}

async fn run_on(args: &Args, exe: &std::path::Path, url: &str) -> Result<(), String> {
    let db = Db::connect(url).await.map_err(err)?;
    let engine = db.engine();
    let dossiers: u64;
    if args.reuse {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM dossiers")
            .fetch_one(db.pool())
            .await
            .map_err(err)?;
        dossiers = n as u64;
        println!("reusing {} dossiers", thousands(dossiers));
        // An earlier run stopped its server before the outbox worker had told
        // every citizen: its backlog would be delivered during this run's
        // measurements and slow them. Those messages are fiction; marked logged.
        let left = sqlx::query(
            "UPDATE outbox SET status = $1, sent_at = created_at WHERE status = 'pending'",
        )
        .bind(motcua_store::outbox::LOGGED)
        .execute(db.pool())
        .await
        .map_err(err)?
        .rows_affected();
        if left > 0 {
            println!(
                "outbox messages left pending by an earlier run, marked logged: {}",
                thousands(left)
            );
        }
        db.close().await;
    } else {
        db.migrate().await.map_err(err)?;
        let (agencies,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM agencies")
            .fetch_one(db.pool())
            .await
            .map_err(err)?;
        let app = App::new(db);
        app.seed_reference_data().await.map_err(err)?;
        if agencies > 0 {
            return Err("the database already has agencies: give an empty one, or --reuse".into());
        }
        let g = generate(&app, url, args).await?;
        dossiers = g.dossiers;
        println!();
        println!(
            "generation: {} dossiers, {} events ({:.2} a dossier), {} rows in {:.0} s all told \
             (setup, load {:.0} s at {:.0} rows/s, indexes {:.0} s, {} {:.0} s)",
            thousands(g.dossiers),
            thousands(g.events),
            g.events as f64 / g.dossiers.max(1) as f64,
            thousands(g.rows),
            g.took.as_secs_f64(),
            g.load_took.as_secs_f64(),
            g.rows as f64 / g.load_took.as_secs_f64(),
            g.index_took.as_secs_f64(),
            if engine == Engine::Sqlite {
                "back to WAL"
            } else {
                "VACUUM ANALYZE"
            },
            g.after_took.as_secs_f64()
        );
        let share = |s: &str| {
            g.statuses
                .iter()
                .find(|(k, _)| k == s)
                .map_or(0.0, |(_, n)| *n as f64 * 100.0 / g.dossiers.max(1) as f64)
        };
        println!(
            "states: {}",
            g.statuses
                .iter()
                .map(|(s, n)| format!("{s} {} ({:.2} %)", thousands(*n), share(s)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let returned: u64 = g.timeliness.iter().map(|(_, n)| n).sum();
        println!(
            "timeliness of the returned: {}",
            g.timeliness
                .iter()
                .map(|(t, n)| format!(
                    "{t} {} ({:.2} %)",
                    thousands(*n),
                    *n as f64 * 100.0 / returned.max(1) as f64
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    let app = App::new(Db::connect(url).await.map_err(err)?);
    if args.verify {
        let t = Instant::now();
        let r = app.dossiers().verify().await.map_err(err)?;
        println!(
            "hash chains checked by the app: {} dossiers, {} events, {} breaks, {} drifts, {:.1} s",
            thousands(r.dossiers),
            thousands(r.events),
            r.breaks.len(),
            r.drifts.len(),
            t.elapsed().as_secs_f64()
        );
        if let Some(b) = r.breaks.first() {
            return Err(format!(
                "chain broken at {} event {}: {}",
                b.code, b.seq, b.problem
            ));
        }
        // A row that is not the fold of its events is data the application itself
        // would call corrupt: the generator wrote the workflow wrong.
        if let Some(d) = r.drifts.first() {
            return Err(format!(
                "{} dossiers differ from the fold of their events, the first {} in {}",
                r.drifts.len(),
                d.code,
                d.fields.join(", ")
            ));
        }
    }
    let (main, wal) = database_size(&app, url).await?;
    println!(
        "database size: {} ({} bytes{}) = {} per million dossiers",
        gib(main + wal),
        thousands(main + wal),
        if engine == Engine::Sqlite {
            format!("; WAL after checkpoint {}", thousands(wal))
        } else {
            String::new()
        },
        gib(((main + wal) as f64 / dossiers.max(1) as f64 * 1e6) as u64)
    );
    if args.generate_only {
        app.db.close().await;
        return Ok(());
    }
    measure(args, exe, url, &app).await?;
    app.db.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------
// Measurements.

#[derive(Clone)]
enum Auth {
    Bearer(String),
    Cookie(String),
}

impl Auth {
    fn apply(&self, r: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Auth::Bearer(t) => r.bearer_auth(t),
            Auth::Cookie(s) => r.header("cookie", format!("motcua_session={s}")),
        }
    }
}

/// The officers of one measured commune, signed in both ways.
struct Desk {
    agency_id: String,
    tokens: [String; 3],
    sessions: Option<[String; 3]>,
}

struct Sample {
    desk: usize,
    code: String,
    received: bool,
}

fn line(name: &str, r: &LoadResult) {
    let ms = |q: f64| r.histogram.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "| {name} | {:.0} req/s | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
        r.requests as f64 / r.elapsed.as_secs_f64(),
        ms(0.5),
        ms(0.9),
        ms(0.99),
        r.histogram.max() as f64 / 1000.0,
        r.errors
    );
}

fn header() {
    println!("| what | throughput | p50 ms | p90 ms | p99 ms | max ms | errors |");
    println!("|---|---|---|---|---|---|---|");
}

fn pick(c: usize, i: usize, n: usize) -> usize {
    (Rng::new(((c as u64) << 40) ^ (i as u64)).next() % n.max(1) as u64) as usize
}

/// Requests spread at random over `items` (label, url, auth).
async fn load_items(
    http: &reqwest::Client,
    clients: usize,
    seconds: u64,
    labels: usize,
    items: Vec<(usize, String, Auth)>,
) -> Result<(LoadResult, Vec<LoadResult>), String> {
    let items = Arc::new(items);
    super::load_with(
        http,
        clients,
        Duration::from_secs(seconds),
        labels,
        move |h, c, i| {
            let (label, url, auth) = &items[pick(c, i, items.len())];
            (*label, auth.apply(h.get(url.as_str())))
        },
    )
    .await
}

fn quantiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    if v.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    (at(0.5), at(0.99), v[v.len() - 1])
}

async fn measure(args: &Args, exe: &std::path::Path, url: &str, app: &App) -> Result<(), String> {
    let m = MEASURED.min(args.communes);
    let pool = app.db.pool();
    // Officers of the measured communes.
    let mut desks = Vec::new();
    for k in 0..m {
        let index = k * args.communes / m;
        let (agency_id,): (String,) = sqlx::query_as("SELECT id FROM agencies WHERE code = $1")
            .bind(commune_code(index))
            .fetch_one(pool)
            .await
            .map_err(err)?;
        let names = usernames(index);
        let who = [&names[0], &names[1], &names[4]];
        let mut tokens = Vec::new();
        for u in who {
            tokens.push(
                app.create_token(&Principal::System, u, "bench")
                    .await
                    .map_err(err)?,
            );
        }
        let sessions = if k < 5 {
            let mut s = Vec::new();
            for u in who {
                s.push(
                    app.sign_in(u, PASSWORD, None)
                        .await
                        .map_err(err)?
                        .session_token,
                );
            }
            Some([s[0].clone(), s[1].clone(), s[2].clone()])
        } else {
            None
        };
        desks.push(Desk {
            agency_id,
            tokens: [tokens[0].clone(), tokens[1].clone(), tokens[2].clone()],
            sessions,
        });
    }
    // Existing codes, uniformly over time, from the measured communes.
    let now = Timestamp::now();
    let span_ms = (args.years as i64) * 365 * 86_400_000;
    let mut rng = Rng::new(7);
    let mut samples = Vec::new();
    for (d, desk) in desks.iter().enumerate() {
        for _ in 0..100 {
            let t = ms(now) - (rng.f() * span_ms as f64) as i64;
            let row: Option<(String, Option<i64>)> = sqlx::query_as(
                "SELECT code, received_at FROM dossiers WHERE agency_id = $1 AND id >= $2 \
                 ORDER BY id LIMIT 1",
            )
            .bind(&desk.agency_id)
            .bind(uuid_at(t, &mut rng))
            .fetch_optional(pool)
            .await
            .map_err(err)?;
            if let Some((code, received)) = row {
                samples.push(Sample {
                    desk: d,
                    code,
                    received: received.is_some(),
                });
            }
        }
    }
    if samples.is_empty() {
        return Err("no dossier to measure".into());
    }

    if args.wants("reports") {
        reports(args, app).await?;
    }

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()
        .map_err(err)?;
    let dir =
        std::env::temp_dir().join(format!("motcua-bench-dossiers-{}-data", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(err)?;
    let (server, _) = start_server_in(exe, url, &http, Some(&dir), &[]).await?;
    let base = server.base.clone();
    let secs = args.seconds;
    println!();
    println!(
        "load: {} concurrent clients on loopback, {secs} s each, officers of {m} communes, load generator on the same {} cores",
        args.clients,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
    header();

    let ctx = Ctx {
        http: &http,
        base: &base,
        clients: args.clients,
        secs,
        desks: &desks,
        samples: &samples,
    };
    if args.wants("worklists") {
        worklists(&ctx).await?;
    }
    if args.wants("home") {
        home_pages(&ctx).await?;
    }
    if args.wants("dossier") {
        let (r, _) = ctx
            .load_samples(|s, d| {
                (
                    format!("/api/v1/dossiers/{}", s.code),
                    Auth::Bearer(d.tokens[0].clone()),
                )
            })
            .await?;
        line(
            "API dossier (`GET /api/v1/dossiers/{code}`), random codes",
            &r,
        );
    }
    if args.wants("page") {
        dossier_pages(&ctx).await?;
    }
    if args.wants("events") {
        let (r, _) = ctx
            .load_samples(|s, d| {
                (
                    format!("/api/v1/dossiers/{}/events", s.code),
                    Auth::Bearer(d.tokens[0].clone()),
                )
            })
            .await?;
        line("API history (`GET /api/v1/dossiers/{code}/events`)", &r);
    }
    if args.wants("dashboards") {
        dashboards(&ctx, app, args).await?;
    }
    if args.wants("receipts") {
        receipts(&ctx, app, args.receipts).await?;
    }
    if args.wants("intake") {
        intake(&ctx, app, pool).await?;
    }
    if let Some(k) = super::rss_kib(server.child.id()) {
        println!(
            "server resident memory after the runs: {:.1} MiB",
            k as f64 / 1024.0
        );
    }
    drop(server);
    if args.wants("crash") {
        crash(&ctx, exe, url, &dir, app, pool).await?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Form II.06a over the last 365 days, through the use case and its SQL in this
/// process (one request at a time, as an officer asks for a report): for single
/// communes, and for the whole province with one row per commune.
async fn reports(args: &Args, app: &App) -> Result<(), String> {
    use motcua_app::reports::Ii06aQuery;
    let today = Timestamp::now().to_zoned(vietnam_time_zone()).date();
    let from = today
        .checked_sub(jiff::Span::new().days(364))
        .map_err(err)?;
    let (id, name, level, path): (String, String, String, String) =
        sqlx::query_as("SELECT id, name, level, path FROM agencies WHERE code = $1")
            .bind(PROVINCE_CODE)
            .fetch_one(app.db.pool())
            .await
            .map_err(err)?;
    // A supervisor of the province reads every commune below it.
    let supervisor = motcua_app::Actor {
        user_id: "bench-supervisor".into(),
        username: "bench-supervisor".into(),
        full_name: "Giám sát (thử tải)".into(),
        agency: motcua_app::principal::AgencyRef {
            id,
            code: PROVINCE_CODE.into(),
            name,
            level,
            path,
        },
        roles: vec![Role::Supervisor],
        sectors: Vec::new(),
        ip: None,
        credential: None,
    };
    let query = |agency: String, subtree: bool| Ii06aQuery {
        agency: Some(agency),
        from: Some(from.to_string()),
        to: Some(today.to_string()),
        scope: subtree.then(|| "subtree".into()),
        by: subtree.then(|| "unit".into()),
    };
    println!();
    println!("II.06a from {from} to {today}, in process, one at a time:");
    println!();
    println!("| report | runs | dossiers counted | rows | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|---|");
    let m = MEASURED.min(args.communes);
    let mut times = Vec::new();
    let mut counted = 0;
    let mut rows = 0;
    for round in 0..3 {
        for k in 0..m {
            let q = query(commune_code(k * args.communes / m), false);
            let t = Instant::now();
            let r = app.reports().ii06a(&supervisor, &q).await.map_err(err)?;
            // The first round warms the caches (catalogue, pages of the database).
            if round > 0 {
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            counted = counted.max(r.total.received_total);
            rows = rows.max(r.rows.len());
        }
    }
    let (p50, p99, max) = quantiles(times.clone());
    println!(
        "| one commune, by sector | {} | up to {counted} | up to {rows} | {p50:.1} | {p99:.1} | {max:.1} |",
        times.len()
    );
    let mut times = Vec::new();
    let mut counted = 0;
    let mut rows = 0;
    for round in 0..6 {
        let t = Instant::now();
        let r = app
            .reports()
            .ii06a(&supervisor, &query(PROVINCE_CODE.into(), true))
            .await
            .map_err(err)?;
        if round > 0 {
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        counted = r.total.received_total;
        rows = r.rows.len();
    }
    let (p50, p99, max) = quantiles(times.clone());
    println!(
        "| the province, one row per unit | {} | {counted} | {rows} | {p50:.1} | {p99:.1} | {max:.1} |",
        times.len()
    );
    service_index(args, app, &supervisor, from, today).await
}

/// The QĐ 766 service index (every indicator, the costliest dossiers) for one
/// commune-year and for the province-year, in process, one at a time.
async fn service_index(
    args: &Args,
    app: &App,
    supervisor: &motcua_app::Actor,
    from: Date,
    today: Date,
) -> Result<(), String> {
    use motcua_app::reports::ServiceIndexQuery;
    let query = |agency: String, subtree: bool| ServiceIndexQuery {
        agency: Some(agency),
        from: Some(from.to_string()),
        to: Some(today.to_string()),
        scope: subtree.then(|| "subtree".into()),
    };
    let handled = |r: &motcua_app::reports::ServiceIndex| {
        r.groups
            .iter()
            .flat_map(|g| g.indicators.iter())
            .find(|i| i.key == "progress.on_time")
            .and_then(|i| i.ratio)
            .map_or(0, |r| r.denominator)
    };
    println!();
    println!("Service index (QĐ 766) from {from} to {today}, in process, one at a time:");
    println!();
    println!("| index | runs | dossiers handled | total points | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|---|");
    let m = MEASURED.min(args.communes);
    let mut times = Vec::new();
    let (mut counted, mut points) = (0, 0.0);
    for round in 0..3 {
        for k in 0..m {
            let q = query(commune_code(k * args.communes / m), false);
            let t = Instant::now();
            let r = app
                .reports()
                .service_index(supervisor, &q)
                .await
                .map_err(err)?;
            if round > 0 {
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            counted = counted.max(handled(&r));
            points = r.total;
        }
    }
    let (p50, p99, max) = quantiles(times.clone());
    println!(
        "| one commune | {} | up to {counted} | {points} | {p50:.1} | {p99:.1} | {max:.1} |",
        times.len()
    );
    let mut times = Vec::new();
    for round in 0..4 {
        let t = Instant::now();
        let r = app
            .reports()
            .service_index(supervisor, &query(PROVINCE_CODE.into(), true))
            .await
            .map_err(err)?;
        if round > 0 {
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        counted = handled(&r);
        points = r.total;
    }
    let (p50, p99, max) = quantiles(times.clone());
    println!(
        "| the province (subtree) | {} | {counted} | {points} | {p50:.1} | {p99:.1} | {max:.1} |",
        times.len()
    );
    campaign(app, from).await
}

/// People on a ward's campaign list: one ward's re-registration of births had 3,522.
const CAMPAIGN_PEOPLE: usize = 3_522;

/// A commune's campaign of 3,522 people over its five commonest procedures of the
/// year: the list (as a ward types it: name, date of birth, ID) made from the
/// applicants of those dossiers, and more people than dossiers when they are
/// fewer; its creation from the workbook, then its progress page read again and
/// again (every matching dossier and its events, matched in memory).
async fn campaign(app: &App, from: Date) -> Result<(), String> {
    use motcua_app::campaigns::NewCampaign;
    use motcua_docs::registers::{export_xlsx, ExportCell, ExportSheet};
    let code = commune_code(0);
    let (id, name, level, path): (String, String, String, String) =
        sqlx::query_as("SELECT id, name, level, path FROM agencies WHERE code = $1")
            .bind(&code)
            .fetch_one(app.db.pool())
            .await
            .map_err(err)?;
    let start =
        motcua_store::to_millis(from.to_zoned(vietnam_time_zone()).map_err(err)?.timestamp());
    let procedures: Vec<String> = sqlx::query_scalar(
        "SELECT procedure_code FROM dossiers WHERE agency_id = $1 AND received_at >= $2 \
         GROUP BY procedure_code ORDER BY COUNT(*) DESC, procedure_code LIMIT 5",
    )
    .bind(&id)
    .bind(start)
    .fetch_all(app.db.pool())
    .await
    .map_err(err)?;
    let sql = format!(
        "SELECT applicant_name, applicant_id FROM dossiers WHERE agency_id = $1 AND received_at >= $2 \
         AND procedure_code IN ({}) ORDER BY received_at LIMIT {CAMPAIGN_PEOPLE}",
        (0..procedures.len())
            .map(|i| format!("${}", i + 3))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut q = sqlx::query_as::<_, (String, Option<String>)>(&sql)
        .bind(&id)
        .bind(start);
    for p in &procedures {
        q = q.bind(p);
    }
    let applicants = q.fetch_all(app.db.pool()).await.map_err(err)?;
    let text = |s: &str| ExportCell::Text(s.into());
    let rows: Vec<Vec<ExportCell>> = (0..CAMPAIGN_PEOPLE)
        .map(|i| {
            let (name, personal_id) = applicants
                .get(i)
                .cloned()
                .unwrap_or_else(|| (format!("Người chưa nộp {i}"), None));
            vec![
                ExportCell::Int(i as i64 + 1),
                text(&name),
                personal_id.as_deref().map_or(ExportCell::Empty, text),
                text("Tổ 1"),
            ]
        })
        .collect();
    let workbook = export_xlsx(&[ExportSheet {
        name: "Danh sách".into(),
        file_stem: "danh-sach".into(),
        titles: ["STT", "Họ và tên", "Số định danh", "Địa chỉ"]
            .map(String::from)
            .to_vec(),
        rows,
    }])
    .map_err(err)?;
    // The campaign names its author: one of the commune's officers, acting as its
    // leader.
    let (user_id, username, full_name): (String, String, String) =
        sqlx::query_as("SELECT id, username, full_name FROM users WHERE agency_id = $1 LIMIT 1")
            .bind(&id)
            .fetch_one(app.db.pool())
            .await
            .map_err(err)?;
    let leader = motcua_app::Actor {
        user_id,
        username,
        full_name,
        agency: motcua_app::principal::AgencyRef {
            id,
            code,
            name,
            level,
            path,
        },
        roles: vec![Role::Leader],
        sectors: Vec::new(),
        ip: None,
        credential: None,
    };
    let t = Instant::now();
    let created = app
        .campaigns()
        .create(
            &leader,
            NewCampaign {
                name: format!("Thử tải {}", Timestamp::now()),
                procedures: procedures.clone(),
                starts_on: from.to_string(),
                ends_on: String::new(),
                file_name: "danh-sach.xlsx".into(),
                workbook,
            },
        )
        .await
        .map_err(err)?;
    let create_ms = t.elapsed().as_secs_f64() * 1000.0;
    let mut times = Vec::new();
    let mut last = None;
    for round in 0..11 {
        let t = Instant::now();
        let p = app
            .campaigns()
            .progress(&leader, &created.id, None)
            .await
            .map_err(err)?;
        if round > 0 {
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        last = Some(p);
    }
    let (p50, p99, max) = quantiles(times.clone());
    let p = last.ok_or("no progress read")?;
    println!();
    println!(
        "Campaign of {CAMPAIGN_PEOPLE} people in one commune, procedures {}, in process:",
        procedures.join(", ")
    );
    println!();
    println!("| step | runs | dossiers read | people matched | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|---|");
    println!("| create from the workbook | 1 | — | — | {create_ms:.1} | {create_ms:.1} | {create_ms:.1} |");
    let matched = p
        .targets
        .iter()
        .filter(|t| t.dossier_code.is_some())
        .count();
    println!(
        "| progress page | {} | {} | {matched} ({:.1} % done) | {p50:.1} | {p99:.1} | {max:.1} |",
        times.len(),
        matched as u64 + p.unmatched_dossiers,
        p.percent_done.unwrap_or(0.0)
    );
    Ok(())
}

/// Supervisors reading dashboards at once (issue 13's figure).
const SUPERVISORS: usize = 20;

/// The dashboard page (`/bang-dieu-khien`, last 365 days) as 20 supervisors of
/// the province read it at once, each request from one of their sessions: first
/// a random commune's dashboard (the chairman's morning view, drilled into from
/// the province), then the province's own with every unit below (the whole
/// province-year: rates, trend, lists, workload, ranking of the units).
async fn dashboards(ctx: &Ctx<'_>, app: &App, args: &Args) -> Result<(), String> {
    let username = "bench.giamsat";
    let user = NewUser {
        username: username.into(),
        full_name: "Giám sát (thử tải)".into(),
        password: PASSWORD.into(),
        roles: vec!["supervisor".into()],
        sectors: Vec::new(),
    };
    match app
        .create_user(&Principal::System, PROVINCE_CODE, user)
        .await
    {
        // Already there from an earlier run on the same database.
        Ok(_) | Err(motcua_app::Error::Conflict(_)) => {}
        Err(e) => return Err(err(e)),
    }
    let mut sessions = Vec::with_capacity(SUPERVISORS);
    for _ in 0..SUPERVISORS {
        sessions.push(
            app.sign_in(username, PASSWORD, None)
                .await
                .map_err(err)?
                .session_token,
        );
    }
    let today = Timestamp::now().to_zoned(vietnam_time_zone()).date();
    let from = today
        .checked_sub(jiff::Span::new().days(364))
        .map_err(err)?;
    let page = |agency: &str, subtree: bool| {
        format!(
            "{}/bang-dieu-khien?agency={agency}&from={from}&to={today}{}",
            ctx.base,
            if subtree { "&scope=subtree" } else { "" }
        )
    };
    let m = MEASURED.min(args.communes);
    let mut items = Vec::new();
    for k in 0..m {
        for s in &sessions {
            items.push((
                0,
                page(&commune_code(k * args.communes / m), false),
                Auth::Cookie(s.clone()),
            ));
        }
    }
    let (r, _) = load_items(ctx.http, SUPERVISORS, ctx.secs, 1, items).await?;
    line(
        "HTML dashboard of one commune-year, 20 supervisors at once",
        &r,
    );
    let items = sessions
        .iter()
        .map(|s| (0, page(PROVINCE_CODE, true), Auth::Cookie(s.clone())))
        .collect();
    let (r, _) = load_items(ctx.http, SUPERVISORS, ctx.secs, 1, items).await?;
    line(
        "HTML dashboard of the province-year with every unit, 20 supervisors at once",
        &r,
    );
    Ok(())
}

/// What the measurements share.
struct Ctx<'a> {
    http: &'a reqwest::Client,
    base: &'a str,
    clients: usize,
    secs: u64,
    desks: &'a [Desk],
    samples: &'a [Sample],
}

impl Ctx<'_> {
    /// Load over the sampled dossiers, each request made by `f` (path, auth);
    /// samples for which `f` has nothing are skipped.
    async fn load_samples(
        &self,
        f: impl Fn(&Sample, &Desk) -> (String, Auth),
    ) -> Result<(LoadResult, Vec<LoadResult>), String> {
        let items: Vec<(usize, String, Auth)> = self
            .samples
            .iter()
            .map(|s| {
                let (path, auth) = f(s, &self.desks[s.desk]);
                (0, format!("{}{path}", self.base), auth)
            })
            .collect();
        load_items(self.http, self.clients, self.secs, 1, items).await
    }

    /// Whether `path` answers 2xx to `auth` (pages being built may not exist yet).
    async fn exists(&self, path: &str, auth: &Auth) -> bool {
        auth.apply(self.http.get(format!("{}{path}", self.base)))
            .send()
            .await
            .map(|r| r.status().is_success())
            .unwrap_or(false)
    }
}

/// Each role's lists: (list, 0 counter officer / 1 specialist / 2 leader).
const LISTS: [(&str, usize); 9] = [
    ("to_accept", 0),
    ("to_assign", 0),
    ("ready_to_return", 0),
    ("not_collected", 0),
    ("all", 0),
    ("mine", 1),
    ("awaiting_approval", 2),
    ("overdue", 2),
    ("due_soon", 2),
];

/// Worklists over the API: each role's lists of random communes.
async fn worklists(ctx: &Ctx<'_>) -> Result<(), String> {
    let mut items = Vec::new();
    for d in ctx.desks {
        for (label, (list, role)) in LISTS.iter().enumerate() {
            items.push((
                label,
                format!("{}/api/v1/dossiers?list={list}", ctx.base),
                Auth::Bearer(d.tokens[*role].clone()),
            ));
        }
    }
    // Warm the connections and caches first.
    let _ = load_items(ctx.http, ctx.clients, 2, LISTS.len(), items.clone()).await?;
    let (all, each) = load_items(ctx.http, ctx.clients, ctx.secs, LISTS.len(), items).await?;
    line(
        "API worklists, all lists mixed (`GET /api/v1/dossiers?list=…`)",
        &all,
    );
    for ((list, _), r) in LISTS.iter().zip(&each) {
        line(&format!("— `list={list}`"), r);
    }
    Ok(())
}

/// The same lists as HTML home pages, where the pages exist.
async fn home_pages(ctx: &Ctx<'_>) -> Result<(), String> {
    let mut items = Vec::new();
    for d in ctx.desks {
        let Some(s) = &d.sessions else { continue };
        for (label, (list, role)) in LISTS.iter().enumerate() {
            items.push((
                label,
                format!("{}/?ds={list}", ctx.base),
                Auth::Cookie(s[*role].clone()),
            ));
        }
    }
    let available = match items.first() {
        Some((_, _, auth)) => ctx.exists("/?ds=all", auth).await,
        None => false,
    };
    if !available {
        println!("| HTML home page with a worklist | not available | | | | | |");
        return Ok(());
    }
    let (all, _) = load_items(ctx.http, ctx.clients, ctx.secs, LISTS.len(), items).await?;
    line("HTML home page with a worklist (`GET /?ds=…`)", &all);
    Ok(())
}

/// The HTML dossier page, where it exists, as the commune's counter officer.
async fn dossier_pages(ctx: &Ctx<'_>) -> Result<(), String> {
    let signed_in: Vec<&Sample> = ctx
        .samples
        .iter()
        .filter(|s| ctx.desks[s.desk].sessions.is_some())
        .collect();
    let session = |s: &Sample| {
        ctx.desks[s.desk]
            .sessions
            .as_ref()
            .map(|x| Auth::Cookie(x[0].clone()))
    };
    let available = match signed_in.first().and_then(|s| Some((s, session(s)?))) {
        Some((s, auth)) => ctx.exists(&format!("/ho-so/{}", s.code), &auth).await,
        None => false,
    };
    if !available {
        println!("| HTML dossier page | not available | | | | | |");
        return Ok(());
    }
    let items: Vec<(usize, String, Auth)> = signed_in
        .iter()
        .filter_map(|s| Some((0, format!("{}/ho-so/{}", ctx.base, s.code), session(s)?)))
        .collect();
    let (r, _) = load_items(ctx.http, ctx.clients, ctx.secs, 1, items).await?;
    line("HTML dossier page (`GET /ho-so/{code}`), random codes", &r);
    Ok(())
}

/// Receipts one at a time, over HTTP and in process.
async fn receipts(ctx: &Ctx<'_>, app: &App, n: usize) -> Result<(), String> {
    let received: Vec<&Sample> = ctx.samples.iter().filter(|s| s.received).take(n).collect();
    let mut over_http = Vec::new();
    let mut failed = 0;
    for s in &received {
        let t = Instant::now();
        let r = ctx
            .http
            .get(format!(
                "{}/api/v1/dossiers/{}/receipt.pdf",
                ctx.base, s.code
            ))
            .bearer_auth(&ctx.desks[s.desk].tokens[0])
            .send()
            .await
            .map_err(err)?;
        let ok = r.status().is_success();
        let _ = r.bytes().await;
        if ok {
            over_http.push(t.elapsed().as_secs_f64() * 1000.0);
        } else {
            failed += 1;
        }
    }
    let mut in_process = Vec::new();
    let mut first_in_process = 0.0;
    for (i, s) in received.iter().enumerate() {
        let Some(actor) = app
            .token_actor(&ctx.desks[s.desk].tokens[0], None)
            .await
            .map_err(err)?
        else {
            continue;
        };
        let t = Instant::now();
        app.dossiers()
            .form_pdf(&actor, &s.code, Form::Receipt)
            .await
            .map_err(err)?;
        let took = t.elapsed().as_secs_f64() * 1000.0;
        if i == 0 {
            first_in_process = took;
        } else {
            in_process.push(took);
        }
    }
    let first_http = over_http.first().copied().unwrap_or(0.0);
    let (p50, p99, max) = quantiles(over_http.iter().skip(1).copied().collect());
    println!();
    println!(
        "receipt PDF over HTTP (`GET …/receipt.pdf`, one at a time, {} receipts, {failed} failed): first {first_http:.1} ms (fonts), then p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms",
        over_http.len()
    );
    let (p50, p99, max) = quantiles(in_process);
    println!(
        "receipt PDF in process (`app.dossiers().form_pdf`, the same receipts): first {first_in_process:.1} ms (fonts), then p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms"
    );
    Ok(())
}

/// Counter intake over the API by the counter officers of ten communes.
async fn intake(ctx: &Ctx<'_>, app: &App, pool: &sqlx::AnyPool) -> Result<(), String> {
    let inputs = intake_bodies(app, 2_000).await?;
    let bodies: Arc<Vec<String>> = Arc::new(inputs.iter().map(|(_, j)| j.clone()).collect());
    let tokens: Arc<Vec<String>> = Arc::new(
        ctx.desks
            .iter()
            .take(10)
            .map(|d| d.tokens[0].clone())
            .collect(),
    );
    let url = format!("{}/api/v1/dossiers", ctx.base);
    let pid = std::process::id();
    let writer_before = writer_commits(ctx).await;
    let started = Timestamp::now();
    let (intake, _) = super::load_with(
        ctx.http,
        ctx.clients,
        Duration::from_secs(ctx.secs),
        1,
        move |h, c, i| {
            let body = bodies[pick(c, i, bodies.len())].clone();
            let req = h
                .post(url.as_str())
                .bearer_auth(&tokens[c % tokens.len()])
                .header("content-type", "application/json")
                .header("idempotency-key", format!("bench-{pid}-{c}-{i}"))
                .body(body);
            (0, req)
        },
    )
    .await?;
    println!();
    header();
    line(
        "counter intake (`POST /api/v1/dossiers`, Idempotency-Key), dossiers",
        &intake,
    );
    let mut rng = Rng::new(11);
    let (made,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM dossier_events WHERE action = 'receive' AND at >= $1 \
         AND dossier_id >= $2",
    )
    .bind(ms(started))
    .bind(uuid_at(ms(started) - 1000, &mut rng))
    .fetch_one(pool)
    .await
    .map_err(err)?;
    println!(
        "dossiers written during the intake run: {} (answers 201: {})",
        thousands(made as u64),
        thousands(intake.requests)
    );
    if let (Some((u0, c0)), Some((u1, c1))) = (writer_before, writer_commits(ctx).await) {
        let (units, commits) = (u1.saturating_sub(u0), c1.saturating_sub(c0));
        if commits > 0 {
            println!(
                "SQLite group commit during the run: {} write transactions in {} commits ({:.1} a commit)",
                thousands(units),
                thousands(commits),
                units as f64 / commits as f64
            );
        }
    }
    // The limit: the same use case, the same rows, one transaction each, one after
    // another in this process (no HTTP, no JSON, no concurrency), on the same
    // database with the server's durability settings.
    let actor = app
        .token_actor(&ctx.desks[0].tokens[0], None)
        .await
        .map_err(err)?
        .ok_or("the bench token is unknown")?;
    let started = Instant::now();
    let mut n = 0usize;
    while started.elapsed() < Duration::from_secs(ctx.secs) {
        app.dossiers()
            .receive(&actor, &inputs[n % inputs.len()].0, None)
            .await
            .map_err(err)?;
        n += 1;
    }
    let limit = n as f64 / started.elapsed().as_secs_f64();
    let over_http = intake.requests as f64 / intake.elapsed.as_secs_f64();
    println!(
        "write-path limit (the same intake in process, one transaction each, one after another): {limit:.0} dossiers/s; over HTTP at {} clients: {over_http:.0}/s = {:.0} % of it",
        ctx.clients,
        100.0 * over_http / limit
    );
    Ok(())
}

/// The server's SQLite writer counts (transactions, commits) from its metrics,
/// served to the loopback; none on PostgreSQL or when they cannot be read.
async fn writer_commits(ctx: &Ctx<'_>) -> Option<(u64, u64)> {
    let text = ctx
        .http
        .get(format!("{}/metrics", ctx.base))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse::<u64>().ok())
    };
    Some((
        value("db_sqlite_writer_units ")?,
        value("db_sqlite_writer_commits ")?,
    ))
    .filter(|(units, _)| *units > 0)
}

/// Kills a server with SIGKILL while clients are taking dossiers in, and checks
/// that every dossier it had acknowledged (a 201) is there with its events.
async fn crash(
    ctx: &Ctx<'_>,
    exe: &std::path::Path,
    url: &str,
    dir: &std::path::Path,
    app: &App,
    pool: &sqlx::AnyPool,
) -> Result<(), String> {
    let bodies: Vec<String> = intake_bodies(app, 500)
        .await?
        .into_iter()
        .map(|(_, j)| j)
        .collect();
    let (mut server, _) = start_server_in(exe, url, ctx.http, Some(dir), &[]).await?;
    let url_in = format!("{}/api/v1/dossiers", server.base);
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    for c in 0..ctx.clients {
        let (http, url_in, acknowledged) = (ctx.http.clone(), url_in.clone(), acknowledged.clone());
        let token = ctx.desks[c % ctx.desks.len().min(10)].tokens[0].clone();
        let body = bodies[c % bodies.len()].clone();
        tasks.push(tokio::spawn(async move {
            for i in 0.. {
                let sent = http
                    .post(url_in.as_str())
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .header(
                        "idempotency-key",
                        format!("crash-{}-{c}-{i}", std::process::id()),
                    )
                    .body(body.clone())
                    .send()
                    .await;
                let Ok(r) = sent else { break };
                if r.status().as_u16() != 201 {
                    continue;
                }
                let Ok(v) = r.json::<serde_json::Value>().await else {
                    break;
                };
                if let Some(code) = v["code"].as_str() {
                    if let Ok(mut a) = acknowledged.lock() {
                        a.push(code.to_owned());
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    // std's kill is SIGKILL: no shutdown, no flush.
    server.child.kill().map_err(err)?;
    let _ = server.child.wait();
    for t in tasks {
        let _ = t.await;
    }
    drop(server);
    let codes = acknowledged.lock().map(|a| a.clone()).unwrap_or_default();
    let mut lost = Vec::new();
    for code in &codes {
        let found: Option<(i64, i64)> = sqlx::query_as(
            "SELECT d.last_seq, (SELECT COUNT(*) FROM dossier_events e WHERE e.dossier_id = d.id) \
             FROM dossiers d WHERE d.code = $1",
        )
        .bind(code)
        .fetch_optional(pool)
        .await
        .map_err(err)?;
        if !matches!(found, Some((seq, events)) if seq >= 1 && seq == events) {
            lost.push(code.clone());
        }
    }
    println!(
        "SIGKILL during intakes at {} clients: {} acknowledged (201), {} found with their events, {} lost",
        ctx.clients,
        thousands(codes.len() as u64),
        thousands((codes.len() - lost.len()) as u64),
        lost.len()
    );
    if lost.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "acknowledged dossiers lost after SIGKILL: {lost:?}"
        ))
    }
}

/// Intakes as a counter would type them: the use case's input and the same as
/// the API's JSON.
async fn intake_bodies(app: &App, n: usize) -> Result<Vec<(IntakeInput, String)>, String> {
    let (procs, cumulative) = catalogue(app).await?;
    let w = World {
        communes: Vec::new(),
        procs,
        cumulative,
    };
    let mut rng = Rng::new(42);
    let mut out = Vec::new();
    for _ in 0..n {
        let p = &w.procs[w.procedure(&mut rng)];
        let a = applicant(&mut rng, "Nha Trang", false);
        let exemption = p
            .usual_exemption
            .and_then(|(e, share)| rng.chance(share).then_some(e.as_str().to_owned()));
        let return_method = if p.allows(ReturnMethod::Counter) {
            ReturnMethod::Counter
        } else {
            p.return_methods
                .first()
                .copied()
                .unwrap_or(ReturnMethod::Counter)
        };
        let input = IntakeInput {
            procedure: p.code.clone(),
            channel: Some("counter".into()),
            applicant: ApplicantInput {
                full_name: a.full_name.clone(),
                personal_id: a.personal_id.clone(),
                date_of_birth: a.date_of_birth.map(|d| d.strftime("%d/%m/%Y").to_string()),
                sex: Some(match a.sex {
                    Some(Sex::Female) => "female".into(),
                    _ => "male".into(),
                }),
                phone: a.phone.clone(),
                email: a.email.clone(),
                address: a.address.clone(),
            },
            return_method: return_method.as_str().into(),
            post_address: (return_method == ReturnMethod::Post)
                .then_some(a.address.clone())
                .flatten(),
            pages: Some(1 + rng.below(6) as u32),
            copies: Some(1 + rng.below(3) as u32),
            exemption,
            fee_paid: Some(true),
            fee_receipt_no: Some(format!("{:07}", rng.below(10_000_000))),
            ..IntakeInput::default()
        };
        // The API reads the same field names.
        let json = serde_json::to_string(&input).map_err(err)?;
        out.push((input, json));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_domain::calendar::known_national_overrides;
    use motcua_domain::dossier::fold;

    fn officer(username: &str) -> Officer {
        Officer {
            id: format!("user-{username}"),
            username: username.into(),
            name: format!("Cán bộ {username}"),
        }
    }

    /// A commune of two catalogues (short and long time limits), as `build_world`
    /// would make it, without a database.
    fn world() -> World {
        let sessions = WorkingSessions::default();
        let cal = WorkingCalendar::build(
            2024..=2028,
            sessions.clone(),
            &[&known_national_overrides()],
        );
        let commune = Commune {
            id: "agency-1".into(),
            code: commune_code(0),
            place: place(0),
            cal: Arc::new(cal),
            sessions,
            counter: officer("tn"),
            specialists: (0..3)
                .map(|k| (officer(&format!("cv{k}")), SPECIALIST_SECTORS[k]))
                .collect(),
            leader: officer("ld"),
        };
        let mut procs = Vec::new();
        for json in [
            include_str!("../../seeds/catalogue/ho-tich.json"),
            include_str!("../../seeds/catalogue/dat-dai.json"),
        ] {
            let list: Vec<Procedure> = serde_json::from_str(json).expect("seed catalogue");
            procs.extend(
                list.into_iter()
                    .filter(|p| p.level == "commune")
                    .map(|p| Proc::from(1, p)),
            );
        }
        let cumulative = (1..=procs.len()).map(|i| i as f64).collect();
        World {
            communes: vec![commune],
            procs,
            cumulative,
        }
    }

    /// What `audit verify` checks, on generated rows: each row is the fold of its
    /// events as stored, and the events chain.
    #[test]
    fn generated_rows_are_the_fold_of_their_events() {
        let w = world();
        assert!(!w.procs.is_empty());
        let now = Date::new(2026, 11, 30)
            .expect("date")
            .at(10, 0, 0, 0)
            .to_zoned(vietnam_time_zone())
            .expect("instant")
            .timestamp();
        let (first, last) = (
            Date::new(2026, 9, 1).expect("date"),
            Date::new(2026, 11, 30).expect("date"),
        );
        let mut statuses: HashMap<String, usize> = HashMap::new();
        let mut files = 0;
        for month in 0..4 {
            let (gens, _) = commune_month(&w, 0, month, (first, last), 600, now)
                .unwrap_or_else(|e| panic!("{e}"));
            for g in gens {
                let events: Vec<Event> = g
                    .events
                    .iter()
                    .map(|e| e.event().expect("stored event"))
                    .collect();
                let folded = fold(&g.row.id, &events).expect("fold");
                let stored = StoredDossier::from_row(&g.row, folded.details.clone()).expect("row");
                assert_eq!(
                    folded.differences(&stored.dossier),
                    Vec::<&str>::new(),
                    "{}",
                    g.row.code
                );
                let mut prev = GENESIS.to_vec();
                for (i, e) in g.events.iter().enumerate() {
                    assert_eq!(e.seq, i as i64 + 1);
                    assert_eq!(e.hash, event_hash(e, &prev));
                    prev.clone_from(&e.hash);
                }
                assert_eq!(
                    (g.row.last_seq, &g.row.last_hash),
                    (g.events.len() as i64, &prev)
                );
                if let Some(f) = &g.file {
                    files += 1;
                    assert!(g.events.iter().any(|e| e.data.contains(&f.id)));
                }
                *statuses.entry(g.row.status.clone()).or_default() += 1;
            }
        }
        // The plan reaches the outcomes it is meant to.
        for s in ["returned", "rejected", "withdrawn", "not_accepted"] {
            assert!(statuses.contains_key(s), "no {s} in {statuses:?}");
        }
        assert!(files > 0);
    }
}
