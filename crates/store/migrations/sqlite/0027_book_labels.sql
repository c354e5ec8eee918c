-- Keep in step with ../postgres/0027_book_labels.sql.
-- Books are kept under the label the registers give their own ("01/2026",
-- `civil::book_label_in`): an old Excel register's "Quyển số" of "01" or "1"
-- named a book of its own beside the year's "01/2026", and the next approval
-- numbered from 1 again in what is one physical book. Existing bare-number
-- labels take that form, unless the year already has a book under it (those
-- stay as they are and are listed apart).
UPDATE civil_books
SET label = printf('%02d/%d', CAST(label AS INTEGER), year)
WHERE label <> '' AND length(label) <= 4 AND label NOT GLOB '*[^0-9]*'
  AND CAST(label AS INTEGER) > 0
  AND NOT EXISTS (
      SELECT 1 FROM civil_books o
      WHERE o.agency_id = civil_books.agency_id AND o.kind = civil_books.kind
        AND o.year = civil_books.year
        AND o.label = printf('%02d/%d', CAST(civil_books.label AS INTEGER), civil_books.year)
  );
