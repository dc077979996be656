with

qualifications as (

    select * from {{ ref('int_qualifications_ranked') }}

),

final as (

    select
        person_key,
        qualification_kind,
        level,
        level_rank,
        awarded_date,
        unit_code
    from qualifications

)

select * from final
