with

source as (

    select * from {{ source('submissions', 'qualifications') }}

),

final as (

    select
        {{ person_key('national_id') }} as person_key,
        qualification_kind,
        level,
        awarded_date,
        unit_code
    from source

)

select * from final
