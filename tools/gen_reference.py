"""The reference catalogue: units and their successions, terms, titles, programs, targets."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# The shipped data describe this day (NHANLUC_AS_OF_DATE in the tests): later awards do not
# exist yet, later classes are not rated.
AS_OF = np.datetime64("2026-11-30")
# Hà Nội's district level ended on 30 June 2025; the commune-level units began the next day.
DISTRICTS_END = "2025-06-30"
COMMUNES_BEGIN = "2025-07-01"
REFERENCE_DATA = Path(__file__).resolve().parent / "reference_data"


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    # Communes (phường, thị trấn, xã) of a district; the affiliated committees and the
    # City Party Committee have none.
    phuong: int = 0
    thi_tran: int = 0
    xa: int = 0
    valid_from: str = ""
    valid_to: str = ""

    @property
    def communes(self) -> int:
        return self.phuong + self.thi_tran + self.xa

    @property
    def is_district(self) -> bool:
        return self.kind in ("quan", "huyen", "thi_xa")

    @property
    def is_commune(self) -> bool:
        return self.kind in ("phuong", "xa")


CITY = "01"

# The units of the records before the reorganisation, whose rosters the generator builds:
# GSO codes and names (CONTRACT.md §2); commune counts are those of 2020, rounded where
# later mergers changed them. Districts end on DISTRICTS_END.
_UNITS_BEFORE: tuple[Unit, ...] = (
    Unit(CITY, "Thành ủy Hà Nội", "thanh_uy"),
    Unit("001", "Quận Ba Đình", "quan", phuong=14),
    Unit("002", "Quận Hoàn Kiếm", "quan", phuong=18),
    Unit("003", "Quận Tây Hồ", "quan", phuong=8),
    Unit("004", "Quận Long Biên", "quan", phuong=14),
    Unit("005", "Quận Cầu Giấy", "quan", phuong=8),
    Unit("006", "Quận Đống Đa", "quan", phuong=21),
    Unit("007", "Quận Hai Bà Trưng", "quan", phuong=18),
    Unit("008", "Quận Hoàng Mai", "quan", phuong=14),
    Unit("009", "Quận Thanh Xuân", "quan", phuong=11),
    Unit("016", "Huyện Sóc Sơn", "huyen", thi_tran=1, xa=25),
    Unit("017", "Huyện Đông Anh", "huyen", thi_tran=1, xa=23),
    Unit("018", "Huyện Gia Lâm", "huyen", thi_tran=2, xa=20),
    Unit("019", "Quận Nam Từ Liêm", "quan", phuong=10),
    Unit("020", "Huyện Thanh Trì", "huyen", thi_tran=1, xa=15),
    Unit("021", "Quận Bắc Từ Liêm", "quan", phuong=13),
    Unit("250", "Huyện Mê Linh", "huyen", thi_tran=2, xa=16),
    Unit("268", "Quận Hà Đông", "quan", phuong=17),
    Unit("269", "Thị xã Sơn Tây", "thi_xa", phuong=9, xa=6),
    Unit("271", "Huyện Ba Vì", "huyen", thi_tran=1, xa=30),
    Unit("272", "Huyện Phúc Thọ", "huyen", thi_tran=1, xa=22),
    Unit("273", "Huyện Đan Phượng", "huyen", thi_tran=1, xa=15),
    Unit("274", "Huyện Hoài Đức", "huyen", thi_tran=1, xa=19),
    Unit("275", "Huyện Quốc Oai", "huyen", thi_tran=1, xa=20),
    Unit("276", "Huyện Thạch Thất", "huyen", thi_tran=1, xa=22),
    Unit("277", "Huyện Chương Mỹ", "huyen", thi_tran=2, xa=30),
    Unit("278", "Huyện Thanh Oai", "huyen", thi_tran=1, xa=20),
    Unit("279", "Huyện Thường Tín", "huyen", thi_tran=1, xa=28),
    Unit("280", "Huyện Phú Xuyên", "huyen", thi_tran=2, xa=25),
    Unit("281", "Huyện Ứng Hòa", "huyen", thi_tran=1, xa=28),
    Unit("282", "Huyện Mỹ Đức", "huyen", thi_tran=1, xa=21),
    Unit("DUKCQ", "Đảng ủy Khối các cơ quan Thành phố", "dang_uy_truc_thuoc"),
    Unit("DUKDN", "Đảng ủy Khối Doanh nghiệp Thành phố", "dang_uy_truc_thuoc"),
    Unit("DUCA", "Đảng ủy Công an Thành phố", "dang_uy_truc_thuoc"),
    Unit("DUBTL", "Đảng ủy Bộ Tư lệnh Thủ đô", "dang_uy_truc_thuoc"),
    Unit("DUKDH", "Đảng ủy Khối các trường Đại học, Cao đẳng Hà Nội", "dang_uy_truc_thuoc"),
)
UNITS: tuple[Unit, ...] = tuple(
    Unit(**{**unit.__dict__, "valid_to": DISTRICTS_END}) if unit.is_district else unit
    for unit in _UNITS_BEFORE
)
UNIT_INDEX = {unit.code: position for position, unit in enumerate(UNITS)}


def _read(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


_COMMUNE_ROWS = _read("hanoi_communes_2025.csv")
# The 126 commune-level units formed on COMMUNES_BEGIN, in the official list's order.
COMMUNES: tuple[Unit, ...] = tuple(
    Unit(row["unit_code"], row["unit_name"], row["unit_kind"], valid_from=COMMUNES_BEGIN)
    for row in _COMMUNE_ROWS
)
# Every unit a submission folder exists for: the earlier units keep their positions.
ALL_UNITS: tuple[Unit, ...] = UNITS + COMMUNES
ALL_UNIT_INDEX = {unit.code: position for position, unit in enumerate(ALL_UNITS)}
# (district, commune) for every district any part of which the commune took.
SUCCESSIONS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        (district, row["unit_code"])
        for row in _COMMUNE_ROWS
        for district in row["predecessor_district_codes"].split("|")
    )
)


def _successor_weights() -> dict[str, tuple[tuple[str, float], ...]]:
    """Per district, its successors weighted by the old communes they took (part = half).

    Successions describe territory, not staff; the weights only make staff follow land.
    """
    weights: dict[tuple[str, str], float] = {}
    for row in _read("hanoi_commune_conversion_2025.csv"):
        pair = (row["old_district_code"], row["new_code"])
        weights[pair] = weights.get(pair, 0.0) + (1.0 if row["transfer"] == "whole" else 0.5)
    by_district: dict[str, list[tuple[str, float]]] = {}
    for district, commune in SUCCESSIONS:
        by_district.setdefault(district, []).append((commune, weights[(district, commune)]))
    return {district: tuple(pairs) for district, pairs in by_district.items()}


SUCCESSOR_WEIGHTS = _successor_weights()

# (term_code, term_kind, start_date, end_date)
# Council terms run 1 July to 30 June, as 2021-2026 does (docs/dataset.md).
TERMS = (
    ("2015-2020", "dai_hoi", "2015-10-01", "2020-09-30"),
    ("2020-2025", "dai_hoi", "2020-10-01", "2025-09-30"),
    ("2021-2026", "hdnd", "2021-07-01", "2026-06-30"),
    ("2025-2030", "dai_hoi", "2025-10-01", "2030-09-30"),
    ("2026-2031", "hdnd", "2026-07-01", "2031-06-30"),
)
TERM_START = {code: np.datetime64(start) for code, _, start, _ in TERMS}
TERM_END = {code: np.datetime64(end) for code, _, _, end in TERMS}

# (title_code, title_name, title_level)
TITLES = (
    ("BCH_TP", "Ủy viên Ban Chấp hành Đảng bộ Thành phố", "thanh_pho"),
    ("BTV_TU", "Ủy viên Ban Thường vụ Thành ủy", "thanh_pho"),
    ("GD_SO", "Giám đốc sở, ban, ngành Thành phố và tương đương", "thanh_pho"),
    ("BI_THU_CAP_HUYEN", "Bí thư quận ủy, huyện ủy, thị ủy và tương đương", "cap_huyen"),
    ("CT_UBND_CAP_HUYEN", "Chủ tịch Ủy ban nhân dân quận, huyện, thị xã", "cap_huyen"),
    (
        "BCH_CAP_HUYEN",
        "Ủy viên Ban Chấp hành Đảng bộ quận, huyện, thị xã và tương đương",
        "cap_huyen",
    ),
    (
        "BTV_CAP_HUYEN",
        "Ủy viên Ban Thường vụ quận ủy, huyện ủy, thị ủy và tương đương",
        "cap_huyen",
    ),
    ("TRUONG_PHONG_CAP_HUYEN", "Trưởng phòng, ban và tương đương cấp huyện", "cap_huyen"),
    ("BI_THU_CAP_XA", "Bí thư đảng ủy xã, phường, thị trấn", "cap_xa"),
    ("PHO_BI_THU_CAP_XA", "Phó Bí thư đảng ủy xã, phường, thị trấn", "cap_xa"),
    ("CT_HDND_CAP_XA", "Chủ tịch Hội đồng nhân dân xã, phường, thị trấn", "cap_xa"),
    ("CT_UBND_CAP_XA", "Chủ tịch Ủy ban nhân dân xã, phường, thị trấn", "cap_xa"),
    # The commune-level party committees formed in 2025 plan their own executive and
    # standing committees, as the districts did.
    ("BCH_CAP_XA", "Ủy viên Ban Chấp hành Đảng bộ xã, phường", "cap_xa"),
    ("BTV_CAP_XA", "Ủy viên Ban Thường vụ Đảng ủy xã, phường", "cap_xa"),
)

# (program_code, program_name, program_kind, target_group or "")
PROGRAMS = (
    (
        "NQH_BCH_TP",
        "Bồi dưỡng cán bộ nguồn quy hoạch Ban Chấp hành Đảng bộ Thành phố",
        "nguon_quy_hoach",
        "bch_thanh_pho",
    ),
    (
        "NQH_BCH_CUNG_CAP",
        "Bồi dưỡng cán bộ nguồn quy hoạch Ban Chấp hành Đảng bộ cùng cấp",
        "nguon_quy_hoach",
        "bch_cung_cap",
    ),
    (
        "NQH_LANH_DAO_PHONG_BAN",
        "Bồi dưỡng cán bộ nguồn quy hoạch trưởng, phó phòng, ban và tương đương",
        "nguon_quy_hoach",
        "lanh_dao_phong_ban",
    ),
    (
        "NQH_BI_THU_CO_SO",
        "Bồi dưỡng cán bộ nguồn quy hoạch bí thư, phó bí thư đảng ủy cơ sở",
        "nguon_quy_hoach",
        "bi_thu_co_so",
    ),
    (
        "NQH_CT_HDND_UBND_CO_SO",
        "Bồi dưỡng cán bộ nguồn quy hoạch chủ tịch, phó chủ tịch HĐND, UBND xã, phường, thị trấn",
        "nguon_quy_hoach",
        "chu_tich_hdnd_ubnd_co_so",
    ),
    (
        "NQH_BI_THU_CAP_HUYEN",
        "Bồi dưỡng cán bộ nguồn quy hoạch bí thư quận ủy, huyện ủy, thị ủy",
        "nguon_quy_hoach",
        "bi_thu_cap_huyen",
    ),
    (
        "NQH_GD_SO_CT_CAP_HUYEN",
        "Bồi dưỡng cán bộ nguồn quy hoạch giám đốc sở, chủ tịch UBND quận, huyện, thị xã",
        "nguon_quy_hoach",
        "giam_doc_so_chu_tich_cap_huyen",
    ),
    ("LLCT_SO_CAP", "Sơ cấp lý luận chính trị", "ly_luan_chinh_tri", ""),
    ("LLCT_TRUNG_CAP", "Trung cấp lý luận chính trị - hành chính", "ly_luan_chinh_tri", ""),
    ("LLCT_CAO_CAP", "Cao cấp lý luận chính trị", "ly_luan_chinh_tri", ""),
    (
        "LLCT_DANG_VIEN_MOI",
        "Bồi dưỡng lý luận chính trị dành cho đảng viên mới",
        "ly_luan_chinh_tri",
        "",
    ),
    ("CMNV_CONG_TAC_DANG", "Bồi dưỡng nghiệp vụ công tác Đảng", "chuyen_mon_nghiep_vu", ""),
    (
        "CMNV_KIEM_TRA_GIAM_SAT",
        "Bồi dưỡng nghiệp vụ công tác kiểm tra, giám sát",
        "chuyen_mon_nghiep_vu",
        "",
    ),
    ("CMNV_DAN_VAN", "Bồi dưỡng nghiệp vụ công tác dân vận", "chuyen_mon_nghiep_vu", ""),
    (
        "CMNV_QUAN_LY_NHA_NUOC",
        "Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên",
        "chuyen_mon_nghiep_vu",
        "",
    ),
    ("TIN_HOC_UNG_DUNG", "Tin học ứng dụng cơ bản", "tin_hoc", ""),
    ("TIN_HOC_CHUYEN_DOI_SO", "Kỹ năng chuyển đổi số cho cán bộ", "tin_hoc", ""),
    ("NGOAI_NGU_TIENG_ANH", "Tiếng Anh giao tiếp cho cán bộ", "ngoai_ngu", ""),
    (
        "CNKT_BTV_QUAN_LY",
        "Cập nhật kiến thức cho cán bộ diện Ban Thường vụ quản lý",
        "cap_nhat_kien_thuc",
        "",
    ),
    ("CNKT_CAP_UY_CO_SO", "Bồi dưỡng cấp ủy viên cơ sở", "cap_nhat_kien_thuc", ""),
    (
        "CNKT_NGHI_QUYET",
        "Học tập, quán triệt nghị quyết của Đảng",
        "cap_nhat_kien_thuc",
        "",
    ),
)
PROGRAM_INDEX = {program[0]: position for position, program in enumerate(PROGRAMS)}
NGUON_PROGRAM = {program[3]: program[0] for program in PROGRAMS if program[3]}

TARGET_SOURCE = "Nghị quyết Đại hội XVI Đảng bộ Thành phố; Đề án 04-ĐA/TU, 20/9/2017"
PLANNING_SOURCE = "Quy định 50-QĐ/TW ngày 27/12/2021 của Bộ Chính trị"
# (target_code, term_code, population, metric, comparator, threshold, description)
TARGETS = (
    (
        "T1520_BTV_SAU_DAI_HOC",
        "2015-2020",
        "btv_thanh_uy",
        "share_postgrad",
        ">=",
        "0.35",
        "Ít nhất 35% cán bộ diện Ban Thường vụ Thành ủy quản lý có trình độ sau đại học",
    ),
    (
        "T1520_BTV_CAO_CAP_LLCT",
        "2015-2020",
        "btv_thanh_uy",
        "share_political_advanced",
        ">=",
        "1",
        "100% cán bộ diện Ban Thường vụ Thành ủy quản lý có trình độ cao cấp lý luận chính trị",
    ),
    (
        "T1520_CHU_CHOT_CAP_XA_TRUNG_CAP_LLCT",
        "2015-2020",
        "chu_chot_cap_xa",
        "share_political_intermediate_plus",
        ">=",
        "1",
        "100% cán bộ chủ chốt cấp xã có trình độ trung cấp lý luận chính trị trở lên",
    ),
    (
        "T1520_CHU_CHOT_PHUONG_DAI_HOC",
        "2015-2020",
        "chu_chot_phuong_thi_tran",
        "share_university_plus",
        ">=",
        "1",
        "100% cán bộ chủ chốt phường, thị trấn có trình độ đại học trở lên",
    ),
    (
        "T1520_CHU_CHOT_XA_DAI_HOC",
        "2015-2020",
        "chu_chot_xa",
        "share_university_plus",
        ">",
        "0.8",
        "Trên 80% cán bộ chủ chốt xã có trình độ đại học trở lên",
    ),
)
# F13: the 2025-2030 planning pool under Quy định 50-QĐ/TW.
PLANNING_TARGETS = (
    (
        "T2530_QUY_HOACH_NU",
        "2025-2030",
        "quy_hoach",
        "share_women",
        ">=",
        "0.25",
        "Tỷ lệ cán bộ nữ trong quy hoạch nhiệm kỳ 2025-2030 bảo đảm từ 25% trở lên",
    ),
    (
        "T2530_QUY_HOACH_DUOI_40",
        "2025-2030",
        "quy_hoach",
        "share_under_40",
        ">=",
        "0.15",
        "Tỷ lệ cán bộ dưới 40 tuổi trong quy hoạch nhiệm kỳ 2025-2030 bảo đảm từ 15% trở lên",
    ),
)


def _columns(names: tuple[str, ...], rows) -> dict[str, list[str]]:
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


def reference_rows() -> dict[str, dict[str, list[str]]]:
    """Each reference file as {column: values}, values already as CSV text ('' = null)."""
    target_columns = (
        "target_code",
        "term_code",
        "population",
        "metric",
        "comparator",
        "threshold",
        "description",
    )
    targets = TARGETS + PLANNING_TARGETS
    return {
        "units": {
            "unit_code": [unit.code for unit in ALL_UNITS],
            "unit_name": [unit.name for unit in ALL_UNITS],
            "unit_kind": [unit.kind for unit in ALL_UNITS],
            "parent_code": ["" if unit.code == CITY else CITY for unit in ALL_UNITS],
            "valid_from": [unit.valid_from for unit in ALL_UNITS],
            "valid_to": [unit.valid_to for unit in ALL_UNITS],
        },
        "terms": _columns(("term_code", "term_kind", "start_date", "end_date"), TERMS),
        "titles": _columns(("title_code", "title_name", "title_level"), TITLES),
        "programs": _columns(
            ("program_code", "program_name", "program_kind", "target_group"), PROGRAMS
        ),
        "targets": {
            **_columns(target_columns, targets),
            "source_document": [TARGET_SOURCE] * len(TARGETS)
            + [PLANNING_SOURCE] * len(PLANNING_TARGETS),
            "reference_date": ["" for _ in targets],
            "title_level": ["" for _ in targets],
        },
        "unit_successions": {
            "predecessor_code": [district for district, _ in SUCCESSIONS],
            "successor_code": [commune for _, commune in SUCCESSIONS],
            "effective_date": [COMMUNES_BEGIN for _ in SUCCESSIONS],
        },
    }
