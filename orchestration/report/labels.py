"""Vietnamese names for the codes the marts hold; an unknown code is shown as it is."""

from __future__ import annotations

UNIT_KINDS = {
    "thanh_uy": "Thành ủy",
    "quan": "Quận",
    "huyen": "Huyện",
    "thi_xa": "Thị xã",
    "dang_uy_truc_thuoc": "Đảng ủy trực thuộc",
    "phuong": "Phường",
    "xa": "Xã",
}
PROGRAM_KINDS = {
    "nguon_quy_hoach": "Bồi dưỡng nguồn quy hoạch",
    "ly_luan_chinh_tri": "Lý luận chính trị",
    "chuyen_mon_nghiep_vu": "Chuyên môn, nghiệp vụ",
    "tin_hoc": "Tin học",
    "ngoai_ngu": "Ngoại ngữ",
    "cap_nhat_kien_thuc": "Cập nhật kiến thức",
}
POPULATIONS = {
    "btv_thanh_uy": "Cán bộ diện Ban Thường vụ Thành ủy quản lý",
    "chu_chot_cap_xa": "Cán bộ chủ chốt cấp xã",
    "chu_chot_phuong_thi_tran": "Cán bộ chủ chốt phường, thị trấn",
    "chu_chot_xa": "Cán bộ chủ chốt xã",
    "quy_hoach": "Người trong nguồn quy hoạch",
}
METRICS = {
    "share_postgrad": "tỷ lệ có trình độ sau đại học",
    "share_university_plus": "tỷ lệ có trình độ đại học trở lên",
    "share_political_advanced": "tỷ lệ có trình độ cao cấp lý luận chính trị",
    "share_political_intermediate_plus": "tỷ lệ có trình độ trung cấp lý luận chính trị trở lên",
    "share_women": "tỷ lệ nữ",
    "share_under_40": "tỷ lệ dưới 40 tuổi",
}
COMMITTEE_LEVELS = {
    "co_so": "Cấp ủy cơ sở",
    "cap_xa": "Ban Chấp hành đảng bộ cấp xã",
    "cap_huyen": "Ban Chấp hành đảng bộ cấp huyện",
    "thanh_pho": "Ban Chấp hành Đảng bộ Thành phố",
}
FILES = {
    "units": "Đơn vị",
    "unit_successions": "Kế thừa đơn vị",
    "terms": "Nhiệm kỳ",
    "titles": "Chức danh",
    "programs": "Chương trình",
    "targets": "Chỉ tiêu",
    "cadres": "Cán bộ",
    "classes": "Lớp học",
    "enrolments": "Học viên",
    "qualifications": "Trình độ",
    "committee_members": "Cấp ủy viên",
    "planning": "Quy hoạch",
    "positions": "Số lượng chức danh",
    "evaluations": "Đánh giá",
}
STATUSES = {
    "accepted": "Đã tiếp nhận",
    "rejected_whole": "Từ chối cả tệp",
    "held_back": "Giữ lại bản cũ",
}
COMPARATORS = {">=": "≥", ">": ">"}
REFERENCE_UNIT = "reference"
REFERENCE_NAME = "Danh mục dùng chung (Ban Tổ chức Thành ủy)"


def label(mapping: dict[str, str], code: str | None) -> str:
    if code is None:
        return "–"
    return mapping.get(code, code)
