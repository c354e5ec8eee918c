-- The QĐ 766 service index: the points and thresholds in force, editable by a
-- top-level administrator (motcua_domain::report::index766 defines what each key
-- counts). Points in hundredths, thresholds in percent; `source` says where the
-- value comes from and `confirmed` whether it was seen in a source ([C]) or is a
-- placeholder until a text confirms it ([U]). Seeded with the reference values;
-- keep this file and its twin in ../sqlite or ../postgres identical.
CREATE TABLE service_index_weights (
    key TEXT PRIMARY KEY,
    points BIGINT NOT NULL CHECK (points BETWEEN 0 AND 10000),
    threshold BIGINT NOT NULL CHECK (threshold BETWEEN 1 AND 100),
    source TEXT NOT NULL,
    confirmed BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);

INSERT INTO service_index_weights (key, points, threshold, source, confirmed, updated_at, updated_by) VALUES
    ('group.publicity', 1800, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('group.progress', 2000, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('group.online_service', 1200, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('group.online_payment', 1000, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('group.digitisation', 2200, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('group.satisfaction', 1800, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('publicity.published', 600, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('publicity.updated', 400, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('publicity.everywhere', 200, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('publicity.synced', 600, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('progress.on_time', 2000, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('online.eligible', 400, 100, 'Chưa xác nhận: giá trị tạm, sửa được khi có văn bản', 0, 0, 'reference'),
    ('online.procedures', 400, 80, 'Chưa xác nhận: giá trị tạm, sửa được khi có văn bản', 0, 0, 'reference'),
    ('online.share', 400, 50, 'Chưa xác nhận: giá trị tạm, sửa được khi có văn bản', 0, 0, 'reference'),
    ('payment.dossiers', 600, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('payment.procedures', 200, 80, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('payment.used', 250, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('digitisation.results', 600, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('digitisation.documents', 400, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('digitisation.certified_copies', 200, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('digitisation.reuse', 200, 80, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('digitisation.sharing', 400, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('digitisation.population_dossiers', 200, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('digitisation.population_procedures', 200, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('satisfaction.feedback_on_time', 600, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('satisfaction.feedback_answers', 600, 100, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference'),
    ('satisfaction.procedures', 600, 90, 'QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)', 1, 0, 'reference');
