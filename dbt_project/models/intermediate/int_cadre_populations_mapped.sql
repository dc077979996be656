-- Target populations (CONTRACT.md §2, §4) from the current cadres list; a person may
-- belong to several (chu_chot_cap_xa and one of its two parts).
with

cadres as (

    select * from {{ ref('stg_submissions__cadres') }}

),

memberships as (

    select
        person_key,
        unit_code,
        'btv_thanh_uy' as population
    from cadres
    where management_tier = 'btv_thanh_uy'

    union all

    select
        person_key,
        unit_code,
        'chu_chot_cap_xa' as population
    from cadres
    where management_tier = 'chu_chot_cap_xa'

    union all

    select
        person_key,
        unit_code,
        'chu_chot_phuong_thi_tran' as population
    from cadres
    where management_tier = 'chu_chot_cap_xa' and workplace_kind in ('phuong', 'thi_tran')

    union all

    select
        person_key,
        unit_code,
        'chu_chot_xa' as population
    from cadres
    where management_tier = 'chu_chot_cap_xa' and workplace_kind = 'xa'

),

final as (

    select
        population,
        person_key,
        unit_code
    from memberships

)

select * from final
