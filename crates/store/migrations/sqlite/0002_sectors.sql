-- Sectors (lĩnh vực) that a commune handles. Data, editable later by an
-- administrator; seeded here so that specialists can be given sectors at once.
INSERT INTO sectors (code, name, position) VALUES
    ('ho-tich', 'Hộ tịch', 10),
    ('chung-thuc', 'Chứng thực', 20),
    ('dat-dai', 'Đất đai', 30),
    ('xay-dung', 'Xây dựng', 40),
    ('moi-truong', 'Môi trường', 50),
    ('kinh-doanh', 'Thành lập và hoạt động của hộ kinh doanh', 60),
    ('bao-tro-xa-hoi', 'Bảo trợ xã hội', 70),
    ('nguoi-co-cong', 'Người có công', 80),
    ('lao-dong', 'Lao động, việc làm', 90),
    ('van-hoa', 'Văn hóa, thể thao', 100),
    ('giao-duc', 'Giáo dục và đào tạo', 110),
    ('y-te', 'Y tế', 120),
    ('nong-nghiep', 'Nông nghiệp, thủy lợi', 130),
    ('noi-vu', 'Nội vụ, tôn giáo, thi đua – khen thưởng', 140),
    ('tiep-cong-dan', 'Tiếp công dân, khiếu nại, tố cáo', 150);
