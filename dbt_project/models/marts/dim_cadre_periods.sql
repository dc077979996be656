with

periods as (

    select * from {{ ref('int_cadre_periods_dated') }}

),

final as (

    select
        person_key,
        unit_code,
        management_tier,
        workplace_kind,
        current_title_code,
        valid_from,
        valid_to,
        is_current
    from periods

)

select * from final
