with

cadres as (

    select * from {{ ref('int_cadres_resolved') }}

),

final as (

    select
        person_key,
        unit_code,
        gender,
        birth_year,
        management_tier,
        workplace_kind,
        current_title_code,
        valid_from,
        valid_to,
        is_current
    from cadres

)

select * from final
