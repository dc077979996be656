{{ config(**by_unit_config('enrolments')) }}

with

source as (

    select * from {{ by_unit_source(source('submissions', 'enrolments'), 'enrolments') }}

),

final as (

    select
        class_code,
        {{ person_key('national_id') }} as person_key,
        unit_code,
        sessions_attended,
        unexcused_absences,
        result,
        graduated{{ by_unit_version() }}
    from source

)

select * from final
