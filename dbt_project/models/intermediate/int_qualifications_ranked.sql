with

qualifications as (

    select * from {{ ref('stg_submissions__qualifications') }}

),

final as (

    select
        person_key,
        qualification_kind,
        level,
        {{ level_rank('qualification_kind', 'level') }} as level_rank,
        awarded_date,
        unit_code
    from qualifications

)

select * from final
