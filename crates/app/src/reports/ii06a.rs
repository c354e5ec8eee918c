//! Form II.06a/VPCP/KSTT for any agency and period: one row per sector (or, for a
//! supervisor, per unit below), a total row, and every figure's dossiers.

use jiff::civil::Date;
use jiff::Timestamp;
use motcua_domain::access::Action;
use motcua_domain::dossier::{Channel, Status};
use motcua_domain::report::{Counts, Figure, Period};
use motcua_store::agencies::{self, AgencyRow};
use motcua_store::reports::{self as store, GroupBy, Scope};
use motcua_store::{from_millis, sectors};
use serde::{Deserialize, Serialize};

use super::{on_halves, Reports};
use crate::error::{Error, Result};
use crate::Actor;

/// The report's query, as the page's form and the API send it.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct Ii06aQuery {
    /// Agency identifier code; the person's own when absent.
    pub agency: Option<String>,
    /// First day of the period, YYYY-MM-DD (or dd/mm/yyyy).
    #[cfg_attr(feature = "openapi", param(required = true))]
    pub from: Option<String>,
    /// Last day of the period, inclusive.
    #[cfg_attr(feature = "openapi", param(required = true))]
    pub to: Option<String>,
    /// `self` (default): the agency's own dossiers; `subtree`: with every unit below.
    pub scope: Option<String>,
    /// `sector` (default): one row per sector; `unit`: one row per agency;
    /// `child`: one row per unit directly below the agency (its whole subtree
    /// rolled up), and the agency's own dossiers when it has any.
    pub by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportScope {
    #[serde(rename = "self")]
    Own,
    Subtree,
}

impl ReportScope {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportScope::Own => "self",
            ReportScope::Subtree => "subtree",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Grouping {
    Sector,
    Unit,
    Child,
}

impl Grouping {
    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::Sector => "sector",
            Grouping::Unit => "unit",
            Grouping::Child => "child",
        }
    }

    fn store(self) -> GroupBy {
        match self {
            Grouping::Sector => GroupBy::Sector,
            Grouping::Unit | Grouping::Child => GroupBy::Agency,
        }
    }

    /// What the rows are, as the form's second column heads them.
    pub fn row_heading_vi(self) -> &'static str {
        match self {
            Grouping::Sector => "Lĩnh vực giải quyết",
            Grouping::Unit | Grouping::Child => "Đơn vị",
        }
    }
}

/// One row of the form: a sector (`sector_code`, `sector_name`) or a unit
/// (`agency_code`, `agency_name`), and its figures.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ii06aRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency_name: Option<String>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub counts: Counts,
}

impl Ii06aRow {
    /// What the row is called on the form.
    pub fn name(&self) -> &str {
        self.sector_name
            .as_deref()
            .or(self.agency_name.as_deref())
            .unwrap_or_default()
    }

    /// The value that narrows a drill-down list to this row.
    pub fn key(&self) -> &str {
        self.sector_code
            .as_deref()
            .or(self.agency_code.as_deref())
            .unwrap_or_default()
    }
}

/// The report.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ii06a {
    pub agency_code: String,
    pub agency_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: Date,
    pub scope: ReportScope,
    pub by: Grouping,
    pub rows: Vec<Ii06aRow>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub total: Counts,
}

impl Ii06a {
    pub fn period(&self) -> Period {
        Period {
            from: self.from,
            to: self.to,
        }
    }
}

/// One dossier a figure counts.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountedDossier {
    pub code: String,
    pub agency_code: String,
    pub sector: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub channel: String,
    pub channel_label: String,
    pub status: String,
    pub status_label: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub received_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<Timestamp>,
    pub timeliness: Option<String>,
}

/// A row of a drill-down list as the API shows it.
pub(super) fn counted(units: &[AgencyRow], d: store::CountedRow) -> CountedDossier {
    let channel = Channel::parse(&d.channel);
    let status = Status::parse(&d.status);
    CountedDossier {
        agency_code: units
            .iter()
            .find(|a| a.id == d.agency_id)
            .map(|a| a.code.clone())
            .unwrap_or_default(),
        code: d.code,
        sector: d.sector,
        procedure_name: d.procedure_name,
        applicant_name: d.applicant_name,
        channel_label: channel.map(|c| c.label_vi()).unwrap_or_default().into(),
        channel: d.channel,
        status_label: status.map(|s| s.label_vi()).unwrap_or_default().into(),
        status: d.status,
        received_at: d.received_at.map(from_millis),
        due_at: d.due_at.map(from_millis),
        closed_at: d.closed_at.map(from_millis),
        timeliness: d.timeliness,
    }
}

/// What a query resolves to: the agency, the units it covers, the period.
pub(super) struct Resolved {
    pub agency: AgencyRow,
    pub units: Vec<AgencyRow>,
    pub period: Period,
    pub scope: ReportScope,
    pub by: Grouping,
}

fn date_param(field: &str, value: Option<&str>) -> Result<Date> {
    let value = value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Error::field(
                field,
                format!("Thiếu «{field}»: ngày theo dạng YYYY-MM-DD hoặc dd/mm/yyyy."),
            )
        })?;
    crate::dossiers::parse_date(value).ok_or_else(|| {
        Error::field(
            field,
            format!("«{value}» không phải là một ngày có thật (YYYY-MM-DD hoặc dd/mm/yyyy)."),
        )
    })
}

/// The unit directly below `agency` whose subtree holds `unit` (the agency itself
/// for its own dossiers).
fn child_of<'a>(
    agency: &'a AgencyRow,
    units: &'a [AgencyRow],
    unit: &'a AgencyRow,
) -> &'a AgencyRow {
    if unit.id == agency.id {
        return agency;
    }
    units
        .iter()
        .filter(|c| c.parent_id.as_deref() == Some(agency.id.as_str()))
        .find(|c| unit.path.starts_with(&c.path))
        .unwrap_or(unit)
}

fn unit_row(code: String, name: String, counts: Counts) -> Ii06aRow {
    Ii06aRow {
        sector_code: None,
        sector_name: None,
        agency_code: Some(code),
        agency_name: Some(name),
        counts,
    }
}

/// At most this many dossiers in one page of a drill-down list.
pub const MAX_PAGE: i64 = 500;

/// An agency a person may report on.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportAgency {
    pub code: String,
    pub name: String,
    /// Levels below the person's own agency (0 for it).
    pub depth: usize,
}

impl Reports<'_> {
    /// The person's agency and those below it whose dossiers they may read: the
    /// choices of the report page.
    pub async fn agencies(&self, actor: &Actor) -> Result<Vec<ReportAgency>> {
        actor.require(Action::ReadDossier, &actor.agency.path)?;
        let mut conn = self.db.read().await?;
        let base = actor.agency.path.matches('/').count();
        Ok(agencies::subtree(&mut conn, &actor.agency.path)
            .await?
            .into_iter()
            .filter(|a| actor.may(Action::ReadDossier, &a.path))
            .map(|a| ReportAgency {
                depth: a.path.matches('/').count().saturating_sub(base),
                code: a.code,
                name: a.name,
            })
            .collect())
    }

    pub(super) async fn resolve(&self, actor: &Actor, q: &Ii06aQuery) -> Result<Resolved> {
        let from = date_param("from", q.from.as_deref())?;
        let to = date_param("to", q.to.as_deref())?;
        let period = Period::new(from, to).map_err(|e| Error::field(&e.field, e.message))?;
        let scope = match q.scope.as_deref().map(str::trim) {
            None | Some("") | Some("self") => ReportScope::Own,
            Some("subtree") => ReportScope::Subtree,
            Some(other) => {
                return Err(Error::field(
                    "scope",
                    format!("«{other}» không phải là phạm vi báo cáo (self hoặc subtree)."),
                ))
            }
        };
        let by = match q.by.as_deref().map(str::trim) {
            None | Some("") | Some("sector") => Grouping::Sector,
            Some("unit") => Grouping::Unit,
            Some("child") => Grouping::Child,
            Some(other) => {
                return Err(Error::field(
                    "by",
                    format!("«{other}» không phải là cách chia dòng (sector, unit hoặc child)."),
                ))
            }
        };
        // Rolling up the units below needs them in the report.
        let scope = if by == Grouping::Child {
            ReportScope::Subtree
        } else {
            scope
        };
        let mut conn = self.db.read().await?;
        let agency = match q.agency.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => agencies::by_id(&mut conn, &actor.agency.id).await?,
            Some(code) => agencies::by_code(&mut conn, &code.to_ascii_uppercase()).await?,
        }
        .ok_or_else(|| Error::field("agency", "Không tìm thấy cơ quan này."))?;
        actor.require(Action::ReadDossier, &agency.path)?;
        let units = match scope {
            ReportScope::Own => vec![agency.clone()],
            // Only the units the person may read: a subtree report of an agency
            // one may read whole (a supervisor's) covers it all.
            ReportScope::Subtree => agencies::subtree(&mut conn, &agency.path)
                .await?
                .into_iter()
                .filter(|a| actor.may(Action::ReadDossier, &a.path))
                .collect(),
        };
        Ok(Resolved {
            agency,
            units,
            period,
            scope,
            by,
        })
    }

    /// The report for an agency (and, with `scope=subtree`, every unit below) over
    /// a period of whole days.
    pub async fn ii06a(&self, actor: &Actor, q: &Ii06aQuery) -> Result<Ii06a> {
        let r = self.resolve(actor, q).await?;
        self.ii06a_of(&r).await
    }

    /// The report of a query already resolved (the dashboard resolves once for
    /// the report and its own figures).
    /// II.06a's counts for some units, on a connection of their own.
    async fn count_ii06a(
        &self,
        agency_ids: &[String],
        start: i64,
        end: i64,
        by: GroupBy,
    ) -> Result<Vec<(String, Counts)>> {
        let scope = Scope {
            agency_ids,
            start,
            end,
        };
        let mut conn = self.db.read_replica().await?;
        Ok(store::ii06a(&mut conn, &scope, by).await?)
    }

    pub(super) async fn ii06a_of(&self, r: &Resolved) -> Result<Ii06a> {
        let ids: Vec<String> = r.units.iter().map(|a| a.id.clone()).collect();
        let (start, end) = (
            motcua_store::to_millis(r.period.start()),
            motcua_store::to_millis(r.period.end()),
        );
        let by = r.by.store();
        let mut sum: std::collections::BTreeMap<String, Counts> = Default::default();
        for part in on_halves(&ids, |units| self.count_ii06a(units, start, end, by)).await? {
            for (key, counts) in part {
                sum.entry(key).or_default().add(&counts);
            }
        }
        let groups: Vec<(String, Counts)> = sum.into_iter().collect();
        let mut conn = self.db.read_replica().await?;
        let mut total = Counts::default();
        let rows = match r.by {
            Grouping::Sector => {
                // The form's order of sectors; a sector no longer in the list keeps
                // its code as its name and comes last.
                let sectors = sectors::all(&mut conn).await?;
                let mut rows: Vec<(usize, Ii06aRow)> = groups
                    .into_iter()
                    .map(|(code, counts)| {
                        total.add(&counts);
                        let found = sectors.iter().position(|s| s.code == code);
                        let name = found
                            .map(|i| sectors[i].name.clone())
                            .unwrap_or_else(|| code.clone());
                        (
                            found.unwrap_or(usize::MAX),
                            Ii06aRow {
                                sector_code: Some(code),
                                sector_name: Some(name),
                                agency_code: None,
                                agency_name: None,
                                counts,
                            },
                        )
                    })
                    .collect();
                rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.key().cmp(b.1.key())));
                rows.into_iter().map(|(_, row)| row).collect()
            }
            Grouping::Unit => {
                // Every unit gets its row, a unit with no dossier too: a supervisor
                // wants to see the commune that filed nothing.
                r.units
                    .iter()
                    .map(|a| {
                        let counts = groups
                            .iter()
                            .find(|(id, _)| *id == a.id)
                            .map(|(_, c)| *c)
                            .unwrap_or_default();
                        total.add(&counts);
                        Ii06aRow {
                            sector_code: None,
                            sector_name: None,
                            agency_code: Some(a.code.clone()),
                            agency_name: Some(a.name.clone()),
                            counts,
                        }
                    })
                    .collect()
            }
            Grouping::Child => {
                // Each unit's dossiers go to the row of the unit directly below the
                // agency that holds it; the agency's own, to a row of its own.
                let mut rows: Vec<(String, String, Counts)> = Vec::new();
                for (id, counts) in &groups {
                    let Some(unit) = r.units.iter().find(|a| a.id == *id) else {
                        continue;
                    };
                    let head = child_of(&r.agency, &r.units, unit);
                    total.add(counts);
                    match rows.iter_mut().find(|(code, _, _)| *code == head.code) {
                        Some(row) => row.2.add(counts),
                        None => rows.push((head.code.clone(), head.name.clone(), *counts)),
                    }
                }
                let mut out: Vec<Ii06aRow> = Vec::new();
                let own = rows.iter().position(|(code, _, _)| *code == r.agency.code);
                if let Some(i) = own {
                    let (code, name, counts) = rows.remove(i);
                    out.push(unit_row(code, name, counts));
                }
                // Every unit directly below gets its row, one with no dossier too.
                for child in r
                    .units
                    .iter()
                    .filter(|a| a.parent_id.as_deref() == Some(r.agency.id.as_str()))
                {
                    let counts = rows
                        .iter()
                        .find(|(code, _, _)| *code == child.code)
                        .map(|row| row.2)
                        .unwrap_or_default();
                    out.push(unit_row(child.code.clone(), child.name.clone(), counts));
                }
                out
            }
        };
        Ok(Ii06a {
            agency_code: r.agency.code.clone(),
            agency_name: r.agency.name.clone(),
            from: r.period.from,
            to: r.period.to,
            scope: r.scope,
            by: r.by,
            rows,
            total,
        })
    }

    /// The dossiers one figure counts: of the whole report, or of one row (`row` is
    /// a sector code, or with `by=unit` an agency code). Their number equals the
    /// figure: the same conditions select them.
    pub async fn ii06a_dossiers(
        &self,
        actor: &Actor,
        q: &Ii06aQuery,
        figure: &str,
        row: Option<&str>,
        page: (i64, i64),
    ) -> Result<Vec<CountedDossier>> {
        let figure = Figure::parse(figure.trim()).ok_or_else(|| {
            Error::field(
                "figure",
                format!("«{figure}» không phải là một cột của mẫu II.06a."),
            )
        })?;
        let (limit, offset) = page;
        if !(1..=MAX_PAGE).contains(&limit) || offset < 0 {
            return Err(Error::field(
                "limit",
                format!("Mỗi trang từ 1 đến {MAX_PAGE} hồ sơ."),
            ));
        }
        let r = self.resolve(actor, q).await?;
        let ids: Vec<String> = r.units.iter().map(|a| a.id.clone()).collect();
        let row = row.map(str::trim).filter(|s| !s.is_empty());
        let mut ids = ids;
        let within = match (r.by, row) {
            (_, None) => None,
            (Grouping::Child, Some(code)) => {
                let head = r
                    .units
                    .iter()
                    .find(|a| a.code.eq_ignore_ascii_case(code))
                    .filter(|a| {
                        a.id == r.agency.id || a.parent_id.as_deref() == Some(r.agency.id.as_str())
                    })
                    .ok_or_else(|| Error::field("row", "Đơn vị này không thuộc báo cáo."))?;
                // The row of a unit below is its whole subtree; the agency's own row, itself.
                ids = r
                    .units
                    .iter()
                    .filter(|u| child_of(&r.agency, &r.units, u).id == head.id)
                    .map(|u| u.id.clone())
                    .collect();
                None
            }
            (Grouping::Sector, Some(code)) => Some((GroupBy::Sector, code.to_owned())),
            (Grouping::Unit, Some(code)) => {
                let unit = r
                    .units
                    .iter()
                    .find(|a| a.code.eq_ignore_ascii_case(code))
                    .ok_or_else(|| Error::field("row", "Đơn vị này không thuộc báo cáo."))?;
                Some((GroupBy::Agency, unit.id.clone()))
            }
        };
        let scope = Scope {
            agency_ids: &ids,
            start: motcua_store::to_millis(r.period.start()),
            end: motcua_store::to_millis(r.period.end()),
        };
        let mut conn = self.db.read_replica().await?;
        let rows = store::ii06a_dossiers(
            &mut conn,
            &scope,
            figure,
            within.as_ref().map(|(g, v)| (*g, v.as_str())),
            limit,
            offset,
        )
        .await?;
        Ok(rows.into_iter().map(|d| counted(&r.units, d)).collect())
    }
}

impl Reports<'_> {
    /// The report as the official workbook: its file name and bytes.
    pub async fn ii06a_workbook(&self, actor: &Actor, q: &Ii06aQuery) -> Result<(String, Vec<u8>)> {
        let report = self.ii06a(actor, q).await?;
        let period = report.period();
        let sheet = motcua_docs::reports::Ii06aSheet {
            unit: &report.agency_name,
            period: &period.label_vi(),
            row_heading: report.by.row_heading_vi(),
            rows: report.rows.iter().map(|r| (r.name(), r.counts)).collect(),
            total: report.total,
        };
        let bytes = motcua_docs::reports::ii06a_xlsx(&sheet)
            .map_err(|e| Error::internal("writing the II.06a workbook", e))?;
        let name = format!(
            "II.06a_{}_{}_{}.xlsx",
            report.agency_code, report.from, report.to
        );
        Ok((name, bytes))
    }
}

impl Reports<'_> {
    /// The report as the official paper (A4 landscape PDF): its file name and bytes.
    pub async fn ii06a_pdf(&self, actor: &Actor, q: &Ii06aQuery) -> Result<(String, Vec<u8>)> {
        let report = self.ii06a(actor, q).await?;
        let mut conn = self.db.read().await?;
        let agency = agencies::by_code(&mut conn, &report.agency_code)
            .await?
            .ok_or_else(|| Error::NotFound("Không tìm thấy cơ quan này.".into()))?;
        let parent = match &agency.parent_id {
            Some(id) => agencies::by_id(&mut conn, id).await?.map(|a| a.name),
            None => None,
        };
        drop(conn);
        let place = crate::dossiers::place_of(&agency);
        let today = self
            .now()
            .to_zoned(motcua_domain::calendar::vietnam_time_zone())
            .date();
        let period = report.period().label_vi();
        let rows: Vec<(String, Counts)> = report
            .rows
            .iter()
            .map(|r| (r.name().to_owned(), r.counts))
            .collect();
        let (unit, total, heading) = (
            report.agency_name.clone(),
            report.total,
            report.by.row_heading_vi(),
        );
        let bytes = self
            .render_off_thread(Box::new(move |engine| {
                motcua_docs::reports::ii06a_pdf(
                    engine,
                    &motcua_docs::reports::Ii06aPaper {
                        parent: parent.as_deref(),
                        unit: &unit,
                        place: &place,
                        today,
                        period: &period,
                        row_heading: heading,
                        rows: rows.iter().map(|(n, c)| (n.as_str(), *c)).collect(),
                        total,
                    },
                )
            }))
            .await?;
        let name = format!(
            "II.06a_{}_{}_{}.pdf",
            report.agency_code, report.from, report.to
        );
        Ok((name, bytes))
    }
}
