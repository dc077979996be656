-- Target populations (CONTRACT.md §2, §4) per cadre period: a target reads the periods
-- that contain its reference date. A period may belong to several populations
-- (chu_chot_cap_xa and one of its two parts). quy_hoach is read from planning instead.
with

periods as (

    select * from {{ ref('int_cadre_periods_dated') }}

),

memberships as (

    select
        person_key,
        unit_code,
        valid_from,
        valid_to,
        'btv_thanh_uy' as population
    from periods
    where management_tier = 'btv_thanh_uy'

    union all

    select
        person_key,
        unit_code,
        valid_from,
        valid_to,
        'chu_chot_cap_xa' as population
    from periods
    where management_tier = 'chu_chot_cap_xa'

    union all

    select
        person_key,
        unit_code,
        valid_from,
        valid_to,
        'chu_chot_phuong_thi_tran' as population
    from periods
    where management_tier = 'chu_chot_cap_xa' and workplace_kind in ('phuong', 'thi_tran')

    union all

    select
        person_key,
        unit_code,
        valid_from,
        valid_to,
        'chu_chot_xa' as population
    from periods
    where management_tier = 'chu_chot_cap_xa' and workplace_kind = 'xa'

),

final as (

    select
        population,
        person_key,
        unit_code,
        valid_from,
        valid_to
    from memberships

)

select * from final
