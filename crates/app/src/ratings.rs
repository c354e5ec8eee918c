//! The citizen's rating of a dossier's handling, reached as `app.ratings()`.
//! Whoever may see a dossier's details on the tracking page (its code and the
//! last four digits of the applicant's phone or ID) may rate it once, after its
//! answer. A rating changes no dossier state, so it is a record of its own, not
//! an event of the dossier's chain.

use motcua_domain::rating::{can_rate, GivenRating, RatingInput};
use motcua_store::ratings as store;

use crate::error::{Error, Result};
use crate::App;

#[derive(Clone)]
pub struct Ratings<'a> {
    app: &'a App,
}

impl App {
    pub fn ratings(&self) -> Ratings<'_> {
        Ratings { app: self }
    }
}

impl std::ops::Deref for Ratings<'_> {
    type Target = App;

    fn deref(&self) -> &App {
        self.app
    }
}

impl Ratings<'_> {
    /// Records the rating of the dossier named by `code` (as on the tracking
    /// page); `who` is the caller's address, counted like a look-up.
    pub async fn rate(
        &self,
        code: &str,
        last_digits: Option<&str>,
        agency: Option<&str>,
        who: &str,
        input: RatingInput,
    ) -> Result<GivenRating> {
        let rating = input.validate().map_err(Error::Invalid)?;
        if last_digits.is_none_or(|d| d.trim().is_empty()) {
            return Err(Error::field(
                "digits",
                "Nhập 4 số cuối số điện thoại hoặc số định danh của người nộp hồ sơ để đánh giá.",
            ));
        }
        let (d, _) = self
            .dossiers()
            .locate(code, last_digits, agency, who)
            .await?;
        if !can_rate(d.status) {
            return Err(Error::Conflict(format!(
                "Hồ sơ đang ở trạng thái «{}»: chỉ đánh giá được sau khi có kết quả giải quyết.",
                d.status.label_vi()
            )));
        }
        let now = self.now();
        let mut tx = self.db.begin_write().await?;
        let recorded = store::insert(
            &mut tx,
            &store::NewRating {
                dossier_id: &d.id,
                agency_id: &d.agency_id,
                rated_at: motcua_store::to_millis(now),
                verdict: rating.verdict.score().into(),
                attitude: rating.attitude.score().into(),
                return_visits: rating.return_visits.into(),
                comment: rating.comment.as_deref(),
            },
        )
        .await?;
        tx.commit().await?;
        self.dossiers_changed(&d.agency_id);
        if !recorded {
            return Err(Error::Conflict(
                "Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần.".into(),
            ));
        }
        Ok(GivenRating {
            rating,
            rated_at: now,
        })
    }
}
