-- Keep in step with ../sqlite/0027_book_labels.sql.
-- Books are kept under the label the registers give their own ("01/2026",
-- `civil::book_label_in`): an old Excel register's "Quyển số" of "01" or "1"
-- named a book of its own beside the year's "01/2026", and the next approval
-- numbered from 1 again in what is one physical book. Existing bare-number
-- labels take that form, unless the year already has a book under it (those
-- stay as they are and are listed apart).
-- (No cast: PostgreSQL may evaluate a condition before the one that guards it.)
UPDATE civil_books
SET label = lpad(ltrim(label, '0'), 2, '0') || '/' || year::text
WHERE label ~ '^[0-9]{1,4}$' AND ltrim(label, '0') <> ''
  AND NOT EXISTS (
      SELECT 1 FROM civil_books o
      WHERE o.agency_id = civil_books.agency_id AND o.kind = civil_books.kind
        AND o.year = civil_books.year
        AND o.label = lpad(ltrim(civil_books.label, '0'), 2, '0') || '/' || civil_books.year::text
  );
