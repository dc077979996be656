-- A cadres row's empty dates mean its unit's (CONTRACT.md §2). Ingest fills them; they are
-- filled again here from the unit so that a period always carries effective dates, and
-- here rather than in staging because staging is rebuilt unit by unit when a unit's
-- cadres change, not when units.csv does.
with

cadres as (

    select * from {{ ref('stg_submissions__cadres') }}

),

units as (

    select * from {{ ref('stg_reference__units') }}

),

dated as (

    select
        cadres.person_key,
        cadres.unit_code,
        cadres.gender,
        cadres.birth_date,
        cadres.birth_year,
        cadres.management_tier,
        cadres.workplace_kind,
        cadres.current_title_code,
        coalesce(cadres.valid_from, units.valid_from) as valid_from,
        coalesce(cadres.valid_to, units.valid_to) as valid_to
    from cadres
    left join units
        on cadres.unit_code = units.unit_code

),

final as (

    select
        person_key,
        unit_code,
        gender,
        birth_date,
        birth_year,
        management_tier,
        workplace_kind,
        current_title_code,
        valid_from,
        valid_to,
        {{ period_contains('dated', as_of_date()) }} as is_current
    from dated

)

select * from final
