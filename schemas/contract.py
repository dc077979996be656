"""The seed files of CONTRACT.md §2, declared once: columns, kinds, enums, keys, references.

Everything that needs to know a seed file's shape reads it from here: the ingest SQL
(schemas.sql), the dbt source YAML (tools/write_dbt_sources.py), the Dagster table
schemas and the dataset generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal[
    "text", "code", "level", "enum", "date", "integer", "boolean", "national_id", "fraction"
]

# Column kind -> DuckDB type of the cleaned value.
DUCKDB_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    # A qualification level: an enumeration (lower-cased) for ranked kinds, else a free code.
    "level": "VARCHAR",
    "enum": "VARCHAR",
    "date": "DATE",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
    "national_id": "VARCHAR",
    "fraction": "DOUBLE",
}

UNIT_KINDS = ("thanh_uy", "quan", "huyen", "thi_xa", "dang_uy_truc_thuoc", "phuong", "xa")
# Kinds whose cadres may be managed by a district standing committee (tier_not_in_unit).
DISTRICT_LEVEL_KINDS = ("quan", "huyen", "thi_xa", "dang_uy_truc_thuoc")
TERM_KINDS = ("dai_hoi", "hdnd")
TITLE_LEVELS = ("thanh_pho", "cap_huyen", "cap_xa")
PROGRAM_KINDS = (
    "nguon_quy_hoach",
    "ly_luan_chinh_tri",
    "chuyen_mon_nghiep_vu",
    "tin_hoc",
    "ngoai_ngu",
    "cap_nhat_kien_thuc",
)
TARGET_GROUPS = (
    "bch_thanh_pho",
    "bch_cung_cap",
    "lanh_dao_phong_ban",
    "bi_thu_co_so",
    "chu_tich_hdnd_ubnd_co_so",
    "bi_thu_cap_huyen",
    "giam_doc_so_chu_tich_cap_huyen",
)
POPULATIONS = (
    "btv_thanh_uy",
    "chu_chot_cap_xa",
    "chu_chot_phuong_thi_tran",
    "chu_chot_xa",
    "quy_hoach",
)
METRICS = (
    "share_postgrad",
    "share_university_plus",
    "share_political_advanced",
    "share_political_intermediate_plus",
    "share_women",
    "share_under_40",
)
COMPARATORS = (">=", ">")
GENDERS = ("nam", "nu")
MANAGEMENT_TIERS = ("btv_thanh_uy", "btv_cap_huyen", "chu_chot_cap_xa", "khac")
WORKPLACE_KINDS = ("phuong", "thi_tran", "xa", "co_quan")
RESULTS = ("xuat_sac", "gioi", "kha", "trung_binh", "khong_dat", "chua_xep_loai")
QUALIFICATION_KINDS = ("chuyen_mon", "ly_luan_chinh_tri", "ngoai_ngu", "tin_hoc")
COMMITTEE_LEVELS = ("co_so", "cap_xa", "cap_huyen", "thanh_pho")
COMMITTEE_ROLES = ("bi_thu", "pho_bi_thu", "uy_vien_ban_thuong_vu", "uy_vien")
PLANNING_STATUSES = ("approved", "withdrawn")
# Tiers of the key cadres a unit hands over (mart_unit_transitions.key_cadres_count).
KEY_CADRE_TIERS = ("btv_thanh_uy", "btv_cap_huyen", "chu_chot_cap_xa")
# At most this many people planned per seat (Quy định 377-QĐ/TW, 2025): over_planning_limit.
PLANNED_PER_SEAT_LIMIT = 3
RATINGS = ("htxs", "htt", "ht", "kht")

# Ranked levels per qualification kind (CONTRACT.md §4, "Level ranks"). Kinds not listed
# here (ngoai_ngu, tin_hoc) take a free level code.
LEVEL_RANKS: dict[str, dict[str, int]] = {
    "chuyen_mon": {"trung_cap": 1, "cao_dang": 2, "dai_hoc": 3, "thac_si": 4, "tien_si": 5},
    "ly_luan_chinh_tri": {"so_cap": 1, "trung_cap": 2, "cao_cap": 3, "cu_nhan": 4},
}

# Plausible range for any date in a submission.
DATE_MIN, DATE_MAX = "1900-01-01", "2100-12-31"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    description: str
    required: bool = True
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    personal: bool = False

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.kind]


@dataclass(frozen=True)
class Reference:
    """Values of `columns` must exist as `target_columns` in the accepted rows of `target`."""

    columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]


@dataclass(frozen=True)
class SeedFile:
    name: str
    folder: Literal["reference", "submission"]
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = ()
    # Key unique across all units, not just within one unit's file.
    key_city_wide: bool = False
    # Rows of two units that differ only in unit_code are one fact submitted twice: the
    # first is kept, the others are duplicate_row (qualifications, evaluations).
    copies_across_units: bool = False
    extra_rules: tuple[str, ...] = field(default=())
    # Rules that accept a row but tell the unit about it (quality.warnings).
    warnings: tuple[str, ...] = field(default=())
    # A reference file that may be absent (no rows of that kind).
    optional: bool = False
    # Rows are periods (valid_from, valid_to) whose empty ends take the unit's validity.
    unit_period: bool = False

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    @property
    def upstream(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(reference.target for reference in self.references))


def _unit_code(description: str = "the submitting unit; must equal the folder name") -> Column:
    return Column("unit_code", "code", description)


def _national_id() -> Column:
    return Column(
        "national_id",
        "national_id",
        "12-digit citizen ID (CCCD), the person's key across units",
        personal=True,
    )


def _term_ref(column: str = "term_code") -> Reference:
    return Reference((column,), "terms", ("term_code",))


REFERENCE_FILES: tuple[SeedFile, ...] = (
    SeedFile(
        "units",
        "reference",
        "Party units: districts, affiliated party committees and the City Party Committee.",
        (
            Column("unit_code", "code", "unit code: GSO district code, 01 or a short code"),
            Column("unit_name", "text", "unit name (tên đơn vị)"),
            Column("unit_kind", "enum", "kind of unit", values=UNIT_KINDS),
            Column("parent_code", "code", "parent unit code", required=False),
            Column("valid_from", "date", "first day the unit exists", required=False),
            Column("valid_to", "date", "last day the unit exists; empty = current", required=False),
        ),
        key=("unit_code",),
        extra_rules=("end_before_start",),
    ),
    SeedFile(
        "terms",
        "reference",
        "Terms: party congress (dai_hoi) and people's council (hdnd) terms.",
        (
            Column("term_code", "code", "term code, e.g. 2015-2020"),
            Column("term_kind", "enum", "kind of term", values=TERM_KINDS),
            Column("start_date", "date", "first day of the term"),
            Column("end_date", "date", "last day of the term"),
        ),
        key=("term_code",),
        extra_rules=("end_before_start",),
    ),
    SeedFile(
        "titles",
        "reference",
        "Leadership titles a planning pool is prepared for.",
        (
            Column("title_code", "code", "title code, e.g. BCH_TP"),
            Column("title_name", "text", "title name (chức danh)"),
            Column("title_level", "enum", "level of the title", values=TITLE_LEVELS),
        ),
        key=("title_code",),
    ),
    SeedFile(
        "programs",
        "reference",
        "Training programs; planning-source programs name the group they train.",
        (
            Column("program_code", "code", "program code"),
            Column("program_name", "text", "program name (chương trình)"),
            Column("program_kind", "enum", "kind of program", values=PROGRAM_KINDS),
            Column(
                "target_group",
                "enum",
                "group a planning-source program trains",
                required=False,
                values=TARGET_GROUPS,
            ),
        ),
        key=("program_code",),
    ),
    SeedFile(
        "targets",
        "reference",
        "Congress-term targets (chỉ tiêu): population, metric, comparator and threshold.",
        (
            Column("target_code", "code", "target code"),
            Column("term_code", "code", "congress term the target belongs to"),
            Column("population", "enum", "population measured", values=POPULATIONS),
            Column("metric", "enum", "metric measured", values=METRICS),
            Column("comparator", "enum", "how actual compares to threshold", values=COMPARATORS),
            Column("threshold", "fraction", "threshold as a fraction", minimum=0, maximum=1),
            Column("description", "text", "what the target says", required=False),
            Column("source_document", "text", "document that set the target", required=False),
            Column(
                "reference_date",
                "date",
                "day the target is measured on; empty = the earlier of the term's end and "
                "the as-of date",
                required=False,
            ),
            Column(
                "title_level",
                "enum",
                "quy_hoach only: count planning rows for titles of this level; empty = all",
                required=False,
                values=TITLE_LEVELS,
            ),
        ),
        key=("target_code",),
        references=(_term_ref(),),
    ),
    SeedFile(
        "unit_successions",
        "reference",
        "Successions: on effective_date part or all of a unit passed into another.",
        (
            Column("predecessor_code", "code", "the unit that ended"),
            Column("successor_code", "code", "a unit that took over part or all of it"),
            Column(
                "effective_date",
                "date",
                "the successor's first day, the day after the predecessor's last",
            ),
        ),
        key=("predecessor_code", "successor_code"),
        references=(
            Reference(("predecessor_code",), "units", ("unit_code",)),
            Reference(("successor_code",), "units", ("unit_code",)),
        ),
        extra_rules=("succession_dates_mismatch",),
        optional=True,
    ),
)

SUBMISSION_FILES: tuple[SeedFile, ...] = (
    SeedFile(
        "cadres",
        "submission",
        "The unit's cadres: one row per period a person belonged to the unit with one tier, "
        "workplace and title (quá trình công tác).",
        (
            _national_id(),
            _unit_code("the unit of the period"),
            Column("full_name", "text", "full name (họ và tên)", personal=True),
            Column("gender", "enum", "gender", values=GENDERS),
            Column("birth_date", "date", "date of birth", personal=True),
            Column("management_tier", "enum", "who manages the cadre", values=MANAGEMENT_TIERS),
            Column("workplace_kind", "enum", "kind of workplace", values=WORKPLACE_KINDS),
            Column("current_title_code", "code", "title held in the period", required=False),
            Column(
                "valid_from",
                "date",
                "first day of the period; empty = the unit's first day",
                required=False,
            ),
            Column(
                "valid_to",
                "date",
                "last day of the period; empty = the unit's last day (open when current)",
                required=False,
            ),
        ),
        key=("national_id", "unit_code", "valid_from"),
        extra_rules=(
            "invalid_period",
            "tier_not_in_unit",
            "outside_unit_validity",
            "person_listed_twice",
        ),
        warnings=("person_attributes_differ",),
        unit_period=True,
    ),
    SeedFile(
        "classes",
        "submission",
        "Training classes the unit organised, one row per class.",
        (
            Column("class_code", "code", "class code, unique city-wide"),
            _unit_code("the organising unit"),
            Column("program_code", "code", "program taught"),
            Column("start_date", "date", "first day of the class"),
            Column("end_date", "date", "last day of the class"),
            Column("planned_sessions", "integer", "sessions planned", minimum=1),
            Column(
                "target_term_code",
                "code",
                "term a planning-source class prepares for",
                required=False,
            ),
        ),
        key=("class_code",),
        key_city_wide=True,
        references=(
            Reference(("program_code",), "programs", ("program_code",)),
            _term_ref("target_term_code"),
        ),
        extra_rules=("end_before_start", "outside_unit_validity"),
    ),
    SeedFile(
        "enrolments",
        "submission",
        "Enrolments in the unit's own classes, one row per class and person.",
        (
            Column("class_code", "code", "class enrolled in"),
            _national_id(),
            _unit_code("the organising unit"),
            Column("sessions_attended", "integer", "sessions attended", minimum=0),
            Column("unexcused_absences", "integer", "unexcused absences", minimum=0),
            Column("result", "enum", "result (kết quả học tập)", values=RESULTS),
            Column("graduated", "boolean", "whether the person graduated"),
        ),
        key=("class_code", "national_id"),
        references=(Reference(("class_code",), "classes", ("class_code",)),),
        extra_rules=("class_of_other_unit", "sessions_over_plan"),
    ),
    SeedFile(
        "qualifications",
        "submission",
        "Qualification awards: a history, one row per person, kind and level.",
        (
            _national_id(),
            Column("qualification_kind", "enum", "kind", values=QUALIFICATION_KINDS),
            Column("level", "level", "level code; ranked for chuyen_mon and ly_luan_chinh_tri"),
            Column("awarded_date", "date", "date the level was awarded"),
            _unit_code("a unit the person belonged to"),
        ),
        key=("national_id", "qualification_kind", "level"),
        key_city_wide=True,
        copies_across_units=True,
        extra_rules=("invalid_level",),
    ),
    SeedFile(
        "committee_members",
        "submission",
        "Members of the unit's party committees per term.",
        (
            _national_id(),
            _unit_code("the unit whose committees they are"),
            Column("committee_level", "enum", "committee level", values=COMMITTEE_LEVELS),
            Column("term_code", "code", "congress term"),
            Column("role", "enum", "role in the committee", values=COMMITTEE_ROLES),
        ),
        key=("national_id", "unit_code", "committee_level", "term_code"),
        references=(_term_ref(),),
        extra_rules=("outside_unit_validity",),
    ),
    SeedFile(
        "planning",
        "submission",
        "Planning decisions: people planned (quy hoạch) for a title in a term.",
        (
            _national_id(),
            _unit_code("the unit that owns the title (01 for BCH_TP)"),
            Column("title_code", "code", "title planned for"),
            Column("term_code", "code", "term planned for"),
            Column("decision_date", "date", "date of the planning decision"),
            Column("status", "enum", "decision status", values=PLANNING_STATUSES),
        ),
        key=("national_id", "unit_code", "title_code", "term_code"),
        references=(
            Reference(("title_code",), "titles", ("title_code",)),
            _term_ref(),
        ),
        extra_rules=("outside_unit_validity",),
    ),
    SeedFile(
        "positions",
        "submission",
        "Seats per title and term.",
        (
            _unit_code(),
            Column("title_code", "code", "title"),
            Column("term_code", "code", "term"),
            Column("seats", "integer", "number of seats", minimum=0),
        ),
        key=("unit_code", "title_code", "term_code"),
        references=(
            Reference(("title_code",), "titles", ("title_code",)),
            _term_ref(),
        ),
        extra_rules=("outside_unit_validity",),
    ),
    SeedFile(
        "evaluations",
        "submission",
        "Year-end ratings (đánh giá, xếp loại), one row per person and year.",
        (
            _national_id(),
            _unit_code("a unit the person belonged to"),
            Column("year", "integer", "year rated", minimum=1900, maximum=2100),
            Column("rating", "enum", "year-end rating", values=RATINGS),
        ),
        key=("national_id", "year"),
        key_city_wide=True,
        copies_across_units=True,
    ),
)

_KNOWN_UNIT = Reference(("unit_code",), "units", ("unit_code",))
SUBMISSION_FILES = tuple(
    SeedFile(**{**seed.__dict__, "references": (_KNOWN_UNIT, *seed.references)})
    for seed in SUBMISSION_FILES
)

SEED_FILES: tuple[SeedFile, ...] = REFERENCE_FILES + SUBMISSION_FILES
_BY_NAME = {seed.name: seed for seed in SEED_FILES}


def seed_file(name: str) -> SeedFile:
    return _BY_NAME[name]
