with

cadres as (

    select * from {{ ref('stg_submissions__cadres') }}

),

final as (

    select
        person_key,
        unit_code,
        gender,
        birth_year,
        management_tier,
        workplace_kind,
        current_title_code
    from cadres

)

select * from final
