with

source as (

    select * from {{ source('submissions', 'enrolments') }}

),

final as (

    select
        class_code,
        {{ person_key('national_id') }} as person_key,
        unit_code,
        sessions_attended,
        unexcused_absences,
        result,
        graduated
    from source

)

select * from final
