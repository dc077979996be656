{{ config(**by_unit_config('qualifications')) }}

with

source as (

    select * from {{ by_unit_source(source('submissions', 'qualifications'), 'qualifications') }}

),

final as (

    select
        {{ person_key('national_id') }} as person_key,
        qualification_kind,
        level,
        awarded_date,
        unit_code{{ by_unit_version() }}
    from source

)

select * from final
